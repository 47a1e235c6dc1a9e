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

local pace = tonumber(os.getenv("BENCH_HEARTBEAT_PACE") or "") or 0
if pace > 0 then
  local ffi = require("ffi")
  ffi.cdef [[
    typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
    int clock_gettime(int clock, bench_timespec *out);
  ]]
  local CLOCK_MONOTONIC = 1
  local now = ffi.new("bench_timespec")
  local function now_ms()
    ffi.C.clock_gettime(CLOCK_MONOTONIC, now)
    return tonumber(now.tv_sec) * 1000 + tonumber(now.tv_nsec) / 1e6
  end
  local interval = 1000 * tonumber(common.env("BENCH_THREADS")) / pace  -- ms, per thread
  local next_slot

  -- wrk calls delay() before each request of every connection and sends it that many ms later.
  function delay()
    local t = now_ms()
    -- Behind schedule (a slow server, a stall) by at most 250 ms: no burst to catch up after.
    if next_slot == nil or next_slot < t - 250 then
      next_slot = t
    end
    local wait = next_slot - t
    next_slot = next_slot + interval
    return wait > 0 and wait or 0
  end
end
