import { get, ApiError } from "./api.js";

// The agents page's search box. Contract §11's `GET /agents/search` is not served yet, so the
// box looks an agent up by exact name. Switching to full-text search is this one line:
//   export const searchPath = (q, status, limit, offset) => `/agents/search?q=${encodeURIComponent(q)}${status ? `&status=${encodeURIComponent(status)}` : ""}&limit=${limit}&offset=${offset}`;
// (`rowsOf` below already reads both answers.)
export const searchPath = (q) => `/agents/name/${encodeURIComponent(q)}`;

/**
 * The agents matching `q` (with `status`, one page of `limit` from `offset`) as
 * `{rows, total}`. No match (404, or a name the lookup refuses, 422) is an empty result.
 */
export async function searchAgents(q, status, limit, offset) {
  try {
    const { body } = await get(searchPath(q, status, limit, offset));
    return rowsOf(body, status);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 422)) {
      return { rows: [], total: 0 };
    }
    throw e;
  }
}

/** Rows from either answer: §11's `{results: [{agent}], total}` or one agent. */
export function rowsOf(body, status) {
  if (body && Array.isArray(body.results)) {
    return { rows: body.results.map((r) => r.agent), total: body.total };
  }
  const rows = body && (!status || body.status === status) ? [body] : [];
  return { rows, total: rows.length };
}
