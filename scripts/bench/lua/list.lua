-- GET /agents?limit=50: the first page of what the principal may read.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local req
function prepare()
  req = wrk.format("GET", "/agents?limit=50")
end

function request()
  return req
end
