# shellcheck shell=bash
# Shared by the bench/*.sh scripts (sourced, not run): logging, installing the tools a
# benchmark lacks, stopping processes, ports, building camfleet, a throw-away PostgreSQL, the
# operator set-up through the API, and running and reading wrk. See bench/README.md.
#
# The sourcing script sets BENCH_DIR, ROOT and PYTHON first, and TMP (its temp dir) before calling
# anything that writes there (build_camfleet, api, setup_operator, start_postgres).

log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

require_positive_integers() {  # require_positive_integers VALUE...: dies on the first that is not
  local value
  for value in "$@"; do
    [[ $value =~ ^[1-9][0-9]*$ ]] || die "not a positive integer: '$value'"
  done
}

postgres_bindir() {  # prints the newest /usr/lib/postgresql/*/bin holding initdb, if any
  local dir
  # shellcheck disable=SC2012  # the names are /usr/lib/postgresql/VERSION/bin
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [[ -n $dir && -x $dir/initdb ]] && printf '%s\n' "$dir"
}

# install_missing [nginx] [postgres]: apt-get installs what is missing of wrk, curl, Python with
# requests, cmake (unless CAMFLEET_BIN is set), and of the extras named: nginx (nginx-light),
# postgres (the server, for scripts/pg-cluster.sh, and psql).
install_missing() {
  local packages=() extra
  command -v wrk >/dev/null 2>&1 || packages+=(wrk)
  command -v curl >/dev/null 2>&1 || packages+=(curl)
  for extra in "$@"; do
    case $extra in
      nginx) command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || packages+=(nginx-light) ;;
      postgres)
        postgres_bindir >/dev/null || packages+=(postgresql)
        command -v psql >/dev/null 2>&1 || packages+=(postgresql-client)
        ;;
      *) die "install_missing: unknown extra '$extra'" ;;
    esac
  done
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

# leave_tmp STATUS: the last step of a script's cleanup: keeps TMP when BENCH_KEEP=1 (and says
# so), else removes it; then exits with STATUS.
leave_tmp() {
  if [[ ${BENCH_KEEP:-0} == 1 ]]; then
    log "kept $TMP"
  else
    rm -rf "$TMP"
  fi
  exit "$1"
}

# stop_bench STATUS [PID NAME]...: the usual cleanup of a benchmark, last: stops the wrk runs in
# flight (WRK_PIDS), the helper run_child waits for (CHILD_PID), each PID given (empty: never
# started) and camfleet (SERVER_PID); after a failure shows the end of TMP/camfleet.log; then
# leave_tmp STATUS.
stop_bench() {
  local status=$1 pid
  shift
  for pid in "${WRK_PIDS[@]}"; do
    stop_process "$pid" wrk
  done
  [[ -n ${CHILD_PID:-} ]] && stop_process "$CHILD_PID" helper
  while (( $# >= 2 )); do
    [[ -n $1 ]] && stop_process "$1" "$2"
    shift 2
  done
  [[ -n ${SERVER_PID:-} ]] && stop_process "$SERVER_PID" camfleet
  if (( status != 0 && status != 130 && status != 143 )) && [[ -s $TMP/camfleet.log ]]; then
    log "last lines of the camfleet log:"
    tail -n 20 "$TMP/camfleet.log" >&2 || true
  fi
  leave_tmp "$status"
}

# run_child CMD...: runs CMD in the background and waits for it, so that Ctrl-C reaches the INT
# trap at once (and stop_bench stops CMD); returns CMD's status. Call it as `run_child ... || die`.
CHILD_PID=""
run_child() {
  "$@" &
  CHILD_PID=$!
  local status=0
  wait "$CHILD_PID" || status=$?
  CHILD_PID=""
  return "$status"
}

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }  # seconds since $1 (a now)

# trap_cleanup: runs the script's cleanup function on exit, and turns Ctrl-C and SIGTERM into
# exits (130, 143) so that it runs then too.
trap_cleanup() {
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

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

free_port() {
  "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

json_field() {  # json_field FIELD < JSON: prints the top-level field
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

process_rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }  # process_rss_kib PID
format_mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }

build_camfleet() {  # sets BIN: CAMFLEET_BIN, or a Release build in build-bench/ (log in TMP)
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
}

# --- a throw-away PostgreSQL ---------------------------------------------------------------------
PG_DIR=""
# start_postgres DIR: starts a cluster in DIR with scripts/pg-cluster.sh and creates the database
# camfleet_bench in it; prints the database's URL. Set PG_DIR=DIR before calling it in a command
# substitution, so that the cleanup stops the cluster even if this fails half-way.
start_postgres() {
  local dir=$1 url
  url=$("$ROOT/scripts/pg-cluster.sh" start "$dir") || die "cannot start PostgreSQL in $dir"
  [[ $url == postgres://*/postgres ]] || die "unexpected URL from scripts/pg-cluster.sh: '$url'"
  psql -X -q -v ON_ERROR_STOP=1 -d "$url" -c 'CREATE DATABASE camfleet_bench' >&2 \
    || die "cannot create the database camfleet_bench ($url)"
  printf '%s/camfleet_bench\n' "${url%/postgres}"
}
stop_postgres() {  # stops the cluster in PG_DIR, if one was started
  [[ -n $PG_DIR && -d $PG_DIR ]] || return 0
  "$ROOT/scripts/pg-cluster.sh" stop "$PG_DIR" || log "cannot stop PostgreSQL in $PG_DIR"
}

# --- the operator set-up through the API ---------------------------------------------------------
api() {  # api METHOD PATH [JSON]: prints the body, fails unless 2xx (uses BASE and TOKEN)
  local method=$1 path=$2 body=${3:-} out status
  local args=(-sS -o "$TMP/api.out" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $TOKEN")
  [[ -n $body ]] && args+=(-H 'Content-Type: application/json' --data "$body")
  status=$(curl "${args[@]}" "$BASE$path") || die "$method $path: curl failed"
  out=$(cat "$TMP/api.out")
  [[ $status == 2?? ]] || die "$method $path: HTTP $status $out"
  printf '%s' "$out"
}

# setup_operator DATABASE_URL: creates an operator API client with `camfleet admin create-client`,
# gets its token from BASE, creates an organisation and a site; sets TOKEN, ORG_ID and SITE_ID.
# shellcheck disable=SC2034  # ORG_ID and SITE_ID are for the caller
setup_operator() {
  local database=$1 client client_id client_secret
  client=$("$BIN" admin create-client --database "$database" --create --role operator --name bench)
  client_id=$(json_field clientId <<<"$client")
  client_secret=$(json_field clientSecret <<<"$client")
  TOKEN=$(curl -sS --fail-with-body -u "$client_id:$client_secret" \
    --data-urlencode grant_type=client_credentials "$BASE/oauth/token" | json_field access_token) \
    || die "POST /oauth/token failed"
  ORG_ID=$(api POST /organisations '{"name":"Bench Org"}' | json_field id)
  SITE_ID=$(api POST /sites "{\"name\":\"Bench Site\",\"timeZone\":\"UTC\",\"organisationId\":\"$ORG_ID\"}" | json_field id)
}

# --- wrk -----------------------------------------------------------------------------------------
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

# --- how busy the machine was -------------------------------------------------------------------
# CPU used by processes other than camfleet (SERVER_PID) and the sourcing script's children (wrk):
# a busy machine makes every figure worse. cpu_ticks VAR sets VAR to "all camfleet children": busy
# ticks of the whole machine (/proc/stat: user, nice, system and steal, the time a hypervisor gave
# other machines), of camfleet (/proc/PID/stat) and of this shell's waited-for children (`times`,
# run in this shell and not in a subshell, which would count none).
cpu_ticks() {
  local all server children
  all=$(awk '$1 == "cpu" { print $2 + $3 + $4 + $9 }' /proc/stat)  # user nice system steal
  server=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$SERVER_PID/stat")
  times >"$TMP/times.txt"
  children=$(awk -v hz="$(getconf CLK_TCK)" '
    NR == 2 {
      for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); total += (t[1] * 60 + t[2]) * hz }
      printf "%d\n", total
    }' "$TMP/times.txt")
  printf -v "$1" '%s %s %s' "$all" "$server" "$children"
}
other_cpu_percent() {  # other_cpu_percent "TICKS_BEFORE" "TICKS_AFTER" SECONDS: % of all cores
  awk -v a="$1" -v b="$2" -v s="$3" -v hz="$(getconf CLK_TCK)" -v n="$(nproc)" 'BEGIN {
    split(a, x, " "); split(b, y, " ")
    other = (y[1] - x[1]) - (y[2] - x[2]) - (y[3] - x[3])
    printf "%.0f", (other > 0 ? 100 * other / (hz * s * n) : 0)
  }'
}

# --- wrk in the background -----------------------------------------------------------------------
# wrk runs in the background and is waited for, so that Ctrl-C reaches the INT trap at once (wrk
# itself handles SIGINT by printing its results and exiting 0); WRK_PIDS lists the runs in flight
# for the cleanup to stop. The caller sets BASE and THREADS and defines server_alive.
WRK_PIDS=()
LAST_WRK_PID=""
# start_wrk OUTFILE SCRIPT CONNECTIONS SECONDS: wrk with bench/lua/SCRIPT against BASE; the
# variables the script reads are passed in the environment (VAR=value start_wrk ...).
start_wrk() {
  local out=$1 script=$2 connections=$3 seconds=$4
  wrk --latency -t "$THREADS" -c "$connections" -d "${seconds}s" --timeout 5s \
    -s "$BENCH_DIR/lua/$script" "$BASE" >"$out" 2>&1 &
  LAST_WRK_PID=$!
  WRK_PIDS+=("$LAST_WRK_PID")
}
WRK_RESULT=""
# shellcheck disable=SC2034  # WRK_RESULT is for the caller
finish_wrk() {  # finish_wrk PID OUTFILE NAME: waits for wrk; its parse_wrk figures into WRK_RESULT
  local pid=$1 out=$2 name=$3 remaining=() p
  wait "$pid" || { cat "$out" >&2; die "wrk failed: $name"; }
  for p in "${WRK_PIDS[@]}"; do
    [[ $p == "$pid" ]] || remaining+=("$p")
  done
  WRK_PIDS=("${remaining[@]}")
  server_alive
  WRK_RESULT=$(parse_wrk "$out") || { cat "$out" >&2; die "cannot parse wrk output: $name"; }
}
wrk_completed() {  # wrk_completed FILE: the requests wrk completed ("N requests in ...")
  awk '$2 == "requests" && $3 == "in" { print $1; found = 1 } END { exit !found }' "$1"
}
