// The agents page: a count per status, the status filter and search box, the table, paging.

import { get } from "./api.js";
import { searchAgents } from "./search.js";
import { h, badge, age, when, message } from "./dom.js";

/** The statuses a live agent can have, in the order the counts show them. */
const STATUSES = ["Ready", "Unhealthy", "Unknown", "Failed", "BuildOnly"];
const PAGE_SIZE = 20;

/** Renders the page for `params` (URLSearchParams of the hash: status, q, page). */
export async function agentsPage(params) {
  const status = params.get("status") || "";
  const q = (params.get("q") || "").trim();
  const page = Math.max(1, Number(params.get("page")) || 1);

  const [counts, result] = await Promise.all([statusCounts(), agentRows(q, status, page)]);
  const pages = Math.max(1, Math.ceil(result.total / PAGE_SIZE));
  return h("section", { class: "agents" },
    h("ul", { class: "counts", "data-testid": "status-counts" },
      counts.map(([s, n]) => h("li", { "data-status": s }, h("a", { href: link({ status: s }) }, badge(s), " ", n)))),
    filterForm(status, q),
    result.rows.length === 0
      ? message(q ? `No agent matches “${q}”.` : "No agents.", "info", "agents-empty")
      : null,
    h("table", { "data-testid": "agents-table", class: "grid" },
      h("thead", {}, h("tr", {},
        ["Name", "Status", "Last heartbeat", "Production deployment", "Updated"].map((t) => h("th", {}, t)))),
      h("tbody", {}, result.rows.map(row))),
    h("nav", { class: "pager", "data-testid": "pager" },
      page > 1 ? h("a", { href: link({ status, q, page: page - 1 }) }, "← Previous") : null,
      h("span", {}, ` Page ${page} of ${pages} · ${result.total}${result.capped ? "+" : ""} agents `),
      page < pages ? h("a", { href: link({ status, q, page: page + 1 }) }, "Next →") : null));
}

/** `[status, count]` for each live status (one `limit=1` list each; its X-Total-Count). */
async function statusCounts() {
  return Promise.all(STATUSES.map(async (s) => {
    const { total, capped } = await get(`/agents?status=${s}&limit=1`);
    return [s, `${total}${capped ? "+" : ""}`];
  }));
}

/** One page of rows: the search when there is a query, else the plain list. */
async function agentRows(q, status, page) {
  const offset = (page - 1) * PAGE_SIZE;
  if (q) return searchAgents(q, status, PAGE_SIZE, offset);
  const filter = status ? `&status=${encodeURIComponent(status)}` : "";
  const { body, total, capped } = await get(`/agents?limit=${PAGE_SIZE}&page_number=${page}${filter}`);
  return { rows: body, total, capped };
}

function row(agent) {
  return h("tr", { "data-agent-id": agent.id },
    h("td", {}, h("a", { href: `#/agents/${encodeURIComponent(agent.id)}`, class: "agent-link" }, agent.name)),
    h("td", {}, badge(agent.status)),
    h("td", { title: agent.last_seen_at || "" }, age(agent.last_seen_at)),
    h("td", { class: "mono" }, agent.production_deployment_id ? agent.production_deployment_id.slice(0, 8) : "—"),
    h("td", {}, when(agent.updated_at)));
}

function filterForm(status, q) {
  const select = h("select", { name: "status", "data-testid": "status-filter" },
    h("option", { value: "" }, "All statuses"),
    STATUSES.map((s) => h("option", { value: s, selected: s === status }, s)));
  const input = h("input", {
    name: "q", type: "search", value: q, placeholder: "Search agents", "data-testid": "search-input",
  });
  const form = h("form", { class: "filters", "data-testid": "filters" },
    h("label", {}, "Status ", select), " ",
    h("label", {}, "Search ", input), " ",
    h("button", { type: "submit", "data-testid": "search-submit" }, "Apply"));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    location.hash = link({ status: select.value, q: input.value.trim() });
  });
  select.addEventListener("change", () => form.requestSubmit());
  return form;
}

/** The hash of the agents page with these parameters (empty ones left out). */
export function link(params) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) p.set(k, v);
  const query = p.toString();
  return query ? `#/agents?${query}` : "#/agents";
}
