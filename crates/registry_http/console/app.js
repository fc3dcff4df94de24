// The console's entry point: sign-in and sign-out, who is signed in, the platform admin's org
// switcher, and the hash routes `#/agents?...` and `#/agents/<id>`.

import { get, session, SignedOut } from "./api.js";
import { h, replace, message } from "./dom.js";
import { agentsPage } from "./agents.js";
import { agentPage } from "./agent.js";

const $ = (id) => document.getElementById(id);
/** Why the last session ended, shown on the sign-in form (kept across a reload). */
const REASON = "registry.signout-reason";

/** Shows the sign-in form with `reason` (or the one a reload carried). */
function showSignIn(reason) {
  if (reason) sessionStorage.setItem(REASON, reason);
  const shown = reason || sessionStorage.getItem(REASON) || "";
  $("signin-reason").textContent = shown;
  $("signin-reason").hidden = !shown;
  $("signin").hidden = false;
  $("sign-out").hidden = true;
  $("org-switch").hidden = true;
  $("who").textContent = "";
  replace($("view"));
  $("token").focus();
}

/** Ends the session: forgets the token and shows sign-in with `reason`. */
function signOut(reason) {
  session.clear();
  showSignIn(reason);
}

/** Checks the token with `/whoami`, shows who it is, then renders the current route. */
async function start() {
  if (!session.token()) return showSignIn();
  let me;
  try {
    me = (await get("/whoami")).body;
  } catch (e) {
    return failed(e);
  }
  sessionStorage.removeItem(REASON);
  $("signin").hidden = true;
  $("sign-out").hidden = false;
  $("who").textContent = `${me.principal} · org ${me.org}`;
  if (me.platform_admin) await orgSwitcher(me.org);
  await route();
}

/** The platform admin's org switcher: every org; choosing one sends it as X-Registry-Org. */
async function orgSwitcher(current) {
  const { body: orgs } = await get("/orgs?limit=1000");
  const select = $("org-select");
  replace(select, orgs.map((o) => h("option", { value: o.slug, selected: o.slug === current }, o.slug)));
  select.onchange = () => {
    session.setOrg(select.value);
    location.hash = "#/agents";
    start();
  };
  $("org-switch").hidden = false;
}

/** Renders the page the hash names. */
async function route() {
  if (!session.token()) return showSignIn();
  const hash = location.hash.replace(/^#/, "") || "/agents";
  const [path, query] = hash.split("?");
  const view = $("view");
  replace(view, message("Loading…", "info"));
  try {
    const agent = path.match(/^\/agents\/([^/]+)$/);
    const page = agent
      ? await agentPage(decodeURIComponent(agent[1]))
      : path === "/agents"
        ? await agentsPage(new URLSearchParams(query || ""))
        : message("Not found: no such page.", "error", "not-found");
    replace(view, page);
  } catch (e) {
    failed(e);
  }
}

/** A failed request: 401 signs out with the server's reason; anything else is shown in place. */
function failed(e) {
  if (e instanceof SignedOut) {
    return signOut(`Signed out: the server refused the token (HTTP 401): ${e.message}`);
  }
  replace($("view"), message(`Error: ${e.message}${e.status ? ` (HTTP ${e.status})` : ""}`, "error", "error"));
}

$("signin-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const token = $("token").value.trim();
  if (!token) return;
  session.signIn(token);
  $("token").value = "";
  start();
});
$("sign-out").addEventListener("click", () => signOut("Signed out."));
window.addEventListener("hashchange", () => route());
start();
