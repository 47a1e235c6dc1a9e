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

return common
