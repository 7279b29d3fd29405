-- wrk: GET a page of 50 messages from one thread (PRG_THREADS env: space-separated keys).
local threads = {}
for t in string.gmatch(os.getenv("PRG_THREADS") or "", "%S+") do threads[#threads + 1] = t end
local key = os.getenv("PRG_KEY")
local counter = 0
request = function()
  counter = counter + 1
  local thread = threads[(counter % #threads) + 1]
  return wrk.format("GET", "/v1/threads/" .. thread .. "/messages?limit=50",
    { ["Authorization"] = "Bearer " .. key, ["X-User-ID"] = "bench" })
end
response = function(status, headers, body)
  if status ~= 200 then error("unexpected status " .. status) end
end
