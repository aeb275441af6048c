-- POST /api/v1/auth/login with the body in $BODY_FILE.
local file = assert(io.open(os.getenv("BODY_FILE")))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"
