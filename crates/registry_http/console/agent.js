// One agent: its fields, A2A card, deployments (production marked), events (newest first, with
// actor), API keys (metadata only: the API never returns a key's secret after creation, and
// only the fields listed here are shown) and grants. A section the caller may not read says so.

import { get, ApiError, SignedOut } from "./api.js";
import { h, badge, when, json, message } from "./dom.js";

/** Renders the page of agent `id`. */
export async function agentPage(id) {
  const base = `/agents/${encodeURIComponent(id)}`;
  let agent;
  try {
    agent = (await get(base)).body;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      return message("Not found: no agent with this id that you may read.", "error", "not-found");
    }
    throw e;
  }
  const [card, deployments, events, keys, grants] = await Promise.all([
    section(`${base}/card`),
    section(`${base}/deployments?limit=100`),
    section(`${base}/events?limit=100`),
    section(`/agent_api_keys?agent_id=${encodeURIComponent(id)}&limit=100`),
    section(`${base}/grants?limit=100`),
  ]);
  return h("article", { class: "agent", "data-testid": "agent-detail", "data-agent-id": agent.id },
    h("p", {}, h("a", { href: "#/agents" }, "← All agents")),
    h("h1", {}, agent.name, " ", badge(agent.status)),
    fields(agent),
    h("h2", {}, "Card"),
    cardView(card),
    h("h2", {}, "Deployments"),
    deploymentsView(deployments, agent),
    h("h2", {}, "Events"),
    eventsView(events),
    h("h2", {}, "API keys"),
    keysView(keys),
    h("h2", {}, "Grants"),
    grantsView(grants));
}

/** A section's data, or the refusal to show in its place (401 still signs out). */
async function section(path) {
  try {
    return { ok: (await get(path)).body };
  } catch (e) {
    if (e instanceof SignedOut || !(e instanceof ApiError)) throw e;
    return { error: e };
  }
}

function refused(result, what) {
  if (result.error.status === 404) return message(`No ${what}.`, "info");
  return message(`${what} not shown: ${result.error.message} (HTTP ${result.error.status})`, "error");
}

function fields(a) {
  const rows = [
    ["Id", h("span", { class: "mono" }, a.id)],
    ["Description", a.description || "—"],
    ["Status reason", a.status_reason || "—"],
    ["ACP type", a.acp_type],
    ["Input type", a.agent_input_type || "—"],
    ["Production deployment", a.production_deployment_id || "—"],
    ["Last heartbeat", when(a.last_seen_at)],
    ["Registered", when(a.registered_at)],
    ["Created", when(a.created_at)],
    ["Updated", when(a.updated_at)],
    ["Registration metadata", a.registration_metadata ? json(a.registration_metadata) : "—"],
  ];
  return h("dl", { class: "fields", "data-testid": "agent-fields" },
    rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

function cardView(result) {
  if (result.error) return refused(result, "card");
  const card = (result.ok && result.ok.card) || {};
  const skills = Array.isArray(card.skills) ? card.skills : [];
  return h("div", { class: "a2a-card", "data-testid": "agent-card" },
    h("p", {}, h("strong", {}, card.name || ""), card.version ? ` v${card.version}` : "",
      result.ok.visibility ? ` · visibility ${result.ok.visibility}` : ""),
    h("p", {}, card.description || ""),
    h("ul", { class: "skills" }, skills.map((s) => h("li", {},
      h("strong", {}, s.name || s.id || ""), " — ", s.description || "", " ",
      (Array.isArray(s.tags) ? s.tags : []).map((t) => h("span", { class: "tag" }, t))))));
}

function deploymentsView(result, agent) {
  if (result.error) return refused(result, "deployments");
  if (result.ok.length === 0) return message("No deployments.");
  return h("table", { class: "grid", "data-testid": "agent-deployments" },
    h("thead", {}, h("tr", {}, ["", "Id", "Image", "Status", "ACP URL", "Created", "Promoted"].map((t) => h("th", {}, t)))),
    h("tbody", {}, result.ok.map((d) => {
      const production = d.is_production || d.id === agent.production_deployment_id;
      return h("tr", { class: production ? "production" : null, "data-deployment-id": d.id },
        h("td", {}, production ? h("span", { class: "badge production", "data-testid": "production-mark" }, "production") : ""),
        h("td", { class: "mono" }, d.id),
        h("td", { class: "mono" }, d.docker_image),
        h("td", {}, d.status),
        h("td", { class: "mono" }, d.acp_url || "—"),
        h("td", {}, when(d.created_at)),
        h("td", {}, when(d.promoted_at)));
    })));
}

function eventsView(result) {
  if (result.error) return refused(result, "events");
  return h("ol", { class: "timeline", "data-testid": "agent-events" },
    result.ok.map((e) => h("li", { "data-event-kind": e.kind },
      h("span", { class: "when" }, when(e.at)), " ",
      h("strong", {}, e.kind), " ",
      e.from_status || e.to_status ? h("span", {}, `${e.from_status || "∅"} → ${e.to_status || "∅"} `) : null,
      h("span", { class: "actor" }, "by ", e.actor),
      e.detail && Object.keys(e.detail).length ? json(e.detail) : null)));
}

function keysView(result) {
  if (result.error) return refused(result, "API keys");
  if (result.ok.length === 0) return message("No API keys.");
  return h("table", { class: "grid", "data-testid": "agent-keys" },
    h("thead", {}, h("tr", {}, ["Name", "Type", "Id", "Created"].map((t) => h("th", {}, t)))),
    h("tbody", {}, result.ok.map((k) => h("tr", {},
      h("td", {}, k.name), h("td", {}, k.api_key_type), h("td", { class: "mono" }, k.id), h("td", {}, when(k.created_at))))));
}

function grantsView(result) {
  if (result.error) return refused(result, "grants");
  if (result.ok.length === 0) return message("No grants.");
  return h("table", { class: "grid", "data-testid": "agent-grants" },
    h("thead", {}, h("tr", {}, ["Principal", "Role", "Since"].map((t) => h("th", {}, t)))),
    h("tbody", {}, result.ok.map((g) => h("tr", {},
      h("td", { class: "mono" }, g.principal), h("td", {}, g.role), h("td", {}, when(g.created_at))))));
}
