#!/usr/bin/env bash
# camfleet fleet-scale benchmark (issue 13): runs each bench/fleet_*.sh measurement in turn on
# this machine and prints their tables one after the other (each also writes its own
# bench/results/fleet-*-latest.txt). Every part can run alone; see bench/README.md "Fleet scale".
#
# Environment: CAMFLEET_BIN (one binary for every part; default: a Release build made once here),
# BENCH_FLEET_PARTS (which parts, in order; default: every bench/fleet_*.sh present), and each
# part's own variables.
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

if [[ -n ${BENCH_FLEET_PARTS:-} ]]; then
  read -ra PARTS <<<"$BENCH_FLEET_PARTS"
else
  PARTS=()
  for script in "$BENCH_DIR"/fleet_*.sh "$BENCH_DIR"/fleet_*.py; do
    [[ -e $script ]] && PARTS+=("$(basename "$script")")
  done
fi
(( ${#PARTS[@]} > 0 )) || die "no bench/fleet_*.sh or fleet_*.py to run"

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
