// Building the page safely: every piece of text from the API goes in as a text node
// (`textContent`), never as markup, so an agent described as `<img src=x onerror=...>` shows
// those characters and creates no element. The console never parses text as HTML.

/**
 * An element: `h("a", {href: "#/x", class: "c", "data-testid": "t"}, "text", child, ...)`.
 * Attributes are set with setAttribute; children are nodes, or strings/numbers made text nodes;
 * null, undefined and false are skipped; arrays are flattened.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2), value);
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

/** Replaces the children of `el` with `children`. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/** A coloured status badge (`Ready`, `Unhealthy`, `Failed`, ...). */
export function badge(status) {
  return h("span", { class: `badge status-${String(status).replace(/[^A-Za-z]/g, "")}` }, status);
}

/** "12 s ago", "3 min ago", "2 h ago", "5 d ago", or "never" for no timestamp. */
export function age(iso, now = Date.now()) {
  if (!iso) return "never";
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 90) return `${s} s ago`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min ago`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

/** A timestamp as text with its age, e.g. "2026-05-01 10:00:00Z (3 min ago)". */
export function when(iso) {
  if (!iso) return "—";
  return h("time", { datetime: iso, title: iso }, `${iso.replace("T", " ")} (${age(iso)})`);
}

/** A JSON value, pretty-printed as text. */
export function json(value) {
  return h("pre", { class: "json" }, JSON.stringify(value, null, 2));
}

/** A plain message block (errors, empty states). */
export function message(text, kind = "info", testid = undefined) {
  return h("p", { class: `message ${kind}`, role: kind === "error" ? "alert" : null, "data-testid": testid }, text);
}
