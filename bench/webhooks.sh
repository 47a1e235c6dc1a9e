#!/usr/bin/env bash
# camfleet webhook delivery benchmark (issue 12): builds camfleet (Release), seeds BENCH_CAMERAS
# cameras on a temporary SQLite database, starts a local receiver (nginx answering 204 to every
# POST and logging each delivery's webhook-id), and measures on 127.0.0.1, in rounds:
#   baseline  camera.updated events made at BENCH_EVENT_RATE/s by PATCHing camera names, with
#             GET /cameras/{id} measured beside them, and no webhook (events, but no delivery);
#   webhook   the same with a webhook for "*" pointing at the receiver: the deliveries the
#             receiver gets per second once the flow is steady, and GET /cameras/{id} p99 then.
# Prints a table (also written to bench/results/webhooks-latest.txt). See bench/README.md.
#
# Environment: CAMFLEET_BIN (skip the build), BENCH_CAMERAS (2000), BENCH_DURATION (10, seconds of
# GETs per run), BENCH_WARMUP (3, seconds of events before the GETs start), BENCH_EVENT_RATE (2500,
# PATCHes/s, each one event; 0: as fast as the connections go), BENCH_GET_RATE (10000, GETs/s beside
# them: a steady read load, so that p99 shows what deliveries add to a read's latency rather than
# how much CPU they take from a saturating client; 0: as fast as they go), BENCH_EVENT_CONNECTIONS (32), BENCH_GET_CONNECTIONS (16),
# BENCH_THREADS (2, per wrk), BENCH_ROUNDS (3), BENCH_DRAIN_TIMEOUT (60, seconds to wait for the
# last deliveries of a round), BENCH_SEED_THREADS (16), BENCH_TMPDIR, BENCH_KEEP=1,
# BENCH_SERVER_ARGS (extra `camfleet serve` options), PYTHON (/usr/bin/python3),
# BENCH_WEBHOOKS_BASELINE_ONLY=1 (a server without webhooks: run everything but the webhook runs).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
CAMERAS=${BENCH_CAMERAS:-2000}
DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-3}
EVENT_RATE=${BENCH_EVENT_RATE:-2500}
GET_RATE=${BENCH_GET_RATE:-10000}
EVENT_CONNECTIONS=${BENCH_EVENT_CONNECTIONS:-32}
GET_CONNECTIONS=${BENCH_GET_CONNECTIONS:-16}
THREADS=${BENCH_THREADS:-2}
ROUNDS=${BENCH_ROUNDS:-3}
DRAIN_TIMEOUT=${BENCH_DRAIN_TIMEOUT:-60}
SEED_THREADS=${BENCH_SEED_THREADS:-16}
BASELINE_ONLY=${BENCH_WEBHOOKS_BASELINE_ONLY:-0}
PYTHON=${PYTHON:-/usr/bin/python3}
RESULTS_DIR="$BENCH_DIR/results"
DELIVERY_TARGET=2000  # deliveries/s, steady
RATIO_TARGET=1.5      # GET /cameras/{id} p99 while delivering / without webhook, at most

# shellcheck source=bench/lib.sh
. "$BENCH_DIR/lib.sh"

[[ $EVENT_RATE =~ ^[0-9]+$ ]] || die "BENCH_EVENT_RATE must be a number of events/s (0: unpaced)"
[[ $GET_RATE =~ ^[0-9]+$ ]] || die "BENCH_GET_RATE must be a number of GETs/s (0: as fast as they go)"
EVENT_PACE_TEXT=$( (( EVENT_RATE > 0 )) && echo "$EVENT_RATE PATCH/s" || echo "PATCHes unpaced")
require_positive_integers "$CAMERAS" "$DURATION" "$WARMUP" "$EVENT_CONNECTIONS" \
  "$GET_CONNECTIONS" "$THREADS" "$ROUNDS" "$DRAIN_TIMEOUT" "$SEED_THREADS"
(( EVENT_CONNECTIONS >= THREADS && GET_CONNECTIONS >= THREADS )) \
  || die "BENCH_EVENT_CONNECTIONS and BENCH_GET_CONNECTIONS must be at least BENCH_THREADS"
[[ $BASELINE_ONLY == 0 || $BASELINE_ONLY == 1 ]] || die "BENCH_WEBHOOKS_BASELINE_ONLY must be 0 or 1"

install_missing nginx
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# --- temp dir and cleanup ------------------------------------------------------------------------
TMP=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/camfleet-webhook-bench.XXXXXX")
SERVER_PID=""
RECEIVER_PID=""

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_bench "$status" "$RECEIVER_PID" "receiver (nginx)"
}
trap_cleanup

server_alive() { kill -0 "$SERVER_PID" 2>/dev/null || die "camfleet ($SERVER_PID) is no longer running"; }
server_cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$SERVER_PID/stat"; }

build_camfleet
WEBHOOK_ARGS=()
if "$BIN" serve --help 2>&1 | grep -q -- '--allow-private-webhooks'; then
  WEBHOOK_ARGS=(--allow-private-webhooks)  # the receiver is on 127.0.0.1
elif [[ $BASELINE_ONLY == 0 ]]; then
  die "$BIN has no webhooks (no --allow-private-webhooks in 'serve --help'); BENCH_WEBHOOKS_BASELINE_ONLY=1 runs the rest"
fi

# --- the receiver: nginx answering 204 to every delivery, one log line each ------------------------
RECEIVER_PORT=$(free_port)
RECEIVER_URL="http://127.0.0.1:$RECEIVER_PORT/hook"
DELIVERY_LOG=$TMP/deliveries.log
mkdir -p "$TMP/nginx-temp"
NGINX_USER=""
(( EUID == 0 )) && NGINX_USER="user root root;"  # workers must write into the 0700 temp dir
# One line per request: when it ended (Unix seconds, ms), method, status, its webhook-id header.
cat >"$TMP/receiver.conf" <<CONF
$NGINX_USER
worker_processes 1;
daemon off;
pid $TMP/receiver.pid;
error_log $TMP/receiver-error.log warn;
events { worker_connections 1024; }
http {
  log_format delivery '\$msec \$request_method \$status \$http_webhook_id';
  access_log $DELIVERY_LOG delivery buffer=64k flush=200ms;
  client_body_temp_path $TMP/nginx-temp/body;
  proxy_temp_path $TMP/nginx-temp/proxy;
  fastcgi_temp_path $TMP/nginx-temp/fastcgi;
  uwsgi_temp_path $TMP/nginx-temp/uwsgi;
  scgi_temp_path $TMP/nginx-temp/scgi;
  client_max_body_size 1m;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$RECEIVER_PORT;
    location / { return 204; }
  }
}
CONF
"$NGINX" -p "$TMP" -e "$TMP/receiver-error.log" -c "$TMP/receiver.conf" &
RECEIVER_PID=$!
wait_http "$RECEIVER_URL" "$RECEIVER_PID" "receiver (nginx)"

# deliveries FROM TO: "LINES UNIQUE_IDS" of the POSTs the receiver logged from FROM to TO (Unix
# seconds; TO may be "inf"). The log is written every 200 ms: wait that long after TO first.
deliveries() {
  awk -v from="$1" -v to="$2" '
    $2 == "POST" && $1 >= from && (to == "inf" || $1 < to + 0) { lines++; if (!seen[$4]++) unique++ }
    END { printf "%d %d\n", lines, unique }' "$DELIVERY_LOG"
}
# delivery_rates FROM TO: "RATE MIN MEDIAN MAX": POSTs per second over the window, and the least,
# middle and most of its whole seconds.
delivery_rates() {
  awk -v from="$1" -v to="$2" '
    $2 == "POST" && $1 >= from && $1 < to { count[int($1 - from)]++; total++ }
    END {
      seconds = int(to - from)
      for (i = 0; i < seconds; i++) values[i + 1] = count[i] + 0
      for (i = 2; i <= seconds; i++)
        for (j = i; j > 1 && values[j - 1] > values[j]; j--) { t = values[j]; values[j] = values[j - 1]; values[j - 1] = t }
      median = seconds ? (seconds % 2 ? values[(seconds + 1) / 2] : (values[seconds / 2] + values[seconds / 2 + 1]) / 2) : 0
      printf "%.0f %d %.0f %d\n", (to > from ? total / (to - from) : 0), values[1], median, values[seconds]
    }' "$DELIVERY_LOG"
}

# The receiver answers and its log counts: one delivery by hand.
CHECK_FROM=$(now)
status=$(curl -sS -o /dev/null -w '%{http_code}' -H 'webhook-id: msg_bench_check' \
  -H 'Content-Type: application/json' --data '{}' "$RECEIVER_URL")
[[ $status == 204 ]] || die "the receiver answered HTTP $status to a POST (expected 204)"
sleep 0.5
[[ $(deliveries "$CHECK_FROM" inf) == "1 1" ]] || die "the receiver's log does not count the test POST"

# --- camfleet and the fleet ------------------------------------------------------------------------
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
DB="sqlite:$TMP/bench.db"
read -ra SERVER_ARGS <<<"${BENCH_SERVER_ARGS:-}"
log "starting camfleet on $BASE (database $TMP/bench.db) ${WEBHOOK_ARGS[*]} ${SERVER_ARGS[*]}"
"$BIN" serve --listen "127.0.0.1:$PORT" --database "$DB" "${WEBHOOK_ARGS[@]}" "${SERVER_ARGS[@]}" \
  >>"$TMP/camfleet.out" 2>>"$TMP/camfleet.log" &
SERVER_PID=$!
wait_http "$BASE/healthz" "$SERVER_PID" camfleet
setup_operator "$DB"

log "seeding $CAMERAS cameras at site $SITE_ID"
SEED_START=$(now)
BENCH_TOKEN=$TOKEN run_child "$PYTHON" "$BENCH_DIR/seed.py" --url "$BASE" --site "$SITE_ID" \
  --count "$CAMERAS" --threads "$SEED_THREADS" --out "$TMP/cameras.txt" || die "seeding failed"
SEED_SECONDS=$(since "$SEED_START")
log "seeded in $SEED_SECONDS s"
export BENCH_TOKEN=$TOKEN BENCH_LUA_DIR=$BENCH_DIR/lua BENCH_THREADS=$THREADS
export BENCH_CAMERAS_FILE=$TMP/cameras.txt

# One PATCH by hand first, so that a refused one fails here and not as a table of 4xx.
FIRST_ID=$(awk 'NR == 1 { print $1 }' "$TMP/cameras.txt")
api PATCH "/cameras/$FIRST_ID" '{"name":"Bench check"}' >/dev/null

# --- runs ------------------------------------------------------------------------------------------
# events_with_gets TAG: camera.updated events at EVENT_RATE/s (PATCHes) for WARMUP + DURATION + 1 s,
# and GET /cameras/{id} for DURATION s from WARMUP s in. Sets GET_RESULT and PATCH_RESULT (parse_wrk
# figures), PATCHED (PATCHes answered 2xx: events made), WINDOW_FROM and WINDOW_TO (the GET
# window, Unix seconds: the flow is steady then) and CPU_PERCENT (camfleet's, of one core, over the run).
events_with_gets() {
  local tag=$1 patch_pid started ticks_before completed non2xx
  ticks_before=$(server_cpu_ticks)
  started=$(now)
  BENCH_EVENT_PACE=$EVENT_RATE BENCH_EVENT_TAG=$tag start_wrk "$TMP/wrk-patch-$tag.txt" patch_camera.lua \
    "$EVENT_CONNECTIONS" $(( WARMUP + DURATION + 1 ))
  patch_pid=$LAST_WRK_PID
  sleep "$WARMUP"
  WINDOW_FROM=$(now)
  BENCH_GET_PACE=$GET_RATE start_wrk "$TMP/wrk-get-$tag.txt" get_camera.lua "$GET_CONNECTIONS" "$DURATION"
  finish_wrk "$LAST_WRK_PID" "$TMP/wrk-get-$tag.txt" "GET /cameras/{id} ($tag)"
  WINDOW_TO=$(now)
  GET_RESULT=$WRK_RESULT
  finish_wrk "$patch_pid" "$TMP/wrk-patch-$tag.txt" "PATCH /cameras/{id} ($tag)"
  PATCH_RESULT=$WRK_RESULT
  completed=$(wrk_completed "$TMP/wrk-patch-$tag.txt") || die "no request count in wrk-patch-$tag.txt"
  read -r _ _ _ non2xx _ <<<"$PATCH_RESULT"
  (( non2xx == 0 )) || log "warning: $non2xx PATCHes were not 2xx ($tag): fewer events than requests"
  PATCHED=$(( completed - non2xx ))
  CPU_PERCENT=$(awk -v a="$ticks_before" -v b="$(server_cpu_ticks)" -v t0="$started" -v t1="$(now)" \
    -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.0f", 100 * (b - a) / hz / (t1 - t0) }')
}

# wait_for_deliveries FROM EXPECTED: until the receiver has EXPECTED distinct webhook-ids since
# FROM, or DRAIN_TIMEOUT s; sets DRAINED (seconds waited, or "timeout").
wait_for_deliveries() {
  local from=$1 expected=$2 waited_from unique
  waited_from=$(now)
  DRAINED=timeout
  while awk -v a="$waited_from" -v b="$(now)" -v t="$DRAIN_TIMEOUT" 'BEGIN { exit !(b - a < t) }'; do
    server_alive
    sleep 0.5
    read -r _ unique <<<"$(deliveries "$from" inf)"
    if (( unique >= expected )); then
      DRAINED=$(awk -v a="$waited_from" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
      return 0
    fi
  done
}

cpu_ticks RUNS_TICKS_BEFORE
RUNS_START=$(now)
log "wrk: GET /cameras/{id} alone (${DURATION} s, $GET_CONNECTIONS connections)"
start_wrk "$TMP/wrk-get-alone.txt" get_camera.lua "$GET_CONNECTIONS" "$DURATION"
finish_wrk "$LAST_WRK_PID" "$TMP/wrk-get-alone.txt" "GET /cameras/{id} alone"
GET_ALONE=$WRK_RESULT

# Rows: "round kind patch_figures|get_figures|patched|cpu|rate min median max|lines unique|drained"
ROWS=()
for (( round = 1; round <= ROUNDS; round++ )); do
  log "round $round/$ROUNDS: baseline, no webhook: $EVENT_PACE_TEXT + GET /cameras/{id}"
  events_with_gets "base$round"
  sleep 0.5
  read -r lines _ <<<"$(deliveries "$WINDOW_FROM" "$WINDOW_TO")"
  ROWS+=("$round baseline|$PATCH_RESULT|$GET_RESULT|$PATCHED|$CPU_PERCENT|-|$lines -|-")
  (( BASELINE_ONLY == 1 )) && continue

  HOOK_ID=$(api POST /webhooks "{\"url\":\"$RECEIVER_URL\",\"events\":[\"*\"],\"description\":\"bench round $round\"}" \
    | json_field id)
  log "round $round/$ROUNDS: webhook $HOOK_ID for \"*\": $EVENT_PACE_TEXT + GET /cameras/{id}"
  FLOW_FROM=$(now)
  events_with_gets "hook$round"
  wait_for_deliveries "$FLOW_FROM" "$PATCHED"
  sleep 0.5
  RATES=$(delivery_rates "$WINDOW_FROM" "$WINDOW_TO")
  TOTALS=$(deliveries "$FLOW_FROM" inf)
  ROWS+=("$round webhook|$PATCH_RESULT|$GET_RESULT|$PATCHED|$CPU_PERCENT|$RATES|$TOTALS|$DRAINED")
  api DELETE "/webhooks/$HOOK_ID" >/dev/null
done
RSS_AFTER=$(process_rss_kib "$SERVER_PID")
cpu_ticks RUNS_TICKS_AFTER
OTHER_CPU=$(other_cpu_percent "$RUNS_TICKS_BEFORE" "$RUNS_TICKS_AFTER" \
  "$(awk -v a="$RUNS_START" -v b="$(now)" 'BEGIN { print b - a }')")

# --- report ----------------------------------------------------------------------------------------
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo 'no commit')
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
mkdir -p "$RESULTS_DIR"
{
  printf 'camfleet webhook benchmark  %s  %s\n' "$NOW" "$COMMIT"
  printf '%s cameras on SQLite (seeded in %s s); events: %s (PATCH /cameras/{id}) over %s connections;\n' \
    "$CAMERAS" "$SEED_SECONDS" "$EVENT_PACE_TEXT" "$EVENT_CONNECTIONS"
  printf 'GET /cameras/{id}: %s over %s connections for %s s, from %s s into the events; %s threads per wrk; %s cores\n' \
    "$( (( GET_RATE > 0 )) && echo "$GET_RATE/s" || echo "unpaced")" "$GET_CONNECTIONS" "$DURATION" "$WARMUP" "$THREADS" \
    "$(nproc)"
  printf 'receiver: nginx on 127.0.0.1 answering 204; camfleet RSS after the runs %s\n' "$(format_mib "$RSS_AFTER")"
  printf 'other processes used %s%% of the CPU during the runs%s\n' "$OTHER_CPU" \
    "$( (( OTHER_CPU > 5 )) && echo ': a busy machine, the figures are pessimistic')"
  (( BASELINE_ONLY == 1 )) && printf 'BASELINE ONLY (BENCH_WEBHOOKS_BASELINE_ONLY=1): no webhook runs, no delivery figures\n'
  echo
  read -r rps p50 p99 _ <<<"$GET_ALONE"
  printf 'GET /cameras/{id} alone, no events: %.0f req/s, p50 %.2f ms, p99 %.2f ms\n\n' "$rps" "$p50" "$p99"
  printf '%s\n' "${ROWS[@]}" | awk -F'|' -v target="$DELIVERY_TARGET" -v ratio_target="$RATIO_TARGET" \
      -v baseline_only="$BASELINE_ONLY" '
    function verdict(ok) { return ok ? "PASS" : "FAIL" }
    function median(values, count,    i, j, t) {
      for (i = 2; i <= count; i++)
        for (j = i; j > 1 && values[j - 1] > values[j]; j--) { t = values[j]; values[j] = values[j - 1]; values[j - 1] = t }
      return count % 2 ? values[(count + 1) / 2] : (values[count / 2] + values[count / 2 + 1]) / 2
    }
    BEGIN {
      printf "%-5s %-8s %9s %6s %11s %17s %9s %8s %8s %6s %7s\n", "round", "run", "events/s", "cpu%",
        "delivered/s", "per s min/med/max", "GET rq/s", "GET p50", "GET p99", "p99 x", "non-2xx"
    }
    {
      split($1, head, " "); split($2, patch, " "); split($3, get, " ")
      round = head[1]; kind = head[2]
      errors = patch[4] + patch[5] + get[4] + get[5]
      all_clean = all_clean + errors
      if (kind == "baseline") {
        base_p99[round] = get[3]
        split($7, seen, " ")
        stray += seen[1]
        printf "%-5s %-8s %9.0f %6s %11s %17s %9.0f %6.2fms %6.2fms %6s %7d\n", round, kind, patch[1], $5,
          "-", "-", get[1], get[2], get[3], "1.0", errors
        next
      }
      split($6, rate, " "); split($7, totals, " ")
      n++
      rates[n] = rate[1]
      ratios[n] = base_p99[round] > 0 ? get[3] / base_p99[round] : 1e9
      printf "%-5s %-8s %9.0f %6s %11.0f %17s %9.0f %6.2fms %6.2fms %6.2f %7d\n", round, kind, patch[1], $5,
        rate[1], rate[2] "/" rate[3] "/" rate[4], get[1], get[2], get[3], ratios[n], errors
      notes[n] = sprintf("round %s: %d events made, %d delivered (%d distinct webhook-ids, %d duplicates), %s", round,
        $4, totals[1], totals[2], totals[1] - totals[2],
        $8 == "timeout" ? "NOT ALL within the drain timeout" : "the last " $8 " s after the events ended")
      undelivered += ($4 > totals[2]) ? $4 - totals[2] : 0
      # Drained within a second of the last event: delivering kept up with the events made.
      if ($8 != "timeout" && $8 + 0 < 1) kept_up++
    }
    END {
      print ""
      for (i = 1; i <= n; i++) print notes[i]
      if (stray > 0) printf "warning: the receiver got %d POSTs during baseline runs (no webhook then)\n", stray
      if (baseline_only == 1) exit
      middle_rate = median(rates, n); ratio = median(ratios, n)
      if (n > 0 && kept_up == n)
        printf "deliveries kept up with the events in every round (drained within a second): delivered/s is the\n" \
          "rate events were made, a lower bound of what camfleet delivers (BENCH_EVENT_RATE=0 makes them unpaced)\n"
      printf "\ntarget  deliveries >= %d/s, steady (median of %d rounds)       %7.0f/s   %s\n", target, n,
        middle_rate, verdict(middle_rate >= target)
      printf "target  GET p99 with deliveries <= %.1fx baseline (median)     %7.2fx    %s\n", ratio_target, ratio,
        verdict(ratio <= ratio_target)
      printf "check   every event delivered, no request failed                 %7s    %s\n",
        undelivered + all_clean, verdict(undelivered == 0 && all_clean == 0)
    }'
} | tee "$RESULTS_DIR/webhooks-latest.txt"
