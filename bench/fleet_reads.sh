#!/usr/bin/env bash
# camfleet fleet-size read benchmark (issue 13, "Cache at fleet size"): one SQLite server seeded
# with BENCH_CAMERAS (100,000) cameras through the API, then GET /cameras/{id} at random over the
# first BENCH_SMALL_FLEET (10,000) of them and at random over all of them, alternating, each run
# after a warm-up of the same pattern. Target: the whole fleet's rate >= 90% of the small fleet's,
# with the server's RSS under 96 MiB. Prints a table (also bench/results/fleet-reads-latest.txt).
#
# Environment: CAMFLEET_BIN (default: a Release build), BENCH_CAMERAS (100000), BENCH_SMALL_FLEET
# (10000), BENCH_DURATION (10 s per run), BENCH_WARMUP (5 s), BENCH_CONNECTIONS (16), BENCH_THREADS
# (2), BENCH_ROUNDS (3), BENCH_SEED_THREADS (16), BENCH_TMPDIR, BENCH_KEEP=1, PYTHON.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
CAMERAS=${BENCH_CAMERAS:-100000}
SMALL=${BENCH_SMALL_FLEET:-10000}
DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-5}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
THREADS=${BENCH_THREADS:-2}
ROUNDS=${BENCH_ROUNDS:-3}
SEED_THREADS=${BENCH_SEED_THREADS:-16}
PYTHON=${PYTHON:-/usr/bin/python3}
RESULTS_DIR="$BENCH_DIR/results"
RATE_TARGET=90 # % of the small fleet's rate
RSS_TARGET_MIB=96

# shellcheck source=bench/lib.sh
. "$BENCH_DIR/lib.sh"
require_positive_integers "$CAMERAS" "$SMALL" "$DURATION" "$WARMUP" "$CONNECTIONS" "$THREADS" "$ROUNDS" "$SEED_THREADS"
(( SMALL <= CAMERAS )) || die "BENCH_SMALL_FLEET must be at most BENCH_CAMERAS"
install_missing

TMP=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/camfleet-reads-bench.XXXXXX")
SERVER_PID=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_bench "$status"
}
trap_cleanup
server_alive() { kill -0 "$SERVER_PID" 2>/dev/null || die "camfleet ($SERVER_PID) is no longer running"; }

build_camfleet
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
DB="sqlite:$TMP/bench.db"
"$BIN" serve --listen "127.0.0.1:$PORT" --database "$DB" >>"$TMP/camfleet.log" 2>&1 &
SERVER_PID=$!
wait_http "$BASE/healthz" "$SERVER_PID" camfleet
setup_operator "$DB"
log "seeding $CAMERAS cameras through the API"
SEED_START=$(date +%s.%N)
BENCH_TOKEN=$TOKEN "$PYTHON" "$BENCH_DIR/seed.py" --url "$BASE" --site "$SITE_ID" --count "$CAMERAS" \
  --threads "$SEED_THREADS" --out "$TMP/cameras.txt" >&2 || die "seeding failed"
SEED_SECONDS=$(awk -v a="$SEED_START" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
head -n "$SMALL" "$TMP/cameras.txt" >"$TMP/small.txt"

cat >"$TMP/random_get.lua" <<'LUA'
-- GET /cameras/{id} for a camera picked at random from BENCH_IDS_FILE.
local ids, headers = {}, nil
function init(args)
  for line in io.lines(os.getenv("BENCH_IDS_FILE")) do
    local id = line:match("^(%S+)")
    if id then ids[#ids + 1] = id end
  end
  headers = { ["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN") }
  math.randomseed(os.time() + (thread_index or 0) * 7919)
end
function request()
  return wrk.format("GET", "/cameras/" .. ids[math.random(#ids)], headers)
end
LUA

# run NAME IDS_FILE: a warm-up, then the measured run; prints parse_wrk's figures.
run() {
  local name=$1 ids=$2 out="$TMP/wrk-$1-$RANDOM.txt"
  BENCH_IDS_FILE=$ids BENCH_TOKEN=$TOKEN wrk -t "$THREADS" -c "$CONNECTIONS" -d "${WARMUP}s" \
    -s "$TMP/random_get.lua" "$BASE" >/dev/null 2>&1 || die "wrk warm-up failed"
  BENCH_IDS_FILE=$ids BENCH_TOKEN=$TOKEN wrk --latency -t "$THREADS" -c "$CONNECTIONS" -d "${DURATION}s" \
    --timeout 5s -s "$TMP/random_get.lua" "$BASE" >"$out" 2>&1 || { cat "$out" >&2; die "wrk failed"; }
  server_alive
  parse_wrk "$out"
}

ROWS="" SMALL_RATES=() FULL_RATES=()
for (( round = 1; round <= ROUNDS; round++ )); do
  log "round $round/$ROUNDS"
  read -r s_rps s_p50 s_p99 s_non s_err <<<"$(run small "$TMP/small.txt")"
  read -r f_rps f_p50 f_p99 f_non f_err <<<"$(run full "$TMP/cameras.txt")"
  SMALL_RATES+=("$s_rps") FULL_RATES+=("$f_rps")
  ROWS+=$(printf '%-6s %-22s %10.0f %8.2fms %8.2fms %7s %7s' "$round" "random over $SMALL" "$s_rps" "$s_p50" \
    "$s_p99" "$s_non" "$s_err")$'\n'
  ROWS+=$(printf '%-6s %-22s %10.0f %8.2fms %8.2fms %7s %7s' "$round" "random over $CAMERAS" "$f_rps" "$f_p50" \
    "$f_p99" "$f_non" "$f_err")$'\n'
done
RSS_KIB=$(process_rss_kib "$SERVER_PID")
CACHE_LINE=$(curl -s -H "Authorization: Bearer $TOKEN" "$BASE/metrics" | grep -E '^camfleet_camera_cache_(rows|bytes) ' \
  | tr '\n' ' ' || true)
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
SMALL_MEDIAN=$(median "${SMALL_RATES[@]}")
FULL_MEDIAN=$(median "${FULL_RATES[@]}")
PERCENT=$(awk -v f="$FULL_MEDIAN" -v s="$SMALL_MEDIAN" 'BEGIN { printf "%.0f", 100 * f / s }')
RATE_VERDICT=$(awk -v p="$PERCENT" -v t="$RATE_TARGET" 'BEGIN { print (p >= t ? "PASS" : "FAIL") }')
RSS_VERDICT=$(awk -v k="$RSS_KIB" -v t="$RSS_TARGET_MIB" 'BEGIN { print (k / 1024 < t ? "PASS" : "FAIL") }')

mkdir -p "$RESULTS_DIR"
{
  printf 'camfleet fleet-size read benchmark  %s  %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  printf '%s cameras on SQLite (seeded through the API in %s s); GET /cameras/{id} at random, %s connections, %s threads, %s s per run after %s s of warm-up, %s cores\n\n' \
    "$CAMERAS" "$SEED_SECONDS" "$CONNECTIONS" "$THREADS" "$DURATION" "$WARMUP" "$(nproc)"
  printf '%-6s %-22s %10s %10s %10s %7s %7s\n' round reads 'req/s' p50 p99 non-2xx errors
  printf '%s' "$ROWS"
  printf '\nserver RSS after the runs: %s; %s\n' "$(format_mib "$RSS_KIB")" "${CACHE_LINE:-(no cache metrics)}"
  printf 'target  random reads over %s >= %s%% of the rate over %s (medians)   %s%%   %s\n' "$CAMERAS" "$RATE_TARGET" \
    "$SMALL" "$PERCENT" "$RATE_VERDICT"
  printf 'target  server RSS < %s MiB                                          %s   %s\n' "$RSS_TARGET_MIB" \
    "$(format_mib "$RSS_KIB")" "$RSS_VERDICT"
} | tee "$RESULTS_DIR/fleet-reads-latest.txt"
