-- POST /agents/{id}/heartbeat by the agent itself: each request picks a random heartbeating
-- agent and sends that agent's own internal key in X-Agent-API-Key (no bearer token).
agent_keys = true
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

function request()
  local i = math.random(#seeded.ids)
  return wrk.format("POST", "/agents/" .. seeded.ids[i] .. "/heartbeat",
    { ["X-Agent-API-Key"] = seeded.keys[i] }, "")
end
