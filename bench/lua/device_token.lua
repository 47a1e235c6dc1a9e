-- POST /oauth/token (client_credentials) for the whole simulated fleet: each request is one
-- camera asking for a device token with its existing device credentials, as after an outage or a
-- server restart, rotating over every camera of BENCH_CREDENTIALS_FILE ("<cameraId> <clientSecret>"
-- lines, written by bench/fleet_tokens_setup.py). HTTP Basic by default; BENCH_TOKEN_FORM=1 sends
-- client_id and client_secret in the form instead. The requests are formatted once in init(), so
-- wrk spends its time on the wire and not in Lua.
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local common = require("common")

local requests, position

setup = common.setup

local function base64(text)
  local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
  local out = {}
  for i = 1, #text, 3 do
    local a, b, c = text:byte(i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local chars = 4 - (3 - (#text - i + 1 >= 3 and 3 or #text - i + 1))
    for k = 1, 4 do
      if k <= chars then
        local index = math.floor(n / 64 ^ (4 - k)) % 64
        out[#out + 1] = alphabet:sub(index + 1, index + 1)
      else
        out[#out + 1] = "="
      end
    end
  end
  return table.concat(out)
end

function init(args)
  local ids, secrets = common.read_cameras(common.env("BENCH_CREDENTIALS_FILE"))
  local form = os.getenv("BENCH_TOKEN_FORM") == "1"
  requests = {}
  for i = 1, #ids do
    local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
    local body = "grant_type=client_credentials"
    if form then
      body = body .. "&client_id=" .. ids[i] .. "&client_secret=" .. secrets[i]
    else
      headers["Authorization"] = "Basic " .. base64(ids[i] .. ":" .. secrets[i])
    end
    requests[i] = wrk.format("POST", "/oauth/token", headers, body)
  end
  -- Threads start half a fleet apart so they do not send the same cameras in step.
  position = math.floor((thread_index or 0) * #requests / 2) % #requests
end

function request()
  position = position % #requests + 1
  return requests[position]
end
