-- GET /api/v1/submissions/{id}, rotating over the published ids in $IDS_FILE
-- and the members' tokens in $TOKENS_FILE.
dofile(os.getenv("BENCH_DIR") .. "/tokens.lua")
local ids = {}
for line in io.lines(os.getenv("IDS_FILE")) do
  if line ~= "" then ids[#ids + 1] = line end
end
local n = math.random(#ids)

request = function()
  n = n % #ids + 1
  return wrk.format("GET", "/api/v1/submissions/" .. ids[n], { ["Authorization"] = next_authorization() })
end
