-- POST /agents/register-build repeating a seeded name the principal may read: the idempotent
-- path (200 with the agent, nothing written).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

function request()
  local body = string.format('{"name":"%s","description":"%s"}', random_name(), seeded_description)
  return wrk.format("POST", "/agents/register-build", nil, body)
end
