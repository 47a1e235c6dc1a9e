-- GET /cameras/{id}: one camera by id, rotating over every seeded camera, with a bearer token
-- (so each request pays for token verification, the lookup and the JSON encoding).
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local common = require("common")

local ids, headers, position

setup = common.setup

function init(args)
  ids = common.read_cameras(common.env("BENCH_CAMERAS_FILE"))
  headers = common.auth_headers()
  -- Threads start half a list apart so they do not walk the same ids in step.
  position = math.floor((thread_index or 0) * #ids / 2) % #ids
end

function request()
  position = position % #ids + 1
  return wrk.format("GET", "/cameras/" .. ids[position], headers)
end

-- BENCH_GET_PACE (requests/s over all threads; unset or 0: as fast as the server answers) makes
-- the GETs a steady load instead of a saturating one.
delay = common.paced_delay(tonumber(os.getenv("BENCH_GET_PACE") or "") or 0)
