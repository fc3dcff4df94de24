-- GET /agents/search?q=forecast&limit=50: full-text search over the seeded A2A cards (contract
-- §11); every seeded card matches, so each request ranks and counts all of them in scope.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local req
function prepare()
  req = wrk.format("GET", "/agents/search?q=forecast&limit=50")
end

function request()
  return req
end
