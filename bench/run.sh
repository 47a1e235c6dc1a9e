#!/usr/bin/env bash
# camfleet benchmark: builds camfleet (Release), seeds BENCH_CAMERAS cameras through the API on a
# temporary SQLite database, runs bounded wrk scenarios on 127.0.0.1 against it and against nginx
# serving a static file of the same size (the ceiling), and prints a table (also written to
# bench/results/latest.txt). See bench/README.md.
#
# Environment: CAMFLEET_BIN (skip the build), BENCH_CAMERAS (10000), BENCH_DURATION (10, seconds
# per wrk run), BENCH_CONNECTIONS (64), BENCH_THREADS (2), BENCH_POOL (cameras cycled by the
# claim/delete scenario, half the fleet), BENCH_SEED_THREADS (16), BENCH_TMPDIR (parent of the temp dir),
# BENCH_KEEP=1 (keep the temp dir), BENCH_SERVER_ARGS (extra `camfleet serve` options, e.g.
# "--threads 4 --log-level warn"), PYTHON (/usr/bin/python3).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
CAMERAS=${BENCH_CAMERAS:-10000}
DURATION=${BENCH_DURATION:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_THREADS:-2}
SEED_THREADS=${BENCH_SEED_THREADS:-16}
PYTHON=${PYTHON:-/usr/bin/python3}
RESULTS_DIR="$BENCH_DIR/results"

log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

for value in "$CAMERAS" "$DURATION" "$CONNECTIONS" "$THREADS" "$SEED_THREADS" "${BENCH_POOL:-1}"; do
  [[ $value =~ ^[1-9][0-9]*$ ]] || die "not a positive integer: '$value'"
done
POOL=${BENCH_POOL:-$(( CAMERAS / 2 ))}
(( CONNECTIONS >= THREADS )) || die "BENCH_CONNECTIONS must be at least BENCH_THREADS"

# --- tools ---------------------------------------------------------------------------------------
install_missing() {
  local packages=()
  command -v wrk >/dev/null 2>&1 || packages+=(wrk)
  command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || packages+=(nginx-light)
  command -v curl >/dev/null 2>&1 || packages+=(curl)
  if [[ ! -x $PYTHON ]]; then
    packages+=(python3 python3-requests)
  elif ! "$PYTHON" -c 'import requests' >/dev/null 2>&1; then
    packages+=(python3-requests)
  fi
  if [[ -z ${CAMFLEET_BIN:-} ]]; then
    command -v cmake >/dev/null 2>&1 || packages+=(cmake)
  fi
  (( ${#packages[@]} == 0 )) && return 0
  log "installing ${packages[*]}"
  local sudo=()
  (( EUID == 0 )) || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${packages[@]}" >/dev/null
}
install_missing
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# --- temp dir and cleanup ------------------------------------------------------------------------
TMP=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/camfleet-bench.XXXXXX")
SERVER_PID=""
NGINX_PID=""
WRK_PID=""

stop_process() {  # stop_process PID NAME: SIGTERM, then SIGKILL after 5 s
  local pid=$1 name=$2 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for (( i = 0; i < 50; i++ )); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name ($pid) did not stop on SIGTERM; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  [[ -n $WRK_PID ]] && stop_process "$WRK_PID" wrk
  [[ -n $NGINX_PID ]] && stop_process "$NGINX_PID" nginx
  [[ -n $SERVER_PID ]] && stop_process "$SERVER_PID" camfleet
  if (( status != 0 && status != 130 && status != 143 )) && [[ -s $TMP/camfleet.log ]]; then
    log "last lines of the camfleet log:"
    tail -n 20 "$TMP/camfleet.log" >&2 || true
  fi
  if [[ ${BENCH_KEEP:-0} == 1 ]]; then
    log "kept $TMP"
  else
    rm -rf "$TMP"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

json_field() {  # json_field FIELD < JSON: prints the top-level string field
  "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

wait_http() {  # wait_http URL PID NAME: until URL answers (any HTTP status) or 15 s
  local url=$1 pid=$2 name=$3 i
  for (( i = 0; i < 150; i++ )); do
    kill -0 "$pid" 2>/dev/null || die "$name exited during start-up"
    curl -s -o /dev/null --max-time 1 "$url" && return 0
    sleep 0.1
  done
  die "$name does not answer on $url"
}

server_alive() { kill -0 "$SERVER_PID" 2>/dev/null || die "camfleet ($SERVER_PID) is no longer running"; }
rss_kib() { server_alive; awk '/^VmRSS:/ { print $2 }' "/proc/$SERVER_PID/status"; }
format_mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }

# --- build ---------------------------------------------------------------------------------------
if [[ -n ${CAMFLEET_BIN:-} ]]; then
  BIN=$CAMFLEET_BIN
else
  log "building camfleet (Release) in build-bench/"
  if ! { cmake -S "$ROOT" -B "$ROOT/build-bench" -DCMAKE_BUILD_TYPE=Release \
         && cmake --build "$ROOT/build-bench" -j2 --target camfleet; } >"$TMP/build.log" 2>&1; then
    tail -n 30 "$TMP/build.log" >&2
    die "build failed (log above)"
  fi
  BIN=$ROOT/build-bench/camfleet
fi
[[ -x $BIN ]] || die "no camfleet binary at $BIN"

# --- server and seed -----------------------------------------------------------------------------
DB="sqlite:$TMP/bench.db"
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
log "starting camfleet on $BASE (database $TMP/bench.db)"
read -ra SERVER_ARGS <<<"${BENCH_SERVER_ARGS:-}"
"$BIN" serve --listen "127.0.0.1:$PORT" --database "$DB" "${SERVER_ARGS[@]}" \
  >"$TMP/camfleet.out" 2>"$TMP/camfleet.log" &
SERVER_PID=$!
wait_http "$BASE/healthz" "$SERVER_PID" camfleet

CLIENT=$("$BIN" admin create-client --database "$DB" --role operator --name bench)
CLIENT_ID=$(json_field clientId <<<"$CLIENT")
CLIENT_SECRET=$(json_field clientSecret <<<"$CLIENT")

api() {  # api METHOD PATH [JSON]: prints the body, fails unless 2xx
  local method=$1 path=$2 body=${3:-} out status
  local args=(-sS -o "$TMP/api.out" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $TOKEN")
  [[ -n $body ]] && args+=(-H 'Content-Type: application/json' --data "$body")
  status=$(curl "${args[@]}" "$BASE$path") || die "$method $path: curl failed"
  out=$(cat "$TMP/api.out")
  [[ $status == 2?? ]] || die "$method $path: HTTP $status $out"
  printf '%s' "$out"
}

TOKEN=$(curl -sS --fail-with-body -u "$CLIENT_ID:$CLIENT_SECRET" \
  --data-urlencode grant_type=client_credentials "$BASE/oauth/token" | json_field access_token) \
  || die "POST /oauth/token failed"
ORG_ID=$(api POST /organisations '{"name":"Bench Org"}' | json_field id)
SITE_ID=$(api POST /sites "{\"name\":\"Bench Site\",\"organisationId\":\"$ORG_ID\"}" | json_field id)

log "seeding $CAMERAS cameras at site $SITE_ID"
SEED_START=$(date +%s.%N)
BENCH_TOKEN=$TOKEN "$PYTHON" "$BENCH_DIR/seed.py" --url "$BASE" --site "$SITE_ID" \
  --count "$CAMERAS" --threads "$SEED_THREADS" --out "$TMP/cameras.txt"
SEED_SECONDS=$(awk -v a="$SEED_START" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
RSS_SEEDED=$(rss_kib)
log "seeded in ${SEED_SECONDS} s; camfleet RSS $(format_mib "$RSS_SEEDED")"

# The claim/delete pool: the last POOL seeded cameras (default and at most half the fleet), one
# slice per wrk thread. Deletes run LAG = half a slice ahead of the claims, so consecutive
# operations on one camera are half a slice of requests apart: a request overtaken by that many
# others would make the next operation on its camera fail (409/422) and show as non-2xx.
(( POOL <= CAMERAS / 2 )) || POOL=$(( CAMERAS / 2 ))
tail -n "$POOL" "$TMP/cameras.txt" >"$TMP/pool.txt"
PER_THREAD_CONNECTIONS=$(( CONNECTIONS / THREADS ))
LAG=$(( POOL / THREADS / 2 ))
(( LAG > 2 * PER_THREAD_CONNECTIONS )) \
  || die "the claim/delete pool ($POOL cameras) is too small for $CONNECTIONS connections: raise BENCH_CAMERAS or BENCH_POOL"

export BENCH_TOKEN=$TOKEN BENCH_SITE=$SITE_ID BENCH_LUA_DIR=$BENCH_DIR/lua BENCH_THREADS=$THREADS
export BENCH_CAMERAS_FILE=$TMP/cameras.txt BENCH_POOL_FILE=$TMP/pool.txt BENCH_LAG=$LAG

# Body of one camera, and the full unpaginated list in one request.
FIRST_ID=$(awk 'NR == 1 { print $1 }' "$TMP/cameras.txt")
read -r BODY_SIZE BODY_STATUS < <(curl -sS -o /dev/null -w '%{size_download} %{http_code}\n' \
  -H "Authorization: Bearer $TOKEN" "$BASE/cameras/$FIRST_ID")
[[ $BODY_STATUS == 200 ]] || die "GET /cameras/$FIRST_ID: HTTP $BODY_STATUS"
read -r FULL_TIME FULL_SIZE FULL_STATUS < <(curl -sS -o "$TMP/full-list.json" \
  -w '%{time_total} %{size_download} %{http_code}\n' --max-time 60 \
  -H "Authorization: Bearer $TOKEN" "$BASE/cameras?siteId=$SITE_ID")
[[ $FULL_STATUS == 200 ]] || die "GET /cameras?siteId=...: HTTP $FULL_STATUS"
FULL_COUNT=$("$PYTHON" -c 'import json, sys; print(len(json.load(open(sys.argv[1]))))' "$TMP/full-list.json")

# --- nginx, the ceiling --------------------------------------------------------------------------
NGINX_PORT=$(free_port)
mkdir -p "$TMP/www" "$TMP/nginx-temp"
"$PYTHON" - "$BODY_SIZE" "$TMP/www/camera.json" <<'EOF'
import sys
size, path = int(sys.argv[1]), sys.argv[2]
head = '{"padding":"'
tail = '"}'
body = head + "x" * max(0, size - len(head) - len(tail)) + tail if size >= len(head) + len(tail) else "x" * size
open(path, "w").write(body)
EOF
NGINX_USER=""
(( EUID == 0 )) && NGINX_USER="user root root;"  # workers must read the 0700 temp dir
cat >"$TMP/nginx.conf" <<EOF
$NGINX_USER
worker_processes 2;
daemon off;
pid $TMP/nginx.pid;
error_log $TMP/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  default_type application/json;
  client_body_temp_path $TMP/nginx-temp/body;
  proxy_temp_path $TMP/nginx-temp/proxy;
  fastcgi_temp_path $TMP/nginx-temp/fastcgi;
  uwsgi_temp_path $TMP/nginx-temp/uwsgi;
  scgi_temp_path $TMP/nginx-temp/scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $TMP/www;
  }
}
EOF
"$NGINX" -p "$TMP" -e "$TMP/nginx-error.log" -c "$TMP/nginx.conf" &
NGINX_PID=$!
wait_http "http://127.0.0.1:$NGINX_PORT/camera.json" "$NGINX_PID" nginx

# --- wrk runs ------------------------------------------------------------------------------------
# parse_wrk FILE: prints "requests/s p50_ms p99_ms non2xx socket_errors"
parse_wrk() {
  awk '
    function ms(v) {
      if (v ~ /us$/) return v / 1000
      if (v ~ /ms$/) return v + 0
      if (v ~ /m$/)  return v * 60000
      if (v ~ /s$/)  return v * 1000
      return v + 0
    }
    $1 == "50%"                   { p50 = ms($2) }
    $1 == "99%"                   { p99 = ms($2) }
    /^Requests\/sec:/             { rps = $2 }
    /Non-2xx or 3xx responses:/   { non2xx = $NF }
    /Socket errors:/ {
      gsub(/,/, "")
      errors = $4 + $6 + $8 + $10
    }
    END {
      if (rps == "") exit 1
      printf "%s %.3f %.3f %d %d\n", rps, p50, p99, non2xx, errors
    }' "$1"
}

declare -a ROWS=()
run_wrk() {  # run_wrk NAME OUTFILE URL [SCRIPT]
  local name=$1 out=$2 url=$3 script=${4:-} args
  args=(--latency -t "$THREADS" -c "$CONNECTIONS" -d "${DURATION}s" --timeout 5s)
  [[ -n $script ]] && args+=(-s "$script")
  log "wrk: $name (${DURATION} s, $THREADS threads, $CONNECTIONS connections)"
  # In the background + wait, so that Ctrl-C reaches the INT trap at once (wrk itself handles
  # SIGINT by printing its results and exiting 0, which a foreground wait would take as handled).
  wrk "${args[@]}" "$url" >"$out" 2>&1 &
  WRK_PID=$!
  wait "$WRK_PID" || { cat "$out" >&2; die "wrk failed: $name"; }
  WRK_PID=""
  server_alive
  local parsed
  parsed=$(parse_wrk "$out") || { cat "$out" >&2; die "cannot parse wrk output: $name"; }
  ROWS+=("$name|$parsed")
}

run_wrk "GET /cameras/{id}" "$TMP/wrk-get.txt" "$BASE" "$BENCH_DIR/lua/get_camera.lua"
run_wrk "GET /cameras?siteId&limit=100" "$TMP/wrk-page.txt" "$BASE" "$BENCH_DIR/lua/list_page.lua"
run_wrk "POST+DELETE /cameras" "$TMP/wrk-claim.txt" "$BASE" "$BENCH_DIR/lua/claim_delete.lua"
run_wrk "nginx static (${BODY_SIZE} B)" "$TMP/wrk-nginx.txt" "http://127.0.0.1:$NGINX_PORT/camera.json"
RSS_AFTER=$(rss_kib)

# --- report --------------------------------------------------------------------------------------
mkdir -p "$RESULTS_DIR"
{
  printf 'camfleet benchmark  %s  %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo 'no commit')"
  printf '%s cameras seeded in %s s; wrk %s s, %s threads, %s connections; %s cores\n\n' \
    "$CAMERAS" "$SEED_SECONDS" "$DURATION" "$THREADS" "$CONNECTIONS" "$(nproc)"
  printf '%-32s %12s %10s %10s %8s %8s\n' scenario requests/s p50 p99 non-2xx errors
  printf '%-32s %12s %10s %10s %8s %8s\n' \
    -------------------------------- ------------ ---------- ---------- -------- --------
  for row in "${ROWS[@]}"; do
    IFS='|' read -r name values <<<"$row"
    read -r rps p50 p99 non2xx errors <<<"$values"
    printf '%-32s %12.0f %8.2fms %8.2fms %8d %8d\n' "$name" "$rps" "$p50" "$p99" "$non2xx" "$errors"
  done
  echo
  read -r get_rps _ get_p99 _ <<<"$(cut -d'|' -f2 <<<"${ROWS[0]}")"
  read -r nginx_rps _ <<<"$(cut -d'|' -f2 <<<"${ROWS[3]}")"
  printf 'GET /cameras?siteId (all %s rows, one request): %.1f ms, %s bytes\n' \
    "$FULL_COUNT" "$(awk -v t="$FULL_TIME" 'BEGIN { print t * 1000 }')" "$FULL_SIZE"
  printf 'camfleet RSS: %s after seeding, %s after the runs\n\n' \
    "$(format_mib "$RSS_SEEDED")" "$(format_mib "$RSS_AFTER")"
  awk -v get="$get_rps" -v nginx="$nginx_rps" -v p99="$get_p99" -v c="$CONNECTIONS" \
      -v rss1="$RSS_SEEDED" -v rss2="$RSS_AFTER" -v n="$CAMERAS" '
    function verdict(ok) { return ok ? "PASS" : "FAIL" }
    BEGIN {
      ratio = nginx > 0 ? 100 * get / nginx : 0
      rss = (rss1 > rss2 ? rss1 : rss2) / 1024
      printf "ratio GET /cameras/{id} / nginx static: %.1f%%\n", ratio
      printf "target  GET /cameras/{id} >= 50%% of nginx static   %5.1f%%     %s\n", ratio, verdict(ratio >= 50)
      printf "target  GET /cameras/{id} p99 < 5 ms at %d conns   %6.2f ms  %s\n", c, p99, verdict(p99 < 5)
      printf "target  RSS < 64 MiB with %d cameras            %6.1f MiB %s\n", n, rss, verdict(rss < 64)
    }'
} | tee "$RESULTS_DIR/latest.txt"
