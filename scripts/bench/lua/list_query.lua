-- GET $BENCH_PATH: one fixed request (the large row set's pages, filters and orders; the feed page; the search).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local req
function prepare()
  req = wrk.format("GET", os.getenv("BENCH_PATH"))
end

function request()
  return req
end
