-- GET /api/v1/submissions/{id}, rotating over the ids in $IDS_FILE, as $TOKEN.
local ids = {}
for line in io.lines(os.getenv("IDS_FILE")) do
  if line ~= "" then ids[#ids + 1] = line end
end
local headers = { ["Authorization"] = "Bearer " .. os.getenv("TOKEN") }
local n = math.random(#ids)

request = function()
  n = n % #ids + 1
  return wrk.format("GET", "/api/v1/submissions/" .. ids[n], headers)
end
