#!/usr/bin/env bash
# camfleet benchmark: builds camfleet (Release), seeds BENCH_CAMERAS cameras through the API on a
# temporary database, runs bounded wrk scenarios on 127.0.0.1 against it and against nginx
# serving a static file of the same size (the ceiling), and prints a table (also written to
# bench/results/latest.txt, or latest-postgres-Nnode(s).txt on PostgreSQL). See bench/README.md.
#
# Environment: CAMFLEET_BIN (skip the build), BENCH_CAMERAS (10000), BENCH_DURATION (10, seconds
# per wrk run), BENCH_CONNECTIONS (64), BENCH_THREADS (2), BENCH_POOL (cameras cycled by the
# claim/delete scenario, half the fleet), BENCH_SEED_THREADS (16), BENCH_TMPDIR (parent of the temp dir),
# BENCH_KEEP=1 (keep the temp dir), BENCH_SERVER_ARGS (extra `camfleet serve` options, e.g.
# "--threads 4 --log-level warn"), PYTHON (/usr/bin/python3), BENCH_BACKEND (sqlite, or postgres:
# a throw-away cluster started with scripts/pg-cluster.sh), BENCH_NODES (1; more: that many nodes
# on the one PostgreSQL behind an nginx reverse proxy, which the scenarios then go through),
# BENCH_ROUNDS (3: pairs of GET /cameras/{id} and nginx runs, alternating, whose median ratio and
# p99 the targets use), BENCH_REPORT (also write the figures, tab-separated, to this file; bench/scaleout.sh reads it).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
CAMERAS=${BENCH_CAMERAS:-10000}
DURATION=${BENCH_DURATION:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_THREADS:-2}
SEED_THREADS=${BENCH_SEED_THREADS:-16}
BACKEND=${BENCH_BACKEND:-sqlite}
NODES=${BENCH_NODES:-1}
ROUNDS=${BENCH_ROUNDS:-3}
PYTHON=${PYTHON:-/usr/bin/python3}
RESULTS_DIR="$BENCH_DIR/results"
# shellcheck source=bench/lib.sh
. "$BENCH_DIR/lib.sh"

require_positive_integers "$CAMERAS" "$DURATION" "$CONNECTIONS" "$THREADS" "$SEED_THREADS" \
  "${BENCH_POOL:-1}" "$NODES" "$ROUNDS"
POOL=${BENCH_POOL:-$(( CAMERAS / 2 ))}
(( CONNECTIONS >= THREADS )) || die "BENCH_CONNECTIONS must be at least BENCH_THREADS"
[[ $BACKEND == sqlite || $BACKEND == postgres ]] || die "BENCH_BACKEND must be sqlite or postgres, not '$BACKEND'"
[[ $BACKEND == postgres ]] || (( NODES == 1 )) \
  || die "BENCH_NODES=$NODES needs BENCH_BACKEND=postgres: the nodes share one database"
if [[ $BACKEND == sqlite && $NODES == 1 ]]; then
  RESULTS_FILE="$RESULTS_DIR/latest.txt"
else
  RESULTS_FILE="$RESULTS_DIR/latest-$BACKEND-$NODES$( (( NODES == 1 )) && echo node || echo nodes).txt"
fi

# --- tools ---------------------------------------------------------------------------------------
if [[ $BACKEND == postgres ]]; then
  install_missing nginx postgres
else
  install_missing nginx
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# --- temp dir and cleanup ------------------------------------------------------------------------
TMP=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/camfleet-bench.XXXXXX")
SERVER_PIDS=()  # one per node, in order
NGINX_PID=""
WRK_PID=""

node_name() { (( NODES == 1 )) && echo camfleet || echo "camfleet node $1"; }  # node_name 1..N
node_log() { (( NODES == 1 )) && echo "$TMP/camfleet.log" || echo "$TMP/camfleet-$1.log"; }

cleanup() {
  local status=$? i
  trap - EXIT INT TERM
  [[ -n $WRK_PID ]] && stop_process "$WRK_PID" wrk
  [[ -n $NGINX_PID ]] && stop_process "$NGINX_PID" nginx
  for i in "${!SERVER_PIDS[@]}"; do
    stop_process "${SERVER_PIDS[i]}" "$(node_name $(( i + 1 )))"
  done
  stop_postgres
  if (( status != 0 && status != 130 && status != 143 )); then
    for (( i = 1; i <= NODES; i++ )); do
      [[ -s $(node_log "$i") ]] || continue
      log "last lines of the $(node_name "$i") log:"
      tail -n 20 "$(node_log "$i")" >&2 || true
    done
    if [[ -n $PG_DIR && -s $PG_DIR/server.log ]]; then
      log "last lines of the PostgreSQL log:"
      tail -n 10 "$PG_DIR/server.log" >&2 || true
    fi
  fi
  leave_tmp "$status"
}
trap_cleanup

servers_alive() {
  local i
  for i in "${!SERVER_PIDS[@]}"; do
    kill -0 "${SERVER_PIDS[i]}" 2>/dev/null \
      || die "$(node_name $(( i + 1 ))) (${SERVER_PIDS[i]}) is no longer running"
  done
}
rss_kib_all() { local pid; for pid in "${SERVER_PIDS[@]}"; do process_rss_kib "$pid"; done; }
cpu_ticks_all() {  # user + system clock ticks of each node, one line each
  local pid
  for pid in "${SERVER_PIDS[@]}"; do
    awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat"
  done
}

build_camfleet

# --- database, servers and seed ------------------------------------------------------------------
if [[ $BACKEND == postgres ]]; then
  PG_DIR=$TMP/pg
  log "starting a throw-away PostgreSQL cluster in $PG_DIR"
  DB=$(start_postgres "$PG_DIR")
  PG_VERSION=$(psql -X -A -t -d "$DB" -c 'SHOW server_version') || die "psql $DB failed"
  DB_SHOWN=$DB
else
  DB="sqlite:$TMP/bench.db"
  DB_SHOWN=$TMP/bench.db
fi
read -ra SERVER_ARGS <<<"${BENCH_SERVER_ARGS:-}"
NODE_PORTS=()
for (( i = 1; i <= NODES; i++ )); do
  port=$(free_port)
  log "starting $(node_name "$i") on http://127.0.0.1:$port (database $DB_SHOWN)"
  "$BIN" serve --listen "127.0.0.1:$port" --database "$DB" "${SERVER_ARGS[@]}" \
    >>"$TMP/camfleet.out" 2>"$(node_log "$i")" &
  SERVER_PIDS+=("$!")
  NODE_PORTS+=("$port")
  wait_http "http://127.0.0.1:$port/healthz" "$!" "$(node_name "$i")"
done

# nginx: the static file (the ceiling, written once the body size is known) and, with several
# nodes, the reverse proxy in front of them, which every request of the benchmark then goes to.
NGINX_PORT=$(free_port)
mkdir -p "$TMP/www" "$TMP/nginx-temp"
NGINX_USER=""
(( EUID == 0 )) && NGINX_USER="user root root;"  # workers must read the 0700 temp dir
PROXY_CONF=""
if (( NODES > 1 )); then
  PROXY_PORT=$(free_port)
  # Keep-alive to the nodes (HTTP/1.1, no "Connection: close"), idle ones dropped after 20 s,
  # before camfleet's --connection-timeout (30 s) closes them under nginx: as deploy/nginx-camfleet.conf.
  PROXY_CONF="upstream camfleet {
$(for port in "${NODE_PORTS[@]}"; do printf '    server 127.0.0.1:%s;\n' "$port"; done)
    keepalive 64;
    keepalive_requests 1000000;
    keepalive_timeout 20s;
  }
  server {
    listen 127.0.0.1:$PROXY_PORT;
    client_max_body_size 3m;
    location / {
      proxy_pass http://camfleet;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
      proxy_set_header Host \$http_host;
      proxy_read_timeout 75s;
    }
  }"
fi
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
  $PROXY_CONF
}
EOF
"$NGINX" -p "$TMP" -e "$TMP/nginx-error.log" -c "$TMP/nginx.conf" &
NGINX_PID=$!
wait_http "http://127.0.0.1:$NGINX_PORT/camera.json" "$NGINX_PID" nginx

if (( NODES > 1 )); then
  BASE="http://127.0.0.1:$PROXY_PORT"
  log "nginx balances $NODES nodes on $BASE"
  for (( i = 1; i <= NODES; i++ )); do  # round robin: one request to each node
    curl -sS -f -o /dev/null --max-time 5 "$BASE/healthz" || die "GET /healthz through nginx failed"
  done
else
  BASE="http://127.0.0.1:${NODE_PORTS[0]}"
fi

setup_operator "$DB"

log "seeding $CAMERAS cameras at site $SITE_ID"
SEED_START=$(date +%s.%N)
BENCH_TOKEN=$TOKEN "$PYTHON" "$BENCH_DIR/seed.py" --url "$BASE" --site "$SITE_ID" \
  --count "$CAMERAS" --threads "$SEED_THREADS" --out "$TMP/cameras.txt"
SEED_SECONDS=$(awk -v a="$SEED_START" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
if [[ $BACKEND == postgres ]]; then
  # Planner statistics for the freshly loaded tables, as autovacuum would gather within a minute
  # or so of a bulk load; without them the first plans of the list query are guesses.
  psql -X -q -v ON_ERROR_STOP=1 -d "$DB" -c 'VACUUM ANALYZE' >&2 || die "VACUUM ANALYZE failed"
fi
servers_alive
read -ra RSS_SEEDED <<<"$(rss_kib_all | tr '\n' ' ')"
log "seeded in ${SEED_SECONDS} s; camfleet RSS$(for kib in "${RSS_SEEDED[@]}"; do printf ' %s' "$(format_mib "$kib")"; done)"

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

# The ceiling: a file of exactly the size of one camera's body.
"$PYTHON" - "$BODY_SIZE" "$TMP/www/camera.json" <<'EOF'
import sys
size, path = int(sys.argv[1]), sys.argv[2]
head = '{"padding":"'
tail = '"}'
body = head + "x" * max(0, size - len(head) - len(tail)) + tail if size >= len(head) + len(tail) else "x" * size
open(path, "w").write(body)
EOF

# --- wrk runs ------------------------------------------------------------------------------------
declare -a ROWS=()  # "key|name|requests/s p50 p99 non2xx errors"
run_wrk() {  # run_wrk KEY NAME OUTFILE URL [SCRIPT]
  local key=$1 name=$2 out=$3 url=$4 script=${5:-} args
  args=(--latency -t "$THREADS" -c "$CONNECTIONS" -d "${DURATION}s" --timeout 5s)
  [[ -n $script ]] && args+=(-s "$script")
  log "wrk: $name (${DURATION} s, $THREADS threads, $CONNECTIONS connections)"
  # In the background + wait, so that Ctrl-C reaches the INT trap at once (wrk itself handles
  # SIGINT by printing its results and exiting 0, which a foreground wait would take as handled).
  wrk "${args[@]}" "$url" >"$out" 2>&1 &
  WRK_PID=$!
  wait "$WRK_PID" || { cat "$out" >&2; die "wrk failed: $name"; }
  WRK_PID=""
  servers_alive
  local parsed
  parsed=$(parse_wrk "$out") || { cat "$out" >&2; die "cannot parse wrk output: $name"; }
  ROWS+=("$key|$name|$parsed")
}
row_values() {  # row_values KEY: the "requests/s p50 p99 non2xx errors" of the row with KEY
  local row
  for row in "${ROWS[@]}"; do
    [[ ${row%%|*} == "$1" ]] && { cut -d'|' -f3 <<<"$row"; return 0; }
  done
  die "no wrk row $1"
}

read -ra CPU_BEFORE <<<"$(cpu_ticks_all | tr '\n' ' ')"
run_wrk get "GET /cameras/{id}" "$TMP/wrk-get.txt" "$BASE" "$BENCH_DIR/lua/get_camera.lua"
run_wrk page "GET /cameras?siteId&limit=100" "$TMP/wrk-page.txt" "$BASE" "$BENCH_DIR/lua/list_page.lua"
run_wrk claim "POST+DELETE /cameras" "$TMP/wrk-claim.txt" "$BASE" "$BENCH_DIR/lua/claim_delete.lua"
read -ra CPU_AFTER <<<"$(cpu_ticks_all | tr '\n' ' ')"
run_wrk nginx "nginx static (${BODY_SIZE} B)" "$TMP/wrk-nginx.txt" "http://127.0.0.1:$NGINX_PORT/camera.json"
servers_alive
# The ceiling ratio from ROUNDS alternating pairs of runs (GET, then nginx), the first pair being
# the rows above: on a shared machine the two halves of one pair can see different neighbours,
# so the targets use the median over the pairs, and every pair's figures are printed.
ROUND_FIGURES=()  # "get_rps get_p99 nginx_rps" per pair
read -r get_rps _ get_p99 _ <<<"$(row_values get)"
read -r nginx_rps _ <<<"$(row_values nginx)"
ROUND_FIGURES+=("$get_rps $get_p99 $nginx_rps")
for (( round = 2; round <= ROUNDS; round++ )); do
  run_wrk "get$round" "GET /cameras/{id} (pair $round)" "$TMP/wrk-get-$round.txt" "$BASE" \
    "$BENCH_DIR/lua/get_camera.lua"
  run_wrk "nginx$round" "nginx static (pair $round)" "$TMP/wrk-nginx-$round.txt" \
    "http://127.0.0.1:$NGINX_PORT/camera.json"
  read -r get_rps _ get_p99 _ <<<"$(row_values "get$round")"
  read -r nginx_rps _ <<<"$(row_values "nginx$round")"
  ROUND_FIGURES+=("$get_rps $get_p99 $nginx_rps")
done
read -ra RSS_AFTER <<<"$(rss_kib_all | tr '\n' ' ')"
CPU_SECONDS=()  # per node, during the three camfleet scenarios
for i in "${!SERVER_PIDS[@]}"; do
  CPU_SECONDS+=("$(awk -v a="${CPU_BEFORE[i]}" -v b="${CPU_AFTER[i]}" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "%.1f", (b - a) / hz }')")
done
RSS_MAX_SEEDED=$(printf '%s\n' "${RSS_SEEDED[@]}" | sort -n | tail -n 1)
RSS_MAX_AFTER=$(printf '%s\n' "${RSS_AFTER[@]}" | sort -n | tail -n 1)

# --- report --------------------------------------------------------------------------------------
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo 'no commit')
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
mkdir -p "$RESULTS_DIR"
{
  printf 'camfleet benchmark  %s  %s\n' "$NOW" "$COMMIT"
  printf '%s cameras seeded in %s s; wrk %s s, %s threads, %s connections; %s cores\n' \
    "$CAMERAS" "$SEED_SECONDS" "$DURATION" "$THREADS" "$CONNECTIONS" "$(nproc)"
  if [[ $BACKEND == postgres ]]; then
    printf 'database: PostgreSQL %s (throw-away cluster on this machine); ' "$PG_VERSION"
    if (( NODES == 1 )); then
      printf 'one camfleet node\n'
    else
      printf '%s camfleet nodes behind nginx (round robin, keep-alive upstream)\n' "$NODES"
    fi
  fi
  echo
  printf '%-32s %12s %10s %10s %8s %8s\n' scenario requests/s p50 p99 non-2xx errors
  printf '%-32s %12s %10s %10s %8s %8s\n' \
    -------------------------------- ------------ ---------- ---------- -------- --------
  for row in "${ROWS[@]}"; do
    IFS='|' read -r _ name values <<<"$row"
    read -r rps p50 p99 non2xx errors <<<"$values"
    printf '%-32s %12.0f %8.2fms %8.2fms %8d %8d\n' "$name" "$rps" "$p50" "$p99" "$non2xx" "$errors"
  done
  echo
  printf 'GET /cameras?siteId (all %s rows, one request): %.1f ms, %s bytes\n' \
    "$FULL_COUNT" "$(awk -v t="$FULL_TIME" 'BEGIN { print t * 1000 }')" "$FULL_SIZE"
  if (( NODES == 1 )); then
    printf 'camfleet RSS: %s after seeding, %s after the runs\n\n' \
      "$(format_mib "${RSS_SEEDED[0]}")" "$(format_mib "${RSS_AFTER[0]}")"
    rss_label="RSS < 64 MiB with $CAMERAS cameras            "
  else
    for i in "${!SERVER_PIDS[@]}"; do
      printf 'camfleet node %d (127.0.0.1:%s): RSS %s after seeding, %s after the runs; %s s CPU in the camfleet scenarios\n' \
        $(( i + 1 )) "${NODE_PORTS[i]}" "$(format_mib "${RSS_SEEDED[i]}")" \
        "$(format_mib "${RSS_AFTER[i]}")" "${CPU_SECONDS[i]}"
    done
    echo
    rss_label="RSS < 64 MiB per node, $CAMERAS cameras       "
  fi
  printf '%s\n' "${ROUND_FIGURES[@]}" | awk -v c="$CONNECTIONS" \
      -v rss1="$RSS_MAX_SEEDED" -v rss2="$RSS_MAX_AFTER" -v rss_label="$rss_label" '
    function verdict(ok) { return ok ? "PASS" : "FAIL" }
    function median(values, count,    i, j, t) {
      for (i = 2; i <= count; i++)
        for (j = i; j > 1 && values[j - 1] > values[j]; j--) { t = values[j]; values[j] = values[j - 1]; values[j - 1] = t }
      return count % 2 ? values[(count + 1) / 2] : (values[count / 2] + values[count / 2 + 1]) / 2
    }
    {
      n++
      ratios[n] = $3 > 0 ? 100 * $1 / $3 : 0
      p99s[n] = $2
      printf "pair %d: GET /cameras/{id} %.0f req/s (p99 %.2f ms), nginx static %.0f req/s: %.1f%%\n", n, $1, $2, $3, ratios[n]
    }
    END {
      ratio = median(ratios, n)
      p99 = median(p99s, n)
      rss = (rss1 > rss2 ? rss1 : rss2) / 1024
      printf "ratio GET /cameras/{id} / nginx static (median of %d pairs): %.1f%%\n", n, ratio
      printf "target  GET /cameras/{id} >= 50%% of nginx static   %5.1f%%     %s\n", ratio, verdict(ratio >= 50)
      printf "target  GET /cameras/{id} p99 < 5 ms at %d conns   %6.2f ms  %s\n", c, p99, verdict(p99 < 5)
      printf "target  %s%6.1f MiB %s\n", rss_label, rss, verdict(rss < 64)
    }'
} | tee "$RESULTS_FILE"

# --- machine-readable report, for bench/scaleout.sh ----------------------------------------------
# Tab-separated lines: "config KEY VALUE", "scenario KEY NAME REQUESTS/S P50_MS P99_MS NON2XX
# ERRORS" (keys get, page, claim, nginx), "full_list ROWS MS BYTES", "node N PORT RSS_SEEDED_KIB
# RSS_AFTER_KIB CPU_SECONDS". Written to a temp file first: the file exists only when complete.
if [[ -n ${BENCH_REPORT:-} ]]; then
  {
    printf 'config\t%s\t%s\n' backend "$BACKEND" nodes "$NODES" cameras "$CAMERAS" \
      duration "$DURATION" threads "$THREADS" connections "$CONNECTIONS" \
      seed_seconds "$SEED_SECONDS" body_bytes "$BODY_SIZE" cores "$(nproc)" commit "$COMMIT" \
      date "$NOW" postgres_version "${PG_VERSION:--}" server_args "${BENCH_SERVER_ARGS:--}"
    for row in "${ROWS[@]}"; do
      IFS='|' read -r key name values <<<"$row"
      read -r rps p50 p99 non2xx errors <<<"$values"
      printf 'scenario\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$key" "$name" "$rps" "$p50" "$p99" "$non2xx" "$errors"
    done
    printf 'full_list\t%s\t%s\t%s\n' "$FULL_COUNT" \
      "$(awk -v t="$FULL_TIME" 'BEGIN { printf "%.1f", t * 1000 }')" "$FULL_SIZE"
    for i in "${!SERVER_PIDS[@]}"; do
      printf 'node\t%d\t%s\t%s\t%s\t%s\n' $(( i + 1 )) "${NODE_PORTS[i]}" "${RSS_SEEDED[i]}" \
        "${RSS_AFTER[i]}" "${CPU_SECONDS[i]}"
    done
  } >"$BENCH_REPORT.tmp"
  mv "$BENCH_REPORT.tmp" "$BENCH_REPORT"
fi
