-- PATCH /cameras/{id} with a new name each time, rotating over every seeded camera: each request
-- changes the camera, so each writes one camera.updated event (bench/webhooks.sh turns them into
-- webhook deliveries). Paced to BENCH_EVENT_PACE requests/s (all wrk threads together; 0 or
-- unset: as fast as the connections go). BENCH_EVENT_TAG (default: the time) goes into every name,
-- so that a second run does not give a camera the name it already has.
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local common = require("common")

local ids, headers, position, counter
local tag = os.getenv("BENCH_EVENT_TAG") or tostring(os.time())

setup = common.setup

function init(args)
  ids = common.read_cameras(common.env("BENCH_CAMERAS_FILE"))
  headers = common.auth_headers()
  headers["Content-Type"] = "application/json"
  position = math.floor((thread_index or 0) * #ids / 2) % #ids
  counter = 0
end

function request()
  position = position % #ids + 1
  counter = counter + 1
  -- Tag, thread and counter make every name new: a PATCH that changes nothing writes no event.
  local body = string.format('{"name":"Bench %s-%d-%d"}', tag, thread_index or 0, counter)
  return wrk.format("PATCH", "/cameras/" .. ids[position], headers, body)
end

delay = common.paced_delay(tonumber(os.getenv("BENCH_EVENT_PACE") or "") or 0)
