-- GET /agents/name/{name} with a random seeded name readable by the principal.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

function request()
  return wrk.format("GET", "/agents/name/" .. random_name())
end
