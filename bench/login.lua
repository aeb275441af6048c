-- POST /api/v1/auth/login with the body in $BODY_FILE.
local file = assert(io.open(os.getenv("BODY_FILE")))
local body = file:read("*a")
file:close()

request = function()
  return wrk.format("POST", "/api/v1/auth/login", { ["Content-Type"] = "application/json" }, body)
end
