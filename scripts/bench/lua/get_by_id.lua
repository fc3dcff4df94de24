-- GET /agents/{id} with a random seeded id readable by the principal.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

function request()
  return wrk.format("GET", "/agents/" .. random_id())
end
