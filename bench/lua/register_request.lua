-- POST /register-camera-requests with a new camera each time: a random version-4 UUID (each wrk
-- thread seeds its own generator from the time and its index) and a serial number made of the run's
-- tag, the thread and a counter, so that every request registers a camera of its own
-- (bench/fleet_registration.sh counts how many ended succeeded).
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local common = require("common")

local headers, counter
local tag = os.getenv("BENCH_EVENT_TAG") or tostring(os.time())

setup = common.setup

function init(args)
  headers = common.auth_headers()
  headers["Content-Type"] = "application/json"
  counter = 0
  math.randomseed(os.time() * 1000 + (thread_index or 0) * 7919)
end

local function hex(digits)
  local out = {}
  for i = 1, digits do
    out[i] = string.format("%x", math.random(0, 15))
  end
  return table.concat(out)
end

function request()
  counter = counter + 1
  local id = hex(8) .. "-" .. hex(4) .. "-4" .. hex(3) .. "-" .. string.format("%x", math.random(8, 11)) ..
             hex(3) .. "-" .. hex(12)
  local body = string.format('{"cameraId":"%s","serialNumber":"R-%s-%d-%d"}', id, tag, thread_index or 0, counter)
  return wrk.format("POST", "/register-camera-requests", headers, body)
end
