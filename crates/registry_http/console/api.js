// Talking to the API: the pasted token as `Authorization: Bearer`, the org the platform admin
// picked as `X-Registry-Org`, problem+json errors turned into exceptions.

const TOKEN = "registry.token";
const ORG = "registry.org";

/** The token and org of this tab (sessionStorage: gone with the tab, never a cookie). */
export const session = {
  token: () => sessionStorage.getItem(TOKEN),
  org: () => sessionStorage.getItem(ORG),
  signIn(token) {
    sessionStorage.setItem(TOKEN, token);
    sessionStorage.removeItem(ORG);
  },
  setOrg(slug) {
    if (slug) sessionStorage.setItem(ORG, slug);
    else sessionStorage.removeItem(ORG);
  },
  clear() {
    sessionStorage.removeItem(TOKEN);
    sessionStorage.removeItem(ORG);
  },
};

/** A refused request: `status` and the problem's `detail` (or the status text). */
export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && problem.detail) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/** The server refused the credential (401): the console goes back to sign-in. */
export class SignedOut extends ApiError {}

/**
 * GET `path` (same origin) → `{body, total, capped}` where total is X-Total-Count (lists).
 * Throws SignedOut on 401, ApiError on any other non-2xx.
 */
export async function get(path) {
  const headers = { Accept: "application/json" };
  const token = session.token();
  if (token) headers.Authorization = `Bearer ${token}`;
  const org = session.org();
  if (org) headers["X-Registry-Org"] = org;
  const res = await fetch(path, { headers, cache: "no-store", credentials: "omit" });
  let body = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  if (res.status === 401) throw new SignedOut(401, body);
  if (!res.ok) throw new ApiError(res.status, body);
  const total = res.headers.get("x-total-count");
  return {
    body,
    total: total === null ? null : Number(total),
    capped: res.headers.get("x-total-count-capped") === "true",
  };
}
