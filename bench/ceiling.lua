-- GET /ping/{id} on the bare actix-web server, rotating the id like get.lua.
local n = 0
request = function()
  n = n % 1000 + 1
  return wrk.format("GET", "/ping/" .. n)
end
