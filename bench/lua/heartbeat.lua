-- POST /device/heartbeat from the whole simulated fleet: each request is one camera's heartbeat,
-- sent with that camera's own device token and a JSON body with the four metrics, rotating over
-- every camera of BENCH_DEVICES_FILE ("<cameraId> <deviceToken>" lines, written by
-- bench/device_setup.py). The requests are formatted once in init(), so wrk spends its time on
-- the wire and not in Lua.
--
-- As fast as the connections go, unless BENCH_HEARTBEAT_PACE (heartbeats/s, all wrk threads
-- together; bench/device.sh sets it for the heartbeats that run beside GET /cameras/{id} when
-- BENCH_HEARTBEAT_RATE is given) paces each thread to its share: request n of a thread is not sent
-- before start + n / share. A server slower than that gets requests as fast as it answers them.
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local common = require("common")

local requests, position

setup = common.setup

-- Plausible metrics that differ from camera to camera (deterministic: camera i, 1-based).
local function metrics(i)
  return string.format(
    '{"encodedFramesProportion":%.3f,"networkTransmitRate":%d,"videoBacklog":%d,"videoUploadLatency":%.2f}',
    0.9 + (i % 101) / 1000, 1500000 + (i * 7919) % 1000000, i % 13, 0.2 + (i % 37) / 10)
end

function init(args)
  local ids, tokens = common.read_cameras(common.env("BENCH_DEVICES_FILE"))
  requests = {}
  for i = 1, #ids do
    requests[i] = wrk.format("POST", "/device/heartbeat", {
      ["Authorization"] = "Bearer " .. tokens[i],
      ["Content-Type"] = "application/json",
    }, metrics(i))
  end
  -- Threads start half a fleet apart so they do not send the same cameras in step.
  position = math.floor((thread_index or 0) * #requests / 2) % #requests
end

function request()
  position = position % #requests + 1
  return requests[position]
end

delay = common.paced_delay(tonumber(os.getenv("BENCH_HEARTBEAT_PACE") or "") or 0)
