#!/usr/bin/env bash
# camfleet device-link benchmark: builds camfleet (Release), seeds BENCH_DEVICES cameras through the
# API on a temporary SQLite database, gives each its device credentials and device token, and
# measures on 127.0.0.1: GET /cameras/{id} idle, heartbeats from the whole fleet, both at once, and
# POST /frame-requests with a fresh stored frame and with an on-demand capture answered by a device
# responder. Prints a table (also written to bench/results/device-latest.txt). See bench/README.md.
#
# Environment: CAMFLEET_BIN (skip the build), BENCH_DEVICES (2000), BENCH_DURATION (10, seconds per
# wrk run), BENCH_HEARTBEAT_CONNECTIONS (256), BENCH_GET_CONNECTIONS (16), BENCH_HEARTBEAT_RATE (pace
# of the heartbeats beside the GETs; default: the target + 2%; 0: unpaced), BENCH_ROUNDS (3: idle and
# loaded GET runs, alternating; the ratio is their median), BENCH_THREADS (2, per wrk), BENCH_SEED_THREADS
# (16), BENCH_FRESH_REQUESTS (200), BENCH_CAPTURE_REQUESTS (50), BENCH_CAPTURE_CAMERAS (5),
# BENCH_TMPDIR (parent of the temp dir), BENCH_KEEP=1 (keep the temp dir), BENCH_SERVER_ARGS (extra
# `camfleet serve` options), PYTHON (/usr/bin/python3).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
DEVICES=${BENCH_DEVICES:-2000}
DURATION=${BENCH_DURATION:-10}
HB_CONNECTIONS=${BENCH_HEARTBEAT_CONNECTIONS:-256}
GET_CONNECTIONS=${BENCH_GET_CONNECTIONS:-16}
THREADS=${BENCH_THREADS:-2}
SEED_THREADS=${BENCH_SEED_THREADS:-16}
FRESH_COUNT=${BENCH_FRESH_REQUESTS:-200}
CAPTURE_COUNT=${BENCH_CAPTURE_REQUESTS:-50}
CAPTURE_CAMERAS=${BENCH_CAPTURE_CAMERAS:-5}
PYTHON=${PYTHON:-/usr/bin/python3}
RESULTS_DIR="$BENCH_DIR/results"
HB_TARGET=20000   # heartbeats/s, sustained
RATIO_TARGET=2    # GET /cameras/{id} p99 under heartbeat load / idle p99, at most
# The GETs are measured while the heartbeats come at the target rate: paced 2% above it, since
# wrk's rate counts its ramp-up. 0: as fast as the heartbeat connections go (saturation).
HB_RATE=${BENCH_HEARTBEAT_RATE:-$(( HB_TARGET * 102 / 100 ))}
ROUNDS=${BENCH_ROUNDS:-3}

RUN_START=$(date +%s.%N)
# shellcheck source=bench/lib.sh
. "$BENCH_DIR/lib.sh"

require_positive_integers "$DEVICES" "$DURATION" "$HB_CONNECTIONS" "$GET_CONNECTIONS" "$THREADS" \
  "$SEED_THREADS" "$FRESH_COUNT" "$CAPTURE_COUNT" "$CAPTURE_CAMERAS" "$ROUNDS"
[[ $HB_RATE =~ ^[0-9]+$ ]] || die "BENCH_HEARTBEAT_RATE must be a number of heartbeats/s (0: unpaced)"
(( HB_CONNECTIONS >= THREADS && GET_CONNECTIONS >= THREADS )) \
  || die "BENCH_HEARTBEAT_CONNECTIONS and BENCH_GET_CONNECTIONS must be at least BENCH_THREADS"
(( CAPTURE_CAMERAS <= DEVICES )) || die "BENCH_CAPTURE_CAMERAS must be at most BENCH_DEVICES"

# --- tools ---------------------------------------------------------------------------------------
# shellcheck disable=SC2119  # no extras: no nginx, no PostgreSQL
install_missing

# --- temp dir and cleanup ------------------------------------------------------------------------
TMP=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/camfleet-device-bench.XXXXXX")
SERVER_PID=""
RESPONDER_PID=""

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_bench "$status" "$RESPONDER_PID" "device responder"
}
trap_cleanup



server_alive() { kill -0 "$SERVER_PID" 2>/dev/null || die "camfleet ($SERVER_PID) is no longer running"; }
rss_kib() { server_alive; process_rss_kib "$SERVER_PID"; }

# --- build ---------------------------------------------------------------------------------------
build_camfleet

# The JPEG the device uploads: the test frame when the tree has one, else device_frames.py's own.
JPEG_ARGS=()
for jpeg in "$ROOT"/tests/api/data/*.jpg; do
  [[ -f $jpeg ]] && { JPEG_ARGS=(--jpeg "$jpeg"); break; }
done

# --- server --------------------------------------------------------------------------------------
DB="sqlite:$TMP/bench.db"
read -ra SERVER_ARGS <<<"${BENCH_SERVER_ARGS:-}"
PORT=""
BASE=""

start_server() {  # start_server [EXTRA OPTION...]: camfleet serve on a free port, log appended
  PORT=$(free_port)
  BASE="http://127.0.0.1:$PORT"
  log "starting camfleet on $BASE (database $TMP/bench.db)${SERVER_ARGS[*]:+ ${SERVER_ARGS[*]}}${*:+ $*}"
  "$BIN" serve --listen "127.0.0.1:$PORT" --database "$DB" "${SERVER_ARGS[@]}" "$@" \
    >>"$TMP/camfleet.out" 2>>"$TMP/camfleet.log" &
  SERVER_PID=$!
  wait_http "$BASE/healthz" "$SERVER_PID" camfleet
}

start_server

setup_operator "$DB"

# --- fleet: cameras, device credentials, device tokens -------------------------------------------
log "seeding $DEVICES cameras at site $SITE_ID"
SETUP_START=$(now)
export BENCH_TOKEN=$TOKEN  # for the Python helpers and the wrk scripts
run_child "$PYTHON" "$BENCH_DIR/seed.py" --url "$BASE" --site "$SITE_ID" \
  --count "$DEVICES" --threads "$SEED_THREADS" --out "$TMP/cameras.txt" || die "seeding failed"
SEED_SECONDS=$(since "$SETUP_START")
log "seeded in $SEED_SECONDS s; issuing device credentials and device tokens"
CREDS_START=$(now)
run_child "$PYTHON" "$BENCH_DIR/device_setup.py" --url "$BASE" \
  --cameras "$TMP/cameras.txt" --threads "$SEED_THREADS" --out "$TMP/devices.txt" \
  || die "device credentials failed"
CREDS_SECONDS=$(since "$CREDS_START")
SETUP_SECONDS=$(since "$SETUP_START")
log "device credentials + tokens in $CREDS_SECONDS s; set-up $SETUP_SECONDS s in all"

read -r CAMERA_ID DEVICE_TOKEN < <(head -n 1 "$TMP/devices.txt")
export BENCH_LUA_DIR=$BENCH_DIR/lua BENCH_THREADS=$THREADS
export BENCH_CAMERAS_FILE=$TMP/cameras.txt BENCH_DEVICES_FILE=$TMP/devices.txt

# One of each request by hand first, so a broken token fails here and not as a table of 401s.
status=$(curl -sS -o "$TMP/check.out" -w '%{http_code}' -H "Authorization: Bearer $DEVICE_TOKEN" \
  -H 'Content-Type: application/json' \
  --data '{"encodedFramesProportion":1,"networkTransmitRate":0,"videoBacklog":0,"videoUploadLatency":0}' \
  "$BASE/device/heartbeat")
[[ $status == 200 ]] || die "POST /device/heartbeat: HTTP $status $(cat "$TMP/check.out")"
status=$(curl -sS -o "$TMP/check.out" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
  "$BASE/cameras/$CAMERA_ID")
[[ $status == 200 ]] || die "GET /cameras/$CAMERA_ID: HTTP $status $(cat "$TMP/check.out")"

# --- wrk runs ------------------------------------------------------------------------------------
cpu_ticks WRK_TICKS_BEFORE
WRK_START=$(now)
log "wrk: POST /device/heartbeat from $DEVICES cameras (${DURATION} s, $HB_CONNECTIONS connections)"
start_wrk "$TMP/wrk-heartbeat.txt" heartbeat.lua "$HB_CONNECTIONS" "$DURATION"
finish_wrk "$LAST_WRK_PID" "$TMP/wrk-heartbeat.txt" "heartbeats"
HB_ALONE=$WRK_RESULT

# Rounds of an idle GET run and a GET run beside heartbeats, alternating: on a shared machine one
# run can meet a hiccup its partner does not, so the ratio is the median over the rounds.
HB_PACE_TEXT=$( (( HB_RATE > 0 )) && echo "paced at $HB_RATE/s" || echo "unpaced")
GET_IDLE=() GET_BOTH=() HB_BOTH=()
for (( round = 1; round <= ROUNDS; round++ )); do
  log "round $round/$ROUNDS: wrk GET /cameras/{id}, idle (${DURATION} s, $GET_CONNECTIONS connections)"
  start_wrk "$TMP/wrk-get-idle-$round.txt" get_camera.lua "$GET_CONNECTIONS" "$DURATION"
  finish_wrk "$LAST_WRK_PID" "$TMP/wrk-get-idle-$round.txt" "GET idle"
  GET_IDLE+=("$WRK_RESULT")
  # Both at once: the heartbeats start a second before the GETs and end a second after them.
  log "round $round/$ROUNDS: wrk heartbeats (${DURATION} s + 2, $HB_PACE_TEXT) with GET /cameras/{id}"
  BENCH_HEARTBEAT_PACE=$HB_RATE start_wrk "$TMP/wrk-heartbeat-both-$round.txt" heartbeat.lua \
    "$HB_CONNECTIONS" $(( DURATION + 2 ))
  HB_BOTH_PID=$LAST_WRK_PID
  sleep 1
  start_wrk "$TMP/wrk-get-both-$round.txt" get_camera.lua "$GET_CONNECTIONS" "$DURATION"
  finish_wrk "$LAST_WRK_PID" "$TMP/wrk-get-both-$round.txt" "GET under heartbeats"
  GET_BOTH+=("$WRK_RESULT")
  finish_wrk "$HB_BOTH_PID" "$TMP/wrk-heartbeat-both-$round.txt" "heartbeats with GET"
  HB_BOTH+=("$WRK_RESULT")
done
RSS_AFTER=$(rss_kib)
cpu_ticks WRK_TICKS_AFTER
OTHER_CPU=$(other_cpu_percent "$WRK_TICKS_BEFORE" "$WRK_TICKS_AFTER" "$(since "$WRK_START")")

# The heartbeats landed: the cameras are online with their metrics.
LAST_CAMERA_ID=$(awk 'END { print $1 }' "$TMP/devices.txt")
ONLINE=$(api GET "/cameras/$LAST_CAMERA_ID" | json_field isOnline)
[[ $ONLINE == True ]] || die "camera $LAST_CAMERA_ID is not online after the heartbeat runs"

# --- frame requests ------------------------------------------------------------------------------
log "frame requests: $FRESH_COUNT with a fresh stored frame"
run_child "$PYTHON" "$BENCH_DIR/device_frames.py" fresh --url "$BASE" --devices "$TMP/devices.txt" \
  --count "$FRESH_COUNT" "${JPEG_ARGS[@]}" >"$TMP/fresh.txt" || die "fresh-frame requests failed"
FRESH=$(cat "$TMP/fresh.txt")

log "restarting camfleet with --frame-max-age 0, so every frame request needs a capture"
stop_process "$SERVER_PID" camfleet
SERVER_PID=""
start_server --frame-max-age 0
rm -f "$TMP/responder.ready"
"$PYTHON" "$BENCH_DIR/device_frames.py" respond --url "$BASE" --devices "$TMP/devices.txt" \
  --cameras "$CAPTURE_CAMERAS" --ready "$TMP/responder.ready" "${JPEG_ARGS[@]}" \
  2>"$TMP/responder.log" &
RESPONDER_PID=$!
for (( i = 0; i < 100; i++ )); do
  [[ -e $TMP/responder.ready ]] && break
  kill -0 "$RESPONDER_PID" 2>/dev/null || { cat "$TMP/responder.log" >&2; die "the device responder exited"; }
  sleep 0.1
done
[[ -e $TMP/responder.ready ]] || die "the device responder did not start"
log "frame requests: $CAPTURE_COUNT on-demand captures from $CAPTURE_CAMERAS camera(s)" \
  "(device responder $RESPONDER_PID)"
CAPTURE_START=$(now)
run_child "$PYTHON" "$BENCH_DIR/device_frames.py" capture --url "$BASE" --devices "$TMP/devices.txt" \
  --cameras "$CAPTURE_CAMERAS" --count "$CAPTURE_COUNT" "${JPEG_ARGS[@]}" >"$TMP/capture.txt" \
  || die "capture requests failed"
CAPTURE=$(cat "$TMP/capture.txt")
kill -0 "$RESPONDER_PID" 2>/dev/null || { cat "$TMP/responder.log" >&2; die "the device responder exited"; }
CAPTURES=$(grep -c 'capture ' "$TMP/responder.log" || true)
CAPTURE_SECONDS=$(since "$CAPTURE_START")

# --- report --------------------------------------------------------------------------------------
mkdir -p "$RESULTS_DIR"
{
  printf 'camfleet device-link benchmark  %s  %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo 'no commit')"
  printf '%s cameras: seeded in %s s, device credentials + tokens in %s s (set-up %s s)\n' \
    "$DEVICES" "$SEED_SECONDS" "$CREDS_SECONDS" "$SETUP_SECONDS"
  printf 'wrk %s s per run, %s threads per wrk; %s cores; camfleet RSS after the wrk runs %s\n' \
    "$DURATION" "$THREADS" "$(nproc)" "$(format_mib "$RSS_AFTER")"
  printf 'other processes used %s%% of the CPU during the wrk runs%s\n' "$OTHER_CPU" \
    "$( (( OTHER_CPU < 5 )) || echo ': the machine was not idle, the figures are pessimistic')"
  if (( HB_RATE > 0 )); then
    printf 'heartbeats beside the GETs: paced at %s/s (%s rounds of idle and loaded GET runs)\n' \
      "$HB_RATE" "$ROUNDS"
  else
    printf 'heartbeats beside the GETs: as fast as %s connections go (%s rounds)\n' "$HB_CONNECTIONS" \
      "$ROUNDS"
  fi
  printf 'captures: %s capture-frame commands answered by %s camera(s) in %s s; whole run %s s\n' \
    "$CAPTURES" "$CAPTURE_CAMERAS" "$CAPTURE_SECONDS" "$(since "$RUN_START")"
  printf 'camfleet serve options: %s\n\n' "${BENCH_SERVER_ARGS:-(defaults)}"
  join() { local IFS='|'; printf '%s' "$*"; }
  awk -v idle="$(join "${GET_IDLE[@]}")" -v hb="$HB_ALONE" -v get_both="$(join "${GET_BOTH[@]}")" \
      -v hb_both="$(join "${HB_BOTH[@]}")" -v fresh="$FRESH" -v capture="$CAPTURE" \
      -v hb_target="$HB_TARGET" -v ratio_target="$RATIO_TARGET" -v rounds="$ROUNDS" \
      -v gc="$GET_CONNECTIONS" -v hc="$HB_CONNECTIONS" '
    function verdict(ok) { return ok ? "PASS" : "FAIL" }
    function line(name, rate, p50, p99, non2xx, errors, target, result) {
      printf "%-38s %10s %9.2fms %9.2fms %7d %6d  %-22s %s\n", name, rate, p50, p99, non2xx, errors,
        target, result
    }
    # ok: 1 or 0 for a target met or not, -1 for no target. A run with failed requests measured
    # something else than intended: never a PASS.
    function clean(figures,    f) { split(figures, f, " "); return f[4] == 0 && f[5] == 0 }
    function wrk_row(name, figures, target, ok,    f) {
      split(figures, f, " ")
      line(name, sprintf("%.0f/s", f[1]), f[2], f[3], f[4], f[5], target,
           ok < 0 ? "-" : verdict(ok && clean(figures)))
    }
    function frame_row(name, figures, rate,    f) {
      split(figures, f, " ")  # count ok failed p50 p99 rate
      line(name, rate ? sprintf("%.0f/s", f[6]) : "-", f[4], f[5], f[3], 0,
           "all " f[1] " answered 200", verdict(f[2] == f[1] && f[3] == 0))
    }
    function field(figures, n,    f) { split(figures, f, " "); return f[n] + 0 }
    function median(values, n,    i, j, t, sorted) {
      for (i = 1; i <= n; i++) sorted[i] = values[i]
      for (i = 2; i <= n; i++)
        for (j = i; j > 1 && sorted[j - 1] > sorted[j]; j--) { t = sorted[j]; sorted[j] = sorted[j - 1]; sorted[j - 1] = t }
      return n % 2 ? sorted[(n + 1) / 2] : (sorted[n / 2] + sorted[n / 2 + 1]) / 2
    }
    BEGIN {
      printf "%-38s %10s %11s %11s %7s %6s  %-22s %s\n", "scenario", "rate", "p50", "p99", "non-2xx",
        "errors", "target", "result"
      printf "%-38s %10s %11s %11s %7s %6s  %-22s %s\n", "--------------------------------------",
        "----------", "-----------", "-----------", "-------", "------", "----------------------", "------"
      split(idle, idles, "|"); split(get_both, gets, "|"); split(hb_both, beats, "|")
      wrk_row(sprintf("POST /device/heartbeat (%dc)", hc), hb, ">= " hb_target "/s", field(hb, 1) >= hb_target)
      all_clean = 1; slowest_beats = -1
      for (r = 1; r <= rounds; r++) {
        suffix = r == 1 ? "" : sprintf(" r%d", r)
        idle_p99 = field(idles[r], 3)
        ratio[r] = idle_p99 > 0 ? field(gets[r], 3) / idle_p99 : 1e9
        wrk_row(sprintf("GET /cameras/{id} idle (%dc)%s", gc, suffix), idles[r], "baseline", -1)
        wrk_row(sprintf("GET /cameras/{id} + heartbeats (%dc)%s", gc, suffix), gets[r],
                sprintf("p99 <= %dx idle (%.1fx)", ratio_target, ratio[r]), ratio[r] <= ratio_target)
        wrk_row(sprintf("POST /device/heartbeat + GET (%dc)%s", hc, suffix), beats[r], ">= " hb_target "/s",
                field(beats[r], 1) >= hb_target)
        all_clean = all_clean && clean(idles[r]) && clean(gets[r]) && clean(beats[r])
        if (slowest_beats < 0 || field(beats[r], 1) < slowest_beats) slowest_beats = field(beats[r], 1)
      }
      frame_row("POST /frame-requests, fresh frame", fresh, 1)
      frame_row("POST /frame-requests, capture", capture, 0)
      printf "\n"
      for (r = 1; r <= rounds; r++)
        printf "round %d: GET p99 %.2f ms beside heartbeats, %.2f ms idle: %.1fx\n", r, field(gets[r], 3),
          field(idles[r], 3), ratio[r]
      middle = median(ratio, rounds)
      printf "%-52s %9.0f/s  %s\n", "target  heartbeats alone >= " hb_target "/s", field(hb, 1),
        verdict(field(hb, 1) >= hb_target && clean(hb))
      printf "%-52s %9.0f/s  %s\n", "target  heartbeats beside GETs >= " hb_target "/s (slowest)",
        slowest_beats, verdict(slowest_beats >= hb_target && all_clean)
      printf "%-52s %9.1fx   %s\n", "target  GET p99 beside them <= " ratio_target "x idle (median)", middle,
        verdict(middle <= ratio_target && all_clean)
    }'
} | tee "$RESULTS_DIR/device-latest.txt"
