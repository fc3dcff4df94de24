-- GET /events?limit=50: the first page of the change feed the principal may read (contract §10).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local req
function prepare()
  req = wrk.format("GET", "/events?limit=50")
end

function request()
  return req
end
