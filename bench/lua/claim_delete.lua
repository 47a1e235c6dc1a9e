-- POST /cameras (claim by serial) and DELETE /cameras/{id} (decommission), alternating, over a
-- pool of seeded cameras that start out running. Each thread owns a disjoint slice of the pool.
-- The deletes run LAG cameras ahead of the claims (bench/run.sh sets LAG to half a slice), so a
-- camera's delete and its next claim are LAG requests apart and never in flight together unless
-- the server lets a request be overtaken by that many others. The first LAG requests are deletes.
-- Sequence for a slice c[1..n]: delete c[1..LAG], then claim c[1], delete c[LAG+1], claim c[2],
-- delete c[LAG+2], ... wrapping around the slice: a decommissioned camera can be claimed again.
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local common = require("common")

local ids, serials, headers, post_headers, site
local lag, step = 0, 0
-- wrk calls request() once on thread 0's script before the run to check what it returns, and
-- never sends that request: it must not advance the sequence.
local verify_call_pending

setup = common.setup

function init(args)
  local all_ids, all_serials = common.read_cameras(common.env("BENCH_POOL_FILE"))
  local threads = tonumber(common.env("BENCH_THREADS"))
  local per_thread = math.floor(#all_ids / threads)
  local first = (thread_index or 0) * per_thread
  ids, serials = {}, {}
  for i = 1, per_thread do
    ids[i] = all_ids[first + i]
    serials[i] = all_serials[first + i]
  end
  lag = tonumber(common.env("BENCH_LAG"))
  if per_thread < 2 * lag then
    error("pool slice of " .. per_thread .. " cameras is smaller than 2 * lag " .. lag)
  end
  site = common.env("BENCH_SITE")
  headers = common.auth_headers()
  post_headers = common.auth_headers()
  post_headers["Content-Type"] = "application/json"
  verify_call_pending = (thread_index or 0) == 0
end

local function delete(k)
  return wrk.format("DELETE", "/cameras/" .. ids[k % #ids + 1], headers)
end

local function claim(k)
  local body = '{"serialNumber":"' .. serials[k % #ids + 1] .. '","siteId":"' .. site .. '"}'
  return wrk.format("POST", "/cameras", post_headers, body)
end

function request()
  if verify_call_pending then
    verify_call_pending = false
    return delete(0)
  end
  local n = step
  step = step + 1
  if n < lag then
    return delete(n)
  end
  local m = n - lag
  if m % 2 == 0 then
    return claim(m / 2)
  end
  return delete(lag + (m - 1) / 2)
end
