-- wrk: POST a 200-byte JSON message body to one thread per connection (THREADS env: space-separated keys).
local threads = {}
for t in string.gmatch(os.getenv("PRG_THREADS") or "", "%S+") do threads[#threads + 1] = t end
local key = os.getenv("PRG_KEY")
local body = '{"body":{"text":"' .. string.rep("x", 200 - 20) .. '"}}'
local counter = 0
request = function()
  counter = counter + 1
  local thread = threads[(counter % #threads) + 1]
  return wrk.format("POST", "/v1/threads/" .. thread .. "/messages",
    { ["Authorization"] = "Bearer " .. key, ["X-User-ID"] = "bench", ["Content-Type"] = "application/json" }, body)
end
response = function(status, headers, body)
  if status ~= 201 then error("unexpected status " .. status .. ": " .. body) end
end
