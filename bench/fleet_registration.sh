#!/usr/bin/env bash
# camfleet registration at fleet scale (issue 13): builds camfleet (Release), starts it on a new
# SQLite database and measures, on 127.0.0.1:
#   batches  BENCH_BATCH_CAMERAS (100,000) cameras through POST /register-camera-batches (1,000 a
#            batch, BENCH_BATCHES_IN_FLIGHT posted at once): seconds from the first POST until every
#            batch is final (target: all succeeded within 60 s);
#   single   POST /register-camera-requests, one new camera each, from wrk for BENCH_DURATION
#            seconds over BENCH_CONNECTIONS connections; end to end: the 202s wrk got, divided by the
#            seconds from wrk's start until the queue is empty (camfleet_async_queue_depth 0)
#            (target: at least 2,000/s), all of them succeeded.
# Then checks in the database that every request and batch item succeeded. Prints a table (also
# written to bench/results/fleet-registration-latest.txt); exits 1 when a target is missed. The lead
# calls it from bench/fleet.sh. See bench/README.md.
#
# Environment: CAMFLEET_BIN (skip the build), BENCH_BATCH_CAMERAS (100000), BENCH_BATCHES_IN_FLIGHT
# (4), BENCH_DURATION (10), BENCH_CONNECTIONS (32), BENCH_THREADS (2, wrk's), BENCH_TMPDIR,
# BENCH_KEEP=1, BENCH_SERVER_ARGS (extra `camfleet serve` options), PYTHON (/usr/bin/python3).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
BATCH_CAMERAS=${BENCH_BATCH_CAMERAS:-100000}
IN_FLIGHT=${BENCH_BATCHES_IN_FLIGHT:-4}
DURATION=${BENCH_DURATION:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
THREADS=${BENCH_THREADS:-2}
PYTHON=${PYTHON:-/usr/bin/python3}
RESULTS_DIR="$BENCH_DIR/results"
BATCH_TARGET_SECONDS=60
SINGLE_TARGET_RATE=2000

# shellcheck source=bench/lib.sh
. "$BENCH_DIR/lib.sh"
require_positive_integers "$BATCH_CAMERAS" "$IN_FLIGHT" "$DURATION" "$CONNECTIONS" "$THREADS"
read -r -a SERVER_ARGS <<<"${BENCH_SERVER_ARGS:-}"
# shellcheck disable=SC2119  # no extras needed
install_missing

TMP=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/camfleet-registration-bench.XXXXXX")
SERVER_PID=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_bench "$status"
}
trap_cleanup

server_alive() { kill -0 "$SERVER_PID" 2>/dev/null || die "camfleet ($SERVER_PID) is no longer running"; }
queue_depth() {
  curl -sS -H "Authorization: Bearer $TOKEN" "$BASE/metrics" | awk '$1 == "camfleet_async_queue_depth" { print $2 }'
}

build_camfleet
DB_FILE="$TMP/camfleet.db"
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
"$BIN" serve --listen "127.0.0.1:$PORT" --database "sqlite:$DB_FILE" "${SERVER_ARGS[@]}" \
  >>"$TMP/camfleet.out" 2>>"$TMP/camfleet.log" &
SERVER_PID=$!
wait_http "$BASE/healthz" "$SERVER_PID" camfleet
setup_operator "sqlite:$DB_FILE"

# --- batches -----------------------------------------------------------------------------------
log "batches: $BATCH_CAMERAS cameras, 1,000 a batch, $IN_FLIGHT in flight"
read -r _ BATCHES BATCH_SECONDS BATCH_SUCCEEDED BATCH_FAILED <<<"$(
  "$PYTHON" "$BENCH_DIR/fleet_registration_batches.py" --url "$BASE" --token "$TOKEN" \
    --cameras "$BATCH_CAMERAS" --in-flight "$IN_FLIGHT")"
server_alive

# --- single requests -----------------------------------------------------------------------------
log "single requests: wrk, $CONNECTIONS connections, $DURATION s"
export BENCH_LUA_DIR="$BENCH_DIR/lua" BENCH_TOKEN="$TOKEN" BENCH_THREADS="$THREADS"
started=$(now)
BENCH_EVENT_TAG="$(date +%s)" start_wrk "$TMP/wrk-register.txt" register_request.lua "$CONNECTIONS" "$DURATION"
finish_wrk "$LAST_WRK_PID" "$TMP/wrk-register.txt" "register requests"
read -r POST_RATE POST_P50 POST_P99 NON2XX SOCKET_ERRORS <<<"$WRK_RESULT"
(( NON2XX == 0 && SOCKET_ERRORS == 0 )) || die "wrk: $NON2XX non-2xx answers, $SOCKET_ERRORS socket errors"
SINGLE_COUNT=$(wrk_completed "$TMP/wrk-register.txt")
posted=$(now)
# Requests wrk sent just before it stopped may still be in flight: the queue counts as drained at
# the first moment it was empty and stayed empty for the next half second.
drained=""
for (( i = 0; i < 1200; i++ )); do
  checked=$(now)
  if [[ $(queue_depth) == 0 ]]; then
    [[ -n $drained ]] || drained=$checked
    awk -v a="$drained" -v b="$checked" 'BEGIN { exit !(b - a >= 0.5) }' && break
  else
    drained=""
  fi
  server_alive
  sleep 0.05
done
[[ -n $drained && $(queue_depth) == 0 ]] || die "the queue did not empty within 60 s of the last POST"
SINGLE_SECONDS=$(awk -v a="$started" -v b="$drained" 'BEGIN { printf "%.2f", b - a }')
DRAIN_SECONDS=$(awk -v a="$posted" -v b="$drained" 'BEGIN { printf "%.2f", b - a }')

# --- what the database says ----------------------------------------------------------------------
# wrk counts the answers it got; a request it sent just before its end may be stored unanswered, so
# the single requests counted are those stored (at least the 202s)
read -r BATCH_STORED SINGLE_STORED NOT_SUCCEEDED <<<"$("$PYTHON" - "$DB_FILE" <<'PY'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True, timeout=30)
print(*db.execute("SELECT count(batch_id), count(*) - count(batch_id),"
                  " count(*) FILTER (WHERE status <> 'succeeded') FROM async_requests").fetchone())
PY
)"

SINGLE_RATE=$(awk -v n="$SINGLE_STORED" -v s="$SINGLE_SECONDS" 'BEGIN { printf "%.0f", n / s }')
verdict() {  # verdict OK: "met" or "MISSED"
  if [[ $1 == 1 ]]; then echo met; else echo MISSED; fi
}
BATCH_OK=$(awk -v s="$BATCH_SECONDS" -v t="$BATCH_TARGET_SECONDS" -v f="$BATCH_FAILED" \
  -v ok="$BATCH_SUCCEEDED" -v n="$BATCH_CAMERAS" 'BEGIN { print (s <= t && f == 0 && ok == n) ? 1 : 0 }')
SINGLE_OK=$(( SINGLE_RATE >= SINGLE_TARGET_RATE ? 1 : 0 ))
STORE_OK=$(( BATCH_STORED == BATCH_CAMERAS && SINGLE_STORED >= SINGLE_COUNT && NOT_SUCCEEDED == 0 ? 1 : 0 ))
mkdir -p "$RESULTS_DIR"
{
  printf 'camfleet registration benchmark (SQLite, %s cores, %s)\n' "$(nproc)" "$(date -u +%Y-%m-%dT%H:%MZ)"
  printf '  batches: %s cameras in %s batches, all final in %s s (%s succeeded, %s failed): %.0f cameras/s; target <= %s s: %s\n' \
    "$BATCH_CAMERAS" "$BATCHES" "$BATCH_SECONDS" "$BATCH_SUCCEEDED" "$BATCH_FAILED" \
    "$(awk -v n="$BATCH_CAMERAS" -v s="$BATCH_SECONDS" 'BEGIN { print n / s }')" "$BATCH_TARGET_SECONDS" "$(verdict "$BATCH_OK")"
  printf '  single:  %s POST /register-camera-requests answered 202 in %s s of wrk (%s/s, p50 %s ms, p99 %s ms), %s stored, queue empty %s s after the last; end to end %s/s; target >= %s/s: %s\n' \
    "$SINGLE_COUNT" "$DURATION" "$POST_RATE" "$POST_P50" "$POST_P99" "$SINGLE_STORED" "$DRAIN_SECONDS" "$SINGLE_RATE" \
    "$SINGLE_TARGET_RATE" "$(verdict "$SINGLE_OK")"
  printf '  database: %s batch items and %s single requests stored, %s not succeeded: %s\n' "$BATCH_STORED" \
    "$SINGLE_STORED" "$NOT_SUCCEEDED" "$(verdict "$STORE_OK")"
} | tee "$RESULTS_DIR/fleet-registration-latest.txt"
(( BATCH_OK && SINGLE_OK && STORE_OK )) || exit 1
