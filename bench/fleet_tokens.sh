#!/usr/bin/env bash
# camfleet token benchmark (issue 13, "tokens for existing device credentials"): builds camfleet
# (Release), seeds BENCH_TOKEN_CAMERAS cameras on a temporary SQLite database, issues each its
# device credentials (and a first token), then has wrk hammer POST /oauth/token client_credentials
# with those existing credentials, rotating over the fleet, as cameras do when they reconnect after
# an outage or a server restart. Prints tokens/s per round, their median against the target
# (>= 5,000/s), and the set-up times (also written to bench/results/fleet-tokens-latest.txt).
# The lead's bench/fleet.sh calls it; see bench/README.md "Tokens for existing device credentials".
#
# Environment: CAMFLEET_BIN (skip the build), BENCH_TOKEN_CAMERAS (2000), BENCH_DURATION (10, seconds
# per wrk run), BENCH_TOKEN_CONNECTIONS (32), BENCH_ROUNDS (3), BENCH_THREADS (2, wrk threads),
# BENCH_SEED_THREADS (16), BENCH_TOKEN_FORM=1 (credentials in the form instead of HTTP Basic),
# BENCH_TMPDIR (parent of the temp dir), BENCH_KEEP=1 (keep the temp dir), BENCH_SERVER_ARGS
# (extra `camfleet serve` options), PYTHON (/usr/bin/python3).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
CAMERAS=${BENCH_TOKEN_CAMERAS:-2000}
DURATION=${BENCH_DURATION:-10}
CONNECTIONS=${BENCH_TOKEN_CONNECTIONS:-32}
ROUNDS=${BENCH_ROUNDS:-3}
THREADS=${BENCH_THREADS:-2}
SEED_THREADS=${BENCH_SEED_THREADS:-16}
PYTHON=${PYTHON:-/usr/bin/python3}
RESULTS_DIR="$BENCH_DIR/results"
TOKENS_TARGET=5000  # tokens/s for existing device credentials, median of the rounds

# shellcheck source=bench/lib.sh
. "$BENCH_DIR/lib.sh"

require_positive_integers "$CAMERAS" "$DURATION" "$CONNECTIONS" "$ROUNDS" "$THREADS" "$SEED_THREADS"
(( CONNECTIONS >= THREADS )) || die "BENCH_TOKEN_CONNECTIONS must be at least BENCH_THREADS"

# shellcheck disable=SC2119  # no extras: no nginx, no PostgreSQL
install_missing

TMP=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/camfleet-tokens-bench.XXXXXX")
SERVER_PID=""

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_bench "$status"
}
trap_cleanup

server_alive() { kill -0 "$SERVER_PID" 2>/dev/null || die "camfleet ($SERVER_PID) is no longer running"; }

build_camfleet

# --- server, fleet and credentials ---------------------------------------------------------------
DB="sqlite:$TMP/bench.db"
read -ra SERVER_ARGS <<<"${BENCH_SERVER_ARGS:-}"
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
log "starting camfleet on $BASE (database $TMP/bench.db)${SERVER_ARGS[*]:+ ${SERVER_ARGS[*]}}"
# The access log would be one line per token: written, but to a file like every other benchmark's.
"$BIN" serve --listen "127.0.0.1:$PORT" --database "$DB" "${SERVER_ARGS[@]}" \
  >>"$TMP/camfleet.out" 2>>"$TMP/camfleet.log" &
SERVER_PID=$!
wait_http "$BASE/healthz" "$SERVER_PID" camfleet
setup_operator "$DB"
export BENCH_TOKEN=$TOKEN

log "seeding $CAMERAS cameras at site $SITE_ID"
SEED_START=$(now)
run_child "$PYTHON" "$BENCH_DIR/seed.py" --url "$BASE" --site "$SITE_ID" --count "$CAMERAS" \
  --threads "$SEED_THREADS" --out "$TMP/cameras.txt" || die "seeding failed"
SEED_SECONDS=$(since "$SEED_START")
log "seeded in $SEED_SECONDS s; issuing device credentials and first tokens"
CREDS_START=$(now)
run_child "$PYTHON" "$BENCH_DIR/fleet_tokens_setup.py" --url "$BASE" --cameras "$TMP/cameras.txt" \
  --threads "$SEED_THREADS" --out "$TMP/credentials.txt" || die "device credentials failed"
CREDS_SECONDS=$(since "$CREDS_START")
log "device credentials + first tokens for $CAMERAS cameras in $CREDS_SECONDS s"

export BENCH_LUA_DIR=$BENCH_DIR/lua BENCH_THREADS=$THREADS BENCH_CREDENTIALS_FILE=$TMP/credentials.txt

# One token by hand first (as wrk sends it), so broken credentials fail here and not as a run of 401s.
read -r CAMERA_ID CAMERA_SECRET < <(head -n 1 "$TMP/credentials.txt")
status=$(curl -sS -o "$TMP/check.out" -w '%{http_code}' -u "$CAMERA_ID:$CAMERA_SECRET" \
  --data grant_type=client_credentials "$BASE/oauth/token")
[[ $status == 200 ]] || die "POST /oauth/token for camera $CAMERA_ID: HTTP $status $(cat "$TMP/check.out")"

# --- wrk runs ------------------------------------------------------------------------------------
RESULTS=()
cpu_ticks TICKS_BEFORE
WRK_START=$(now)
for (( round = 1; round <= ROUNDS; round++ )); do
  log "round $round/$ROUNDS: wrk POST /oauth/token for $CAMERAS cameras (${DURATION} s, $CONNECTIONS connections)"
  start_wrk "$TMP/wrk-tokens-$round.txt" device_token.lua "$CONNECTIONS" "$DURATION"
  finish_wrk "$LAST_WRK_PID" "$TMP/wrk-tokens-$round.txt" "tokens round $round"
  RESULTS+=("$WRK_RESULT")
done
cpu_ticks TICKS_AFTER
OTHER_CPU=$(other_cpu_percent "$TICKS_BEFORE" "$TICKS_AFTER" "$(since "$WRK_START")")
server_alive
# The last token wrk got still works: the endpoint issued real tokens all along.
status=$(curl -sS -o "$TMP/check.out" -w '%{http_code}' -u "$CAMERA_ID:$CAMERA_SECRET" \
  --data grant_type=client_credentials "$BASE/oauth/token")
[[ $status == 200 ]] || die "POST /oauth/token after the runs: HTTP $status $(cat "$TMP/check.out")"

# --- report --------------------------------------------------------------------------------------
mkdir -p "$RESULTS_DIR"
{
  printf 'camfleet token benchmark  %s  %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo 'no commit')"
  printf '%s cameras: seeded in %s s; device credentials + first tokens in %s s\n' "$CAMERAS" \
    "$SEED_SECONDS" "$CREDS_SECONDS"
  printf 'wrk %s s per run, %s threads, %s connections, credentials by %s; %s cores\n' "$DURATION" \
    "$THREADS" "$CONNECTIONS" "$( [[ ${BENCH_TOKEN_FORM:-0} == 1 ]] && echo 'form' || echo 'HTTP Basic')" "$(nproc)"
  printf 'other processes used %s%% of the CPU during the wrk runs%s\n' "$OTHER_CPU" \
    "$( (( OTHER_CPU < 5 )) || echo ': the machine was not idle, the figures are pessimistic')"
  printf 'camfleet serve options: %s\n\n' "${BENCH_SERVER_ARGS:-(defaults)}"
  join() { local IFS='|'; printf '%s' "$*"; }
  awk -v results="$(join "${RESULTS[@]}")" -v rounds="$ROUNDS" -v target="$TOKENS_TARGET" -v c="$CONNECTIONS" '
    function median(values, n,    i, j, t, sorted) {
      for (i = 1; i <= n; i++) sorted[i] = values[i]
      for (i = 2; i <= n; i++)
        for (j = i; j > 1 && sorted[j - 1] > sorted[j]; j--) { t = sorted[j]; sorted[j] = sorted[j - 1]; sorted[j - 1] = t }
      return n % 2 ? sorted[(n + 1) / 2] : (sorted[n / 2] + sorted[n / 2 + 1]) / 2
    }
    BEGIN {
      printf "%-38s %10s %11s %11s %7s %6s\n", "scenario", "rate", "p50", "p99", "non-2xx", "errors"
      printf "%-38s %10s %11s %11s %7s %6s\n", "--------------------------------------", "----------",
        "-----------", "-----------", "-------", "------"
      split(results, runs, "|")
      all_clean = 1
      for (r = 1; r <= rounds; r++) {
        split(runs[r], f, " ")
        rates[r] = f[1]
        all_clean = all_clean && f[4] == 0 && f[5] == 0
        printf "%-38s %8.0f/s %9.2fms %9.2fms %7d %6d\n", sprintf("POST /oauth/token (%dc) r%d", c, r), f[1], f[2],
          f[3], f[4], f[5]
      }
      middle = median(rates, rounds)
      printf "\n%-52s %9.0f/s  %s\n", "target  device tokens >= " target "/s (median)", middle,
        (middle >= target && all_clean) ? "PASS" : "FAIL"
    }'
} | tee "$RESULTS_DIR/fleet-tokens-latest.txt"
