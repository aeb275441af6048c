-- POST /api/v1/submissions with the body in $BODY_FILE, rotating over the members' tokens.
dofile(os.getenv("BENCH_DIR") .. "/tokens.lua")
local file = assert(io.open(os.getenv("BODY_FILE")))
local body = file:read("*a")
file:close()

request = function()
  return wrk.format("POST", "/api/v1/submissions",
    { ["Content-Type"] = "application/json", ["Authorization"] = next_authorization() }, body)
end
