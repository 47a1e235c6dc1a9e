#!/usr/bin/env bash
# camfleet scale-out benchmark: runs bench/run.sh three times in a row, with the same settings —
# SQLite with one node, PostgreSQL with one node, PostgreSQL with two nodes behind nginx — and
# prints one table comparing them (also written to bench/results/scaleout-latest.txt), with the
# target "GET /cameras/{id} on PostgreSQL >= 40% of SQLite". See bench/README.md.
#
# Environment: everything bench/run.sh takes (CAMFLEET_BIN, BENCH_CAMERAS, BENCH_DURATION, ...),
# passed on to each run; BENCH_BACKEND, BENCH_NODES and BENCH_REPORT are set here, per run.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
PYTHON=${PYTHON:-/usr/bin/python3}
RESULTS_DIR="$BENCH_DIR/results"
TARGET_PERCENT=40  # GET /cameras/{id} on PostgreSQL (one node), at least, of its SQLite rate
# The runs: "BACKEND NODES NAME"; NAME is the report's file name and the configuration's key below.
RUNS=("sqlite 1 sqlite-1" "postgres 1 postgres-1" "postgres 2 postgres-2")
# shellcheck source=bench/lib.sh
. "$BENCH_DIR/lib.sh"

install_missing nginx postgres
TMP=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/camfleet-scaleout.XXXXXX")
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  leave_tmp "$status"
}
trap_cleanup

build_camfleet  # once, for the three runs

# --- the runs ------------------------------------------------------------------------------------
# Each in the foreground, so that Ctrl-C reaches run.sh (and its wrk, seed.py) as when run alone;
# run.sh's tables go to stderr, this script's stdout is the comparison only.
REPORTS=()
FAILED=()
for run in "${RUNS[@]}"; do
  read -r backend nodes name <<<"$run"
  log "=== run $(( ${#REPORTS[@]} + ${#FAILED[@]} + 1 )) of ${#RUNS[@]}: BENCH_BACKEND=$backend BENCH_NODES=$nodes"
  status=0
  CAMFLEET_BIN=$BIN BENCH_BACKEND=$backend BENCH_NODES=$nodes BENCH_REPORT=$TMP/$name.tsv \
    bash "$BENCH_DIR/run.sh" >&2 || status=$?
  (( status != 130 && status != 143 )) || exit "$status"
  if (( status == 0 )) && [[ -s $TMP/$name.tsv ]]; then
    REPORTS+=("$TMP/$name.tsv")
  else
    log "the $name run failed (exit status $status); its rows are left empty"
    FAILED+=("$name")
  fi
done
(( ${#REPORTS[@]} > 0 )) || die "every run failed"

# --- the comparison ------------------------------------------------------------------------------
mkdir -p "$RESULTS_DIR"
{
  printf 'camfleet scale-out benchmark  %s  %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo 'no commit')"
  awk -v target="$TARGET_PERCENT" '
    BEGIN {
      FS = "\t"
      split("sqlite-1 postgres-1 postgres-2", configs, " ")
      label["sqlite-1"] = "SQLite, 1 node"
      label["postgres-1"] = "PostgreSQL, 1 node"
      label["postgres-2"] = "PostgreSQL, 2 nodes + nginx"
      split("get page claim nginx", keys, " ")
    }
    FNR == 1 { id = FILENAME; sub(/^.*\//, "", id); sub(/\.tsv$/, "", id); have[id] = 1 }
    $1 == "config"    { conf[id, $2] = $3; if (!($2 in first)) first[$2] = $3 }
    $1 == "scenario"  {
      if (!($2 in name)) name[$2] = $3
      rps[id, $2] = $4; p50[id, $2] = $5; p99[id, $2] = $6; non2xx[id, $2] = $7; errors[id, $2] = $8
    }
    $1 == "full_list" { full_rows = $2; full_ms[id] = $3 }
    $1 == "node"      { nodes[id]++; rss[id, $2] = ($4 > $5 ? $4 : $5) }
    function percent(a, b) { return b > 0 ? sprintf("%.1f%%", 100 * a / b) : "-" }
    function mib(kib) { return sprintf("%.1f", kib / 1024) }
    function clean(c, k) { return have[c] && non2xx[c, k] == 0 && errors[c, k] == 0 }
    END {
      printf "%s cameras; wrk %s s, %s threads, %s connections; %s cores; PostgreSQL %s\n",
        first["cameras"], first["duration"], first["threads"], first["connections"], first["cores"],
        have["postgres-1"] ? conf["postgres-1", "postgres_version"] : conf["postgres-2", "postgres_version"]
      printf "the three runs one after the other, each with its own database, seeding and nginx ceiling\n\n"
      format = "%-30s %-27s %11s %10s %10s %8s %7s  %s\n"
      printf format, "scenario", "configuration", "requests/s", "p50", "p99", "non-2xx", "errors", "ratio"
      printf format, "------------------------------", "---------------------------", "-----------",
        "----------", "----------", "--------", "-------", "----------------"
      for (i = 1; i <= 4; i++) {
        k = keys[i]
        for (j = 1; j <= 3; j++) {
          c = configs[j]
          shown = j == 1 ? name[k] : ""
          if (!have[c]) { printf "%-30s %-27s %11s\n", shown, label[c], "(run failed)"; continue }
          ratio = c == "sqlite-1" ? "baseline" : ""
          if (c == "postgres-1" && have["sqlite-1"])
            ratio = percent(rps[c, k], rps["sqlite-1", k]) " of SQLite"
          if (c == "postgres-2" && have["postgres-1"])
            ratio = percent(rps[c, k], rps["postgres-1", k]) " of 1 node"
          printf "%-30s %-27s %11.0f %8.2fms %8.2fms %8d %7d  %s\n", shown, label[c], rps[c, k],
            p50[c, k], p99[c, k], non2xx[c, k], errors[c, k], ratio
        }
      }
      printf "\n"
      for (j = 1; j <= 3; j++) {
        c = configs[j]
        if (!have[c]) continue
        line = ""
        for (n = 1; n <= nodes[c]; n++) line = line (n > 1 ? " + " : "") mib(rss[c, n])
        printf "%-27s seeded in %6s s; full list (%s rows) %7s ms; RSS %s MiB%s\n", label[c],
          conf[c, "seed_seconds"], full_rows, full_ms[c], line, (nodes[c] > 1 ? " (per node)" : "")
      }
      printf "\n"
      pg1 = have["sqlite-1"] && have["postgres-1"] ? 100 * rps["postgres-1", "get"] / rps["sqlite-1", "get"] : -1
      pg2 = have["postgres-1"] && have["postgres-2"] ? 100 * rps["postgres-2", "get"] / rps["postgres-1", "get"] : -1
      printf "ratio  GET /cameras/{id}, PostgreSQL 1 node / SQLite:    %s\n", (pg1 < 0 ? "-" : sprintf("%.1f%%", pg1))
      printf "ratio  GET /cameras/{id}, PostgreSQL 2 nodes / 1 node:   %s\n", (pg2 < 0 ? "-" : sprintf("%.1f%%", pg2))
      if (pg1 < 0)
        verdict = "FAIL (a run is missing)"
      else if (!clean("sqlite-1", "get") || !clean("postgres-1", "get"))
        verdict = "FAIL (non-2xx or errors: the runs measured something else)"
      else
        verdict = pg1 >= target ? "PASS" : "FAIL"
      printf "target GET /cameras/{id} on PostgreSQL >= %d%% of SQLite: %s\n", target, verdict
      if (first["cores"] + 0 < 4)
        printf "\nnote: with %s cores, the two nodes share them with nginx, PostgreSQL and wrk: the 2-node rows\nmeasure the overhead of the balancer and its correctness under load, not scale-out.\n", first["cores"]
    }' "${REPORTS[@]}"
} | tee "$RESULTS_DIR/scaleout-latest.txt"

if (( ${#FAILED[@]} > 0 )); then
  die "failed runs: ${FAILED[*]} (their logs are above)"
fi
