#!/usr/bin/env bash
# camfleet list benchmark (issue 13, "Lists"): GET /cameras?siteId= over a site of BENCH_SITE_SIZE
# (500) cameras with metrics, this binary against a baseline binary (dd7e15b by default, built
# from that commit), measured in the same run, alternating. Each binary gets its own SQLite
# database seeded the same way through the API (register, claim), then metrics and lastSeenAt
# are written into every row (the server stopped meanwhile), so that each answer carries the
# whole camera with its four metrics. Prints a table (also bench/results/fleet-list-latest.txt).
#
# Environment: CAMFLEET_BIN (this binary; default: a Release build), BENCH_BASELINE_BIN (the
# baseline binary; default: dd7e15b built in the temp dir), BENCH_BASELINE_REF (dd7e15b),
# BENCH_SITE_SIZE (500), BENCH_DURATION (10 s per wrk run), BENCH_CONNECTIONS (16), BENCH_THREADS
# (2), BENCH_ROUNDS (3), BENCH_GZIP=1 (also a run with Accept-Encoding: gzip on this binary),
# BENCH_TMPDIR, BENCH_KEEP=1, PYTHON.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
SITE_SIZE=${BENCH_SITE_SIZE:-500}
DURATION=${BENCH_DURATION:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
THREADS=${BENCH_THREADS:-2}
ROUNDS=${BENCH_ROUNDS:-3}
BASELINE_REF=${BENCH_BASELINE_REF:-dd7e15b}
GZIP_RUN=${BENCH_GZIP:-1}
PYTHON=${PYTHON:-/usr/bin/python3}
RESULTS_DIR="$BENCH_DIR/results"
RATIO_TARGET=1.6

# shellcheck source=bench/lib.sh
. "$BENCH_DIR/lib.sh"
require_positive_integers "$SITE_SIZE" "$DURATION" "$CONNECTIONS" "$THREADS" "$ROUNDS"
install_missing

TMP=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/camfleet-list-bench.XXXXXX")
SERVER_PID=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [[ -d $TMP/baseline-src ]]; then
    git -C "$ROOT" worktree remove --force "$TMP/baseline-src" 2>/dev/null || true
  fi
  stop_bench "$status"
}
trap_cleanup
server_alive() { kill -0 "$SERVER_PID" 2>/dev/null || die "camfleet ($SERVER_PID) is no longer running"; }

build_camfleet
CURRENT_BIN=$BIN
if [[ -n ${BENCH_BASELINE_BIN:-} ]]; then
  BASELINE_BIN=$BENCH_BASELINE_BIN
else
  log "building the baseline $BASELINE_REF (Release) in $TMP/baseline-src"
  git -C "$ROOT" worktree add --detach "$TMP/baseline-src" "$BASELINE_REF" >/dev/null 2>&1 \
    || die "cannot check out $BASELINE_REF"
  if ! { cmake -S "$TMP/baseline-src" -B "$TMP/baseline-build" -DCMAKE_BUILD_TYPE=Release \
         && cmake --build "$TMP/baseline-build" -j2 --target camfleet; } >"$TMP/baseline-build.log" 2>&1; then
    tail -n 30 "$TMP/baseline-build.log" >&2
    die "the baseline build failed (log above)"
  fi
  BASELINE_BIN=$TMP/baseline-build/camfleet
fi
[[ -x $BASELINE_BIN ]] || die "no baseline binary at $BASELINE_BIN"

# start_server BIN DB: camfleet on a free port (sets SERVER_PID, BASE).
start_server() {
  local bin=$1 db=$2 port
  port=$(free_port)
  BASE="http://127.0.0.1:$port"
  "$bin" serve --listen "127.0.0.1:$port" --database "sqlite:$db" >>"$TMP/camfleet.log" 2>&1 &
  SERVER_PID=$!
  wait_http "$BASE/healthz" "$SERVER_PID" camfleet
}
stop_server() { stop_process "$SERVER_PID" camfleet; SERVER_PID=""; }

# seed NAME BIN: a database of SITE_SIZE cameras at one site, with metrics; sets SITE_<NAME>.
seed() {
  local name=$1 bin=$2 db="$TMP/$1.db"
  BIN=$bin
  start_server "$bin" "$db"
  setup_operator "sqlite:$db"
  BENCH_TOKEN=$TOKEN "$PYTHON" "$BENCH_DIR/seed.py" --url "$BASE" --site "$SITE_ID" \
    --count "$SITE_SIZE" --threads 8 --out "$TMP/$name-cameras.txt" >&2 || die "seeding $name failed"
  stop_server
  "$PYTHON" - "$db" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
now = int(time.time())
# metrics as a camera reports them (few digits) and a recent heartbeat: every row is online
db.execute("UPDATE cameras SET encoded_frames_proportion = 0.9702, network_transmit_rate = 250000.5,"
           " video_backlog = 1.336, video_upload_latency = 0.42, last_seen_at = ?, name = 'Entrance ' || substr(id, 1, 8)",
           (now + 3600,))
db.commit()
PY
  printf -v "SITE_$name" '%s' "$SITE_ID"
  printf -v "TOKEN_$name" '%s' "$TOKEN"
}
log "seeding $SITE_SIZE cameras for each binary"
seed current "$CURRENT_BIN"
seed baseline "$BASELINE_BIN"

cat >"$TMP/list.lua" <<'LUA'
local path = os.getenv("LIST_PATH")
local headers = { ["Authorization"] = "Bearer " .. os.getenv("LIST_TOKEN") }
local encoding = os.getenv("LIST_ENCODING")
if encoding ~= nil and encoding ~= "" then headers["Accept-Encoding"] = encoding end
function request() return wrk.format("GET", path, headers) end
LUA

# measure NAME BIN [ENCODING]: one wrk run against a server of that binary on its database;
# prints "requests/s p50 p99 non2xx errors bytes_per_answer".
measure() {
  local name=$1 bin=$2 encoding=${3:-} site token out bytes
  site=SITE_$name token=TOKEN_$name
  start_server "$bin" "$TMP/$name.db"
  # the token of the seeding server still verifies: same database, same signing keys
  bytes=$(curl -sS -o /dev/null -w '%{size_download}' ${encoding:+-H "Accept-Encoding: $encoding"} \
    -H "Authorization: Bearer ${!token}" "$BASE/cameras?siteId=${!site}")
  out="$TMP/wrk-$name-${encoding:-plain}-$RANDOM.txt"
  LIST_PATH="/cameras?siteId=${!site}" LIST_TOKEN=${!token} LIST_ENCODING=$encoding \
    wrk --latency -t "$THREADS" -c "$CONNECTIONS" -d "${DURATION}s" --timeout 5s -s "$TMP/list.lua" "$BASE" \
    >"$out" 2>&1 || { cat "$out" >&2; die "wrk failed"; }
  stop_server
  printf '%s %s\n' "$(parse_wrk "$out")" "$bytes"
}

declare -a CURRENT_RPS=() BASELINE_RPS=() RATIOS=()
ROWS=""
for (( round = 1; round <= ROUNDS; round++ )); do
  log "round $round/$ROUNDS"
  read -r b_rps b_p50 b_p99 b_non b_err b_bytes <<<"$(measure baseline "$BASELINE_BIN")"
  read -r c_rps c_p50 c_p99 c_non c_err c_bytes <<<"$(measure current "$CURRENT_BIN")"
  ratio=$(awk -v a="$c_rps" -v b="$b_rps" 'BEGIN { printf "%.2f", a / b }')
  BASELINE_RPS+=("$b_rps") CURRENT_RPS+=("$c_rps") RATIOS+=("$ratio")
  ROWS+=$(printf '%-6s %-10s %10.0f %8.2fms %8.2fms %9s %7s %8s\n' "$round" baseline "$b_rps" "$b_p50" "$b_p99" \
    "$b_bytes" "$b_non" "$b_err")$'\n'
  ROWS+=$(printf '%-6s %-10s %10.0f %8.2fms %8.2fms %9s %7s %8s   %sx\n' "$round" current "$c_rps" "$c_p50" \
    "$c_p99" "$c_bytes" "$c_non" "$c_err" "$ratio")$'\n'
done
GZIP_ROW=""
if [[ $GZIP_RUN == 1 ]]; then
  read -r g_rps g_p50 g_p99 g_non g_err g_bytes <<<"$(measure current "$CURRENT_BIN" gzip)"
  GZIP_ROW=$(printf '%-6s %-10s %10.0f %8.2fms %8.2fms %9s %7s %8s\n' gzip current "$g_rps" "$g_p50" "$g_p99" \
    "$g_bytes" "$g_non" "$g_err")
fi
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
MEDIAN_RATIO=$(median "${RATIOS[@]}")
VERDICT=$(awk -v r="$MEDIAN_RATIO" -v t="$RATIO_TARGET" 'BEGIN { print (r >= t ? "PASS" : "FAIL") }')
CURRENT_REV=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)

mkdir -p "$RESULTS_DIR"
{
  printf 'camfleet list benchmark  %s  %s against %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$CURRENT_REV" "$BASELINE_REF"
  printf 'GET /cameras?siteId= (all %s cameras of the site, with metrics), SQLite, %s connections, %s threads, %s s per run, %s cores\n\n' \
    "$SITE_SIZE" "$CONNECTIONS" "$THREADS" "$DURATION" "$(nproc)"
  printf '%-6s %-10s %10s %10s %10s %9s %7s %8s\n' round binary 'req/s' p50 p99 bytes non-2xx errors
  printf '%s' "$ROWS"
  [[ -n $GZIP_ROW ]] && printf '%s   (Accept-Encoding: gzip)\n' "$GZIP_ROW"
  printf '\ntarget  list rate >= %sx the baseline (median of %s rounds)   %sx   %s\n' "$RATIO_TARGET" "$ROUNDS" \
    "$MEDIAN_RATIO" "$VERDICT"
} | tee "$RESULTS_DIR/fleet-list-latest.txt"
