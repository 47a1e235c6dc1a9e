#!/usr/bin/env bash
# camfleet fleet-scale benchmark (issue 13): runs each bench/fleet_*.sh measurement in turn on
# this machine and prints their tables one after the other (each also writes its own
# bench/results/fleet-*-latest.txt). Every part can run alone; see bench/README.md "Fleet scale".
#
# Environment: CAMFLEET_BIN (one binary for every part; default: a Release build made once here),
# BENCH_FLEET_PARTS (which parts, in order; default: all seven, listed below), and each part's own
# variables.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
PYTHON=${PYTHON:-/usr/bin/python3}

# shellcheck source=bench/lib.sh
. "$BENCH_DIR/lib.sh"
install_missing

TMP=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/camfleet-fleet-bench.XXXXXX")
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  leave_tmp "$status"
}
trap_cleanup

build_camfleet # BIN: CAMFLEET_BIN, or one Release build shared by every part
export CAMFLEET_BIN=$BIN

# The parts, cheapest first (fleet_registration_batches.py is a helper of fleet_registration.sh).
DEFAULT_PARTS="fleet_tokens.sh fleet_registration.sh fleet_list.sh fleet_connections.py fleet_uploads.py \
fleet_reads.sh fleet_reconnect.sh"
read -ra PARTS <<<"${BENCH_FLEET_PARTS:-$DEFAULT_PARTS}"
(( ${#PARTS[@]} > 0 )) || die "BENCH_FLEET_PARTS names no part"

FAILED=()
for part in "${PARTS[@]}"; do
  script="$BENCH_DIR/$part"
  [[ -f $script ]] || die "no such part: $part"
  log "=== $part"
  case $part in
    *.py) runner=("$PYTHON" "$script") ;;
    *) runner=(bash "$script") ;;
  esac
  if ! "${runner[@]}"; then
    FAILED+=("$part")
    log "$part could not measure (see above); going on"
  fi
done
(( ${#FAILED[@]} == 0 )) || die "parts that could not measure: ${FAILED[*]}"
