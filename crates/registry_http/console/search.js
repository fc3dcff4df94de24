import { get, ApiError } from "./api.js";

// The agents page's search box: contract §11's `GET /agents/search`, full-text over each
// agent's own name and description and over its A2A card (agents without a card are found
// too), with the status filter and paging of the list.
export const searchPath = (q, status, limit, offset) =>
  `/agents/search?q=${encodeURIComponent(q)}${status ? `&status=${encodeURIComponent(status)}` : ""}&limit=${limit}&offset=${offset}`;

/**
 * The agents matching `q` (with `status`, one page of `limit` from `offset`) as
 * `{rows, total}`. A query the registry refuses (422, e.g. too long) is an empty result.
 */
export async function searchAgents(q, status, limit, offset) {
  try {
    const { body } = await get(searchPath(q, status, limit, offset));
    return rowsOf(body);
  } catch (e) {
    if (e instanceof ApiError && e.status === 422) {
      return { rows: [], total: 0 };
    }
    throw e;
  }
}

/** Rows from §11's answer `{results: [{agent, card?, score}], total}`: the agents. */
export function rowsOf(body) {
  const results = body && Array.isArray(body.results) ? body.results : [];
  return { rows: results.map((r) => r.agent), total: body ? body.total || 0 : 0 };
}
