-- GET /cameras?siteId=<site>&limit=100[&after=<id>]: one page of a site's cameras, walking every
-- page of the 10,000 in turn (the cursor is the last id of the previous page, ids sorted).
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local common = require("common")

local paths, headers, position
local PAGE = 100

setup = common.setup

function init(args)
  local ids = common.read_cameras(common.env("BENCH_CAMERAS_FILE"))
  local site = common.env("BENCH_SITE")
  table.sort(ids)
  local base = "/cameras?siteId=" .. site .. "&limit=" .. PAGE
  paths = { base }
  for i = PAGE, #ids - 1, PAGE do
    paths[#paths + 1] = base .. "&after=" .. ids[i]
  end
  headers = common.auth_headers()
  position = ((thread_index or 0) * math.floor(#paths / 2)) % #paths
end

function request()
  position = position % #paths + 1
  return wrk.format("GET", paths[position], headers)
end
