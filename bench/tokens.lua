-- Session tokens from $TOKENS_FILE, one a line; each request takes the next.
local tokens = {}
for line in io.lines(os.getenv("TOKENS_FILE")) do
  if line ~= "" then tokens[#tokens + 1] = "Bearer " .. line end
end
local t = math.random(#tokens)

function next_authorization()
  t = t % #tokens + 1
  return tokens[t]
end
