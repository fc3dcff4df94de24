-- Shared by every wrk workload script: credentials, the seeded ids/names, per-thread random
-- state, and the JSON summary that done() prints for the orchestrator (scripts/bench/run.py).
--
-- Environment (set by the orchestrator):
--   BENCH_TOKEN   bearer token of the principal under test (unset for a script that sets
--                 `agent_keys = true` before loading this file: it sends each agent's own key)
--   BENCH_DATA    Lua file returning { ids = {...}, names = {...}, keys = {...} } for that
--                 principal (keys[i] is agent ids[i]'s own API key)
--   BENCH_PREFIX  unique prefix for names created by this run (register_new)
--   BENCH_ORG     the org the rows run in (sent as X-Registry-Org; the admin acts there, the
--                 user's token and the agents' keys belong there)

local token = os.getenv("BENCH_TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
elseif not agent_keys then
  error("BENCH_TOKEN is not set")
end
wrk.headers["Content-Type"] = "application/json"
-- The org the platform admin acts in (ignored by the server for every other credential).
local org = os.getenv("BENCH_ORG")
if org and org ~= "" and token and token ~= "" then
  wrk.headers["X-Registry-Org"] = org
end

seeded = dofile(os.getenv("BENCH_DATA"))
prefix = os.getenv("BENCH_PREFIX") or "bench"

-- The description every seeded agent carries; bodies that repeat it change nothing.
seeded_description = "seeded agent"

-- setup() runs once per wrk thread in the main Lua state: number the threads so each can
-- seed its own random stream and make unique names.
local next_thread = 0
function setup(thread)
  next_thread = next_thread + 1
  thread:set("tid", next_thread)
end

function init(args)
  tid = tid or 0
  math.randomseed(os.time() * 1000 + tid)
  -- LuaJIT's first values after seeding are poorly mixed; discard a few.
  for _ = 1, 10 do math.random() end
  if prepare then prepare() end
end

function random_id()
  return seeded.ids[math.random(#seeded.ids)]
end

function random_name()
  return seeded.names[math.random(#seeded.names)]
end

-- One line of JSON the orchestrator parses (latencies in microseconds; non2xx counts wrk's
-- status errors, i.e. responses with status >= 400 — the API sends no 3xx on these routes).
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"non2xx":%d,' ..
    '"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d,' ..
    '"p50_us":%.0f,"p90_us":%.0f,"p99_us":%.0f,"mean_us":%.1f,"max_us":%.0f}\n',
    summary.requests, summary.duration, summary.bytes, e.status,
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean, latency.max))
end
