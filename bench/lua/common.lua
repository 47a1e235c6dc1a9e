-- Shared helpers for the camfleet wrk scripts: the token and the seeded cameras come from the
-- environment that bench/run.sh sets (BENCH_TOKEN, BENCH_CAMERAS_FILE with "<id> <serial>" lines).
local common = {}

function common.env(name)
  local value = os.getenv(name)
  if value == nil or value == "" then
    error(name .. " is not set")
  end
  return value
end

-- Reads "<cameraId> <serialNumber>" lines; returns two arrays (ids, serials).
function common.read_cameras(path)
  local ids, serials = {}, {}
  local file = assert(io.open(path, "r"))
  for line in file:lines() do
    local id, serial = line:match("^(%S+)%s+(%S+)")
    if id then
      ids[#ids + 1] = id
      serials[#serials + 1] = serial
    end
  end
  file:close()
  if #ids == 0 then
    error("no cameras in " .. path)
  end
  return ids, serials
end

function common.auth_headers()
  return { ["Authorization"] = "Bearer " .. common.env("BENCH_TOKEN") }
end

-- Numbers the threads so each starts at a different place (thread:set is visible as a global).
local next_thread_index = 0
function common.setup(thread)
  thread:set("thread_index", next_thread_index)
  next_thread_index = next_thread_index + 1
end

-- A delay() for wrk that paces each thread to its share of `pace` requests/s (all threads
-- together; BENCH_THREADS threads): request n of a thread is not sent before start + n / share.
-- A server slower than that gets requests as fast as it answers them. nil when pace is 0 or less.
function common.paced_delay(pace)
  if pace <= 0 then
    return nil
  end
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
  return function()
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

return common
