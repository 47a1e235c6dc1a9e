#!/usr/bin/env bash
# camfleet alert-evaluation benchmark (issue 12): the CPU an idle camfleet serve spends with
# BENCH_CAMERAS (100,000) running cameras on SQLite, whose offline alerts it evaluates every second:
#   fresh    every camera heartbeated in the last seconds: nothing is due;
#   offline  BENCH_OFFLINE (1,000) of them silent for so long that their offline alerts fall due
#            one after another during the measurement (each a camera.offline event).
# The fleet is one template camera (registered, claimed, given device credentials and one
# heartbeat through the API) cloned straight into the SQLite file while the server is stopped
# (bench/alerts_fleet.py). For each scenario: start the server, let it settle, read utime+stime
# from /proc/PID/stat, let it idle BENCH_IDLE s, read them again: CPU % of one core. Prints a table
# (also written to bench/results/alerts-latest.txt). See bench/README.md.
#
# Environment: CAMFLEET_BIN (skip the build), BENCH_CAMERAS (100000), BENCH_SITES (1000),
# BENCH_OFFLINE (1000), BENCH_IDLE (60, seconds measured), BENCH_SETTLE (5, seconds after start-up
# not measured), BENCH_ONLINE_WINDOW (90), BENCH_OFFLINE_ALERT_AFTER (300), BENCH_TMPDIR,
# BENCH_KEEP=1, BENCH_SERVER_ARGS (extra `camfleet serve` options), PYTHON (/usr/bin/python3),
# BENCH_ALERTS_WITHOUT_EVALUATOR=1 (a server without alerts: the same runs, measuring the idle
# server alone, without the alert options).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
CAMERAS=${BENCH_CAMERAS:-100000}
SITES=${BENCH_SITES:-1000}
OFFLINE=${BENCH_OFFLINE:-1000}
IDLE=${BENCH_IDLE:-60}
SETTLE=${BENCH_SETTLE:-5}
ONLINE_WINDOW=${BENCH_ONLINE_WINDOW:-90}
ALERT_AFTER=${BENCH_OFFLINE_ALERT_AFTER:-300}
WITHOUT_EVALUATOR=${BENCH_ALERTS_WITHOUT_EVALUATOR:-0}
PYTHON=${PYTHON:-/usr/bin/python3}
RESULTS_DIR="$BENCH_DIR/results"
CPU_TARGET=5  # % of one core

# shellcheck source=bench/lib.sh
. "$BENCH_DIR/lib.sh"

require_positive_integers "$CAMERAS" "$SITES" "$OFFLINE" "$IDLE" "$SETTLE" "$ONLINE_WINDOW" "$ALERT_AFTER"
(( SITES <= CAMERAS && OFFLINE <= SITES )) \
  || die "need BENCH_OFFLINE <= BENCH_SITES <= BENCH_CAMERAS (one offline camera per site at most)"
(( CAMERAS >= 2 * SITES )) || die "need at least 2 cameras per site (BENCH_CAMERAS >= 2 x BENCH_SITES)"
[[ $WITHOUT_EVALUATOR == 0 || $WITHOUT_EVALUATOR == 1 ]] || die "BENCH_ALERTS_WITHOUT_EVALUATOR must be 0 or 1"
# Fresh cameras were seen at most SPREAD s before the server starts and must stay online until the
# measurement ends (SETTLE + IDLE s later, and a margin for start-up): nothing may fall due.
SPREAD=$(( ONLINE_WINDOW - SETTLE - IDLE - 10 ))
(( SPREAD > 30 )) && SPREAD=30
(( SPREAD > 0 )) || die "BENCH_ONLINE_WINDOW must exceed BENCH_SETTLE + BENCH_IDLE + 10 s (fresh cameras stay online)"

# shellcheck disable=SC2119  # no extras: no nginx, no PostgreSQL
install_missing

# --- temp dir and cleanup ------------------------------------------------------------------------
TMP=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/camfleet-alerts-bench.XXXXXX")
SERVER_PID=""

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_bench "$status"
}
trap_cleanup

server_alive() { kill -0 "$SERVER_PID" 2>/dev/null || die "camfleet ($SERVER_PID) is no longer running"; }
server_cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$SERVER_PID/stat"; }  # utime + stime

build_camfleet
SERVER_OPTIONS=(--online-window "$ONLINE_WINDOW")
if "$BIN" serve --help 2>&1 | grep -q -- '--offline-alert-after'; then
  (( WITHOUT_EVALUATOR == 0 )) || die "$BIN has alerts: BENCH_ALERTS_WITHOUT_EVALUATOR=1 is for a binary without"
  SERVER_OPTIONS+=(--offline-alert-after "$ALERT_AFTER")
elif (( WITHOUT_EVALUATOR == 0 )); then
  die "$BIN has no offline alerts (no --offline-alert-after in 'serve --help'); BENCH_ALERTS_WITHOUT_EVALUATOR=1 measures the idle server without them"
fi
read -ra EXTRA_ARGS <<<"${BENCH_SERVER_ARGS:-}"
SERVER_OPTIONS+=("${EXTRA_ARGS[@]}")

DB_FILE=$TMP/bench.db
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
start_server() {
  "$BIN" serve --listen "127.0.0.1:$PORT" --database "sqlite:$DB_FILE" "${SERVER_OPTIONS[@]}" \
    >>"$TMP/camfleet.out" 2>>"$TMP/camfleet.log" &
  SERVER_PID=$!
  wait_http "$BASE/healthz" "$SERVER_PID" camfleet
}
stop_server() {
  server_alive
  stop_process "$SERVER_PID" camfleet
  SERVER_PID=""
}

# --- the template camera, through the API --------------------------------------------------------
log "starting camfleet on $BASE (database $DB_FILE) ${SERVER_OPTIONS[*]}"
start_server
setup_operator "sqlite:$DB_FILE"
export BENCH_TOKEN=$TOKEN
run_child "$PYTHON" "$BENCH_DIR/seed.py" --url "$BASE" --site "$SITE_ID" --count 1 --threads 1 \
  --out "$TMP/template.txt" || die "registering the template camera failed"
run_child "$PYTHON" "$BENCH_DIR/device_setup.py" --url "$BASE" --cameras "$TMP/template.txt" --threads 1 \
  --out "$TMP/template-device.txt" || die "the template camera's device credentials failed"
read -r TEMPLATE_ID DEVICE_TOKEN <"$TMP/template-device.txt"
status=$(curl -sS -o "$TMP/check.out" -w '%{http_code}' -H "Authorization: Bearer $DEVICE_TOKEN" \
  -H 'Content-Type: application/json' \
  --data '{"encodedFramesProportion":1,"networkTransmitRate":400000,"videoBacklog":0,"videoUploadLatency":1.5}' \
  "$BASE/device/heartbeat")
[[ $status == 200 ]] || die "the template camera's heartbeat: HTTP $status $(cat "$TMP/check.out")"
[[ $(api GET "/cameras/$TEMPLATE_ID" | json_field isOnline) == True ]] || die "the template camera is not online"
stop_server

# --- the fleet, straight into the SQLite file ------------------------------------------------------
fleet() { run_child "$PYTHON" "$BENCH_DIR/alerts_fleet.py" "$@" --database "$DB_FILE" --template "$TEMPLATE_ID"; }
log "cloning the template into $CAMERAS running cameras on $SITES sites"
CLONE_START=$(now)
fleet clone --count "$CAMERAS" --sites "$SITES" || die "cloning the fleet failed"
CLONE_SECONDS=$(since "$CLONE_START")
log "cloned in $CLONE_SECONDS s"

# --- scenarios -----------------------------------------------------------------------------------
# measure NAME: starts the server, lets it settle SETTLE s, measures its CPU over IDLE s, stops it;
# adds a row "NAME|cpu_percent cpu_seconds rss_kib camera_offline site_offline other_percent" (the
# events that occurred while the server ran, so that one falling due a little before or after the
# measurement counts too; the CPU of other processes during the measurement, % of all cores).
ROWS=()
measure() {
  local name=$1 ticks0 ticks1 t0 t1 rss events machine0 machine1 other started
  started=$(now)
  start_server
  sleep "$SETTLE"
  server_alive
  cpu_ticks machine0
  ticks0=$(server_cpu_ticks)
  t0=$(now)
  log "$name: measuring camfleet's CPU for $IDLE s"
  sleep "$IDLE"
  server_alive
  ticks1=$(server_cpu_ticks)
  t1=$(now)
  cpu_ticks machine1
  other=$(other_cpu_percent "$machine0" "$machine1" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")
  rss=$(process_rss_kib "$SERVER_PID")
  stop_server
  events=$("$PYTHON" - "$DB_FILE" "$started" "$(now)" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
low, high = int(float(sys.argv[2]) * 1000), int(float(sys.argv[3]) * 1000)
count = lambda kind: db.execute("SELECT count(*) FROM events WHERE type = ? AND occurred_at_ms >= ? AND "
                                "occurred_at_ms < ?", (kind, low, high)).fetchone()[0]
print(count("camera.offline"), count("site.offline"))
PY
) || die "cannot count the events in $DB_FILE"
  ROWS+=("$name|$(awk -v a="$ticks0" -v b="$ticks1" -v t0="$t0" -v t1="$t1" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "%.2f %.2f", 100 * (b - a) / hz / (t1 - t0), (b - a) / hz }') $rss $events $other")
}

log "scenario 1: every camera seen in the last $SPREAD s (nothing due)"
fleet schedule --spread "$SPREAD" || die "scheduling the fleet failed"
measure "all $CAMERAS fresh, nothing due"

# The offline cameras' alerts fall due one after another over the measurement, a little inside it
# (start-up takes a second or two; the evaluator looks every second).
DUE_FROM=$(awk -v t="$(now)" -v s="$SETTLE" 'BEGIN { printf "%.3f", t + s + 2 }')
DUE_TO=$(awk -v t="$DUE_FROM" -v i="$IDLE" 'BEGIN { printf "%.3f", t + i - 4 }')
log "scenario 2: $OFFLINE cameras offline, their alerts due during the measurement"
fleet schedule --spread "$SPREAD" --offline "$OFFLINE" --due-from "$DUE_FROM" --due-to "$DUE_TO" \
  --online-window "$ONLINE_WINDOW" --offline-alert-after "$ALERT_AFTER" || die "scheduling the fleet failed"
measure "$OFFLINE offline, alerts due"

# --- report --------------------------------------------------------------------------------------
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo 'no commit')
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
mkdir -p "$RESULTS_DIR"
{
  printf 'camfleet alert-evaluation benchmark  %s  %s\n' "$NOW" "$COMMIT"
  printf '%s running cameras on %s sites (SQLite; cloned in %s s); camfleet serve %s\n' \
    "$CAMERAS" "$SITES" "$CLONE_SECONDS" "${SERVER_OPTIONS[*]}"
  printf 'CPU: utime + stime of camfleet over %s s of idling, %s s after start-up; %s cores\n' \
    "$IDLE" "$SETTLE" "$(nproc)"
  (( WITHOUT_EVALUATOR == 1 )) \
    && printf 'WITHOUT EVALUATOR (BENCH_ALERTS_WITHOUT_EVALUATOR=1): the idle server alone, no alerts\n'
  echo
  printf '%s\n' "${ROWS[@]}" | awk -F'|' -v target="$CPU_TARGET" -v offline="$OFFLINE" \
      -v without="$WITHOUT_EVALUATOR" '
    function verdict(ok) { return ok ? "PASS" : "FAIL" }
    BEGIN {
      printf "%-36s %14s %8s %10s %15s %13s %8s\n", "scenario", "CPU % of core", "CPU s", "RSS", "camera.offline",
        "site.offline", "others"
    }
    {
      split($2, f, " ")
      n++; name[n] = $1; cpu[n] = f[1]; alerts[n] = f[4]; sites[n] = f[5]
      printf "%-36s %13.2f%% %8.2f %6.1f MiB %15d %13d %7d%%\n", $1, f[1], f[2], f[3] / 1024, f[4], f[5], f[6]
    }
    END {
      print ""
      if (without == 1) exit
      for (i = 1; i <= n; i++)
        printf "target  %-40s < %d%% of a core  %6.2f%%  %s\n", name[i], target, cpu[i], verdict(cpu[i] < target)
      printf "check   no alert when nothing is due                       %6d   %s\n", alerts[1] + sites[1],
        verdict(alerts[1] + sites[1] == 0)
      printf "check   %d camera.offline while %d fall due, no site.offline  %6d   %s\n", offline, offline,
        alerts[2], verdict(alerts[2] == offline && sites[2] == 0)
    }'
} | tee "$RESULTS_DIR/alerts-latest.txt"
