-- POST /agents/register-build with a name never used before: <prefix>-<thread>-<counter>.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local counter = 0
function request()
  counter = counter + 1
  local body = string.format('{"name":"%s-%d-%d","description":"bench new agent"}',
    prefix, tid, counter)
  return wrk.format("POST", "/agents/register-build", nil, body)
end
