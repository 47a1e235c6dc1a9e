#!/usr/bin/env bash
# camfleet fleet reconnect benchmark (issue 13): a fleet of BENCH_CAMERAS (100,000) simulated
# cameras reconnecting to a freshly restarted server. First `camfleet sim` sets the fleet up
# (registers, claims and issues device credentials, kept in its state file) and runs briefly;
# then the server is restarted and the simulator started again with that state file, as after an
# outage. Measured from the second simulator's start: when every camera counts as online
# (GET /cameras?state=running, polled), and GET /cameras/{id} latency meanwhile (wrk, paced, over
# the first 10,000 cameras). Targets: all online within 60 s; GET p99 < 50 ms.
# Prints a table (also bench/results/fleet-reconnect-latest.txt).
#
# Environment: CAMFLEET_BIN (default: a Release build), BENCH_CAMERAS (100000), BENCH_GET_RATE
# (2000 GETs/s during the reconnect), BENCH_WINDOW (90 s: how long the reconnect is watched),
# BENCH_POLL (3 s between online counts), BENCH_COMMAND_POLL (60: the simulator's --command-poll;
# -1 keeps each camera's long poll), BENCH_SERVER_ARGS, BENCH_TMPDIR, BENCH_KEEP=1, PYTHON.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
CAMERAS=${BENCH_CAMERAS:-100000}
GET_RATE=${BENCH_GET_RATE:-2000}
WINDOW=${BENCH_WINDOW:-90}
POLL=${BENCH_POLL:-3}
# Each camera's long poll would hold a connection: 100,000 of them need that many open files on
# both sides, beyond this machine's hard limit (20,000). The simulated cameras ask for commands
# every COMMAND_POLL seconds instead, over shared connections (BENCH_COMMAND_POLL=-1: long polls).
COMMAND_POLL=${BENCH_COMMAND_POLL:-60}
SIM_POLL_ARGS=()
[[ $COMMAND_POLL == -1 ]] || SIM_POLL_ARGS=(--command-poll "$COMMAND_POLL")
PYTHON=${PYTHON:-/usr/bin/python3}
RESULTS_DIR="$BENCH_DIR/results"
ONLINE_TARGET_S=60
P99_TARGET_MS=50
THREADS=2

# shellcheck source=bench/lib.sh
. "$BENCH_DIR/lib.sh"
require_positive_integers "$CAMERAS" "$GET_RATE" "$WINDOW" "$POLL"
install_missing

TMP=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/camfleet-reconnect-bench.XXXXXX")
SERVER_PID="" SIM_PID=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_bench "$status" "$SIM_PID" "camfleet sim"
}
trap_cleanup
server_alive() { kill -0 "$SERVER_PID" 2>/dev/null || die "camfleet ($SERVER_PID) is no longer running"; }

build_camfleet
# Every simulated camera holds a connection (its long poll for commands), and the server a
# descriptor for each: as root, the hard open-file limit is raised to what the fleet needs (the
# server then derives its connection limit from it); otherwise the soft limit goes up to the hard.
if [[ $COMMAND_POLL == -1 ]]; then
  NEEDED_FILES=$(( CAMERAS * 2 + 10000 ))
  if (( EUID == 0 )) && (( $(ulimit -Hn) < NEEDED_FILES )); then
    ulimit -Hn "$NEEDED_FILES" 2>/dev/null || log "cannot raise the hard open-file limit to $NEEDED_FILES"
  fi
  (( $(ulimit -Hn) >= CAMERAS + 1000 )) || log "warning: the open-file limit $(ulimit -Hn) is below one per camera"
fi
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
DB="sqlite:$TMP/bench.db"
read -ra SERVER_ARGS <<<"${BENCH_SERVER_ARGS:-}"
start_server() {
  "$BIN" serve --listen "127.0.0.1:$PORT" --database "$DB" "${SERVER_ARGS[@]}" >>"$TMP/camfleet.log" 2>&1 &
  SERVER_PID=$!
  wait_http "$BASE/healthz" "$SERVER_PID" camfleet
}
start_server
CLIENT_JSON=$("$BIN" admin create-client --database "$DB" --create --role operator --name reconnect-bench)
printf '%s\n' "$CLIENT_JSON" >"$TMP/operator.json"
chmod 600 "$TMP/operator.json"
TOKEN=$(curl -sS --fail-with-body -u "$(json_field clientId <<<"$CLIENT_JSON"):$(json_field clientSecret <<<"$CLIENT_JSON")" \
  --data-urlencode grant_type=client_credentials "$BASE/oauth/token" | json_field access_token) || die "no token"
ORG_ID=$(api POST /organisations '{"name":"Reconnect Org"}' | json_field id)
SITE_ID=$(api POST /sites "{\"name\":\"Reconnect Site\",\"timeZone\":\"UTC\",\"organisationId\":\"$ORG_ID\"}" | json_field id)

# --- the fleet, set up once -----------------------------------------------------------------------
log "first run of the simulator: setting up $CAMERAS cameras (register, claim, credentials)"
SETUP_START=$(now)
"$BIN" sim --url "$BASE" --credentials-file "$TMP/operator.json" --cameras "$CAMERAS" --site "$SITE_ID" \
  --state-file "$TMP/sim-state.json" "${SIM_POLL_ARGS[@]}" --duration 5 >"$TMP/sim-setup.log" 2>&1 &
SIM_PID=$!
wait "$SIM_PID" || { tail -n 20 "$TMP/sim-setup.log" >&2; die "the first simulator run failed"; }
SIM_PID=""
SETUP_SECONDS=$(awk -v a="$SETUP_START" -v b="$(now)" 'BEGIN { printf "%.0f", b - a }')
log "fleet set up in $SETUP_SECONDS s"

# the first 10,000 camera ids, for the GETs (the state file is the simulator's JSON)
"$PYTHON" - "$TMP/sim-state.json" "$TMP/cameras.txt" <<'PY'
import json, sys
cameras = json.load(open(sys.argv[1]))["cameras"]  # {"url", "cameras": [{"id", ...}]}
with open(sys.argv[2], "w") as out:
    for camera in cameras[:10000]:
        out.write(f"{camera['id']} x\n")
PY

# --- the restart and the reconnect ----------------------------------------------------------------
log "restarting the server"
stop_process "$SERVER_PID" camfleet
SERVER_PID=""
start_server
TOKEN=$(curl -sS --fail-with-body -u "$(json_field clientId <<<"$CLIENT_JSON"):$(json_field clientSecret <<<"$CLIENT_JSON")" \
  --data-urlencode grant_type=client_credentials "$BASE/oauth/token" | json_field access_token) || die "no token"

# online_count: cameras of the fleet that GET /cameras?state=running shows online
online_count() {
  curl -sS --compressed -H "Authorization: Bearer $TOKEN" "$BASE/cameras?state=running&includeMetrics=false" |
    "$PYTHON" -c 'import json, sys; print(sum(1 for c in json.load(sys.stdin) if c["isOnline"]))'
}

log "second run of the simulator, with the state file: watching the reconnect for $WINDOW s"
export BENCH_TOKEN=$TOKEN BENCH_LUA_DIR=$BENCH_DIR/lua BENCH_THREADS=$THREADS BENCH_CAMERAS_FILE=$TMP/cameras.txt
SIM_START=$(now)
"$BIN" sim --url "$BASE" --credentials-file "$TMP/operator.json" --cameras "$CAMERAS" --site "$SITE_ID" \
  --state-file "$TMP/sim-state.json" "${SIM_POLL_ARGS[@]}" --duration "$WINDOW" >"$TMP/sim-run.log" 2>&1 &
SIM_PID=$!
BENCH_GET_PACE=$GET_RATE start_wrk "$TMP/wrk-get.txt" get_camera.lua 16 "$WINDOW"
GET_PID=$LAST_WRK_PID
ALL_ONLINE_S="" ONLINE_LOG=""
while :; do
  elapsed=$(awk -v a="$SIM_START" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
  awk -v e="$elapsed" -v w="$WINDOW" 'BEGIN { exit !(e < w) }' || break
  count=$(online_count || echo 0)
  ONLINE_LOG+="$elapsed:$count "
  if [[ -z $ALL_ONLINE_S ]] && (( count >= CAMERAS )); then
    ALL_ONLINE_S=$elapsed
    log "all $CAMERAS cameras online $elapsed s after the simulator started"
  fi
  sleep "$POLL"
done
finish_wrk "$GET_PID" "$TMP/wrk-get.txt" "GET /cameras/{id} during the reconnect"
read -r get_rps get_p50 get_p99 get_non get_err <<<"$WRK_RESULT"
# The simulator sends each camera's last heartbeat when its --duration ends; with 100,000 cameras
# that can take long, and the figures are in: give it 30 s, then stop it.
for (( i = 0; i < 30; i++ )); do
  kill -0 "$SIM_PID" 2>/dev/null || break
  sleep 1
done
if kill -0 "$SIM_PID" 2>/dev/null; then
  log "the simulator is still stopping its cameras after 30 s: killed"
  kill -9 "$SIM_PID" 2>/dev/null || true
fi
wait "$SIM_PID" 2>/dev/null || true
SIM_PID=""
RSS_KIB=$(process_rss_kib "$SERVER_PID")
ONLINE_VERDICT=$([[ -n $ALL_ONLINE_S ]] && awk -v s="$ALL_ONLINE_S" -v t="$ONLINE_TARGET_S" 'BEGIN { print (s <= t ? "PASS" : "FAIL") }' || echo FAIL)
P99_VERDICT=$(awk -v p="$get_p99" -v t="$P99_TARGET_MS" 'BEGIN { print (p < t ? "PASS" : "FAIL") }')

mkdir -p "$RESULTS_DIR"
{
  printf 'camfleet fleet reconnect benchmark  %s  %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  printf '%s simulated cameras on SQLite, %s cores; fleet set up by the first simulator run in %s s\n' \
    "$CAMERAS" "$(nproc)" "$SETUP_SECONDS"
  printf 'server restarted, then the simulator started again with its state file (credentials issued)\n\n'
  printf 'online cameras, by seconds after the simulator started: %s\n' "$ONLINE_LOG"
  printf 'GET /cameras/{id} during the reconnect (%s/s paced, 16 connections): %.0f req/s, p50 %.2f ms, p99 %.2f ms, non-2xx %s, errors %s\n' \
    "$GET_RATE" "$get_rps" "$get_p50" "$get_p99" "$get_non" "$get_err"
  printf 'server RSS at the end: %s\n' "$(format_mib "$RSS_KIB")"
  printf 'last status line of the simulator: %s\n\n' "$(grep 'sim:' "$TMP/sim-run.log" | tail -n 1)"
  printf 'target  all %s cameras online within %s s of the simulator start     %s s   %s\n' "$CAMERAS" \
    "$ONLINE_TARGET_S" "${ALL_ONLINE_S:-never}" "$ONLINE_VERDICT"
  printf 'target  GET /cameras/{id} p99 < %s ms meanwhile                      %.2f ms   %s\n' "$P99_TARGET_MS" \
    "$get_p99" "$P99_VERDICT"
} | tee "$RESULTS_DIR/fleet-reconnect-latest.txt"
