-- GET /api/v1/submissions with two filters (a priority and a kind), rotating
-- over every priority and kind and the members' tokens: a page of 20.
dofile(os.getenv("BENCH_DIR") .. "/tokens.lua")
local priorities = { "optimising_ot", "value_and_impact", "retention_and_career", "workforce_planning" }
local kinds = { "case_study", "improvement_journey" }
local n = math.random(8)

request = function()
  n = n % 8 + 1
  local path = "/api/v1/submissions?priority=" .. priorities[(n - 1) % 4 + 1] ..
      "&kind=" .. kinds[(n - 1) % 2 + 1] .. "&limit=20"
  return wrk.format("GET", path, { ["Authorization"] = next_authorization() })
end
