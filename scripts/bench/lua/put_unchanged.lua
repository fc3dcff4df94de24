-- PUT /agents/name/{name} with the body the agent already has: 200, created false, no write.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local body = string.format('{"description":"%s"}', seeded_description)
function request()
  return wrk.format("PUT", "/agents/name/" .. random_name(), nil, body)
end
