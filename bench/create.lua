-- POST /api/v1/submissions with the body in $BODY_FILE, as $TOKEN.
local file = assert(io.open(os.getenv("BODY_FILE")))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
