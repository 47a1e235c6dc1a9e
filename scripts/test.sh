#!/usr/bin/env bash
# Runs camfleet's whole test suite: installs what it needs, checks the C formatting, starts a
# throw-away PostgreSQL cluster, then builds twice — a normal build with -Werror and an
# AddressSanitizer + UndefinedBehaviorSanitizer build — and runs on each the C unit tests (CTest +
# cmocka; the store contract test on SQLite and on the cluster) and the HTTP tests (pytest against
# the real binary) on SQLite and on PostgreSQL, and on the normal build the dashboard's browser tests
# (tests/ui: headless Chromium against the real binary and `camfleet sim`) on SQLite (the dashboard
# uses only the public API, checked on both back ends by the HTTP tests; this keeps CI under 15 min);
# last, each libFuzzer target runs for 20 s. The
# cluster is stopped at the end, also when a step fails. Build folders (relative to the
# repository): $CAMFLEET_CI_BUILD (default build-ci) and its siblings -sanitize and -pg (the
# cluster; its files stay there for a post-mortem).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh --test

build_root=${CAMFLEET_CI_BUILD:-build-ci}
cluster_dir="$PWD/$build_root-pg"

# HTTP tests run in parallel (pytest-xdist; each worker has its own servers and databases). A
# worker often waits (frame waits, online windows, restarts, the simulator's duration), so one
# more worker than cores keeps both busy: on 2 cores 3 workers took 55 s where 2 took 75-80 s.
# pytest exits 5 when it ran no test: that fails the run like any other failure.
pytest_args=(-q -p no:cacheprovider -n $(($(nproc) + 1)) --durations=10)

step() {  # a heading with the minutes:seconds since the start, to see where CI's time goes
  printf '== [%d:%02d] %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*"
}

stop_cluster() {
  local code=$?
  if [[ -f "$cluster_dir/data/postmaster.pid" ]]; then
    step "stopping the PostgreSQL test cluster ($cluster_dir)"
    bash scripts/pg-cluster.sh stop "$cluster_dir" || echo "warning: could not stop the cluster" >&2
  fi
  exit "$code"
}
trap stop_cluster EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step "formatting: every C file as .clang-format says (scripts/check-format.sh)"
bash scripts/check-format.sh

step "PostgreSQL: starting a throw-away cluster in $cluster_dir"
if [[ -f "$cluster_dir/data/postmaster.pid" ]]; then  # left running by an interrupted run
  bash scripts/pg-cluster.sh stop "$cluster_dir"
fi
rm -rf "$cluster_dir"
postgres_url=$(bash scripts/pg-cluster.sh start "$cluster_dir" | tail -n 1)
if [[ "$postgres_url" != postgres://* ]]; then
  echo "pg-cluster.sh start printed no database URL: $postgres_url" >&2
  exit 1
fi
echo "   $postgres_url"

http_tests() {
  local name=$1 build_dir=$2 backend=$3
  step "$name: HTTP tests on $backend"
  if [[ "$backend" == PostgreSQL ]]; then
    CAMFLEET_TEST_POSTGRES="$postgres_url" CAMFLEET_BIN="$PWD/$build_dir/camfleet" \
      /usr/bin/python3 -m pytest "${pytest_args[@]}" tests/api
  else
    env -u CAMFLEET_TEST_POSTGRES CAMFLEET_BIN="$PWD/$build_dir/camfleet" \
      /usr/bin/python3 -m pytest "${pytest_args[@]}" tests/api
  fi
}

# The dashboard in headless Chromium (tests/ui); two workers: each runs its own browser, server and
# simulated cameras.
ui_tests() {
  local build_dir=$1 backend=$2
  step "dashboard: browser tests on $backend"
  if [[ "$backend" == PostgreSQL ]]; then
    CAMFLEET_TEST_POSTGRES="$postgres_url" CAMFLEET_BIN="$PWD/$build_dir/camfleet" \
      /usr/bin/python3 -m pytest -q -p no:cacheprovider -n 2 tests/ui
  else
    env -u CAMFLEET_TEST_POSTGRES CAMFLEET_BIN="$PWD/$build_dir/camfleet" \
      /usr/bin/python3 -m pytest -q -p no:cacheprovider -n 2 tests/ui
  fi
}

run_suite() {
  local name=$1 build_dir=$2
  shift 2
  step "$name: build"
  cmake -S . -B "$build_dir" -DCAMFLEET_WERROR=ON "$@" >/dev/null
  cmake --build "$build_dir" -j"$(nproc)" >/dev/null
  step "$name: unit tests"
  # The store contract test (test_store_contract) runs on SQLite and on a database it creates on
  # the cluster; CAMFLEET_REQUIRE_POSTGRES makes it fail rather than skip the PostgreSQL half.
  (cd "$build_dir" && CAMFLEET_TEST_POSTGRES="$postgres_url" CAMFLEET_REQUIRE_POSTGRES=1 \
    ctest --output-on-failure --no-tests=error)
  http_tests "$name" "$build_dir" SQLite
  http_tests "$name" "$build_dir" PostgreSQL
}

export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

run_suite "release build" "$build_root" -DCMAKE_BUILD_TYPE=RelWithDebInfo
ui_tests "$build_root" SQLite
run_suite "sanitizer build (ASan + UBSan)" "$build_root-sanitize" -DCMAKE_BUILD_TYPE=Debug -DCAMFLEET_SANITIZE=ON
# Every libFuzzer target for 20 s on its seed corpus (clang build in $build_root-fuzz); any
# crash, leak, undefined behaviour or failed invariant fails the run (README "Fuzzing").
step "fuzzing: every target of fuzz/ for 20 s (scripts/fuzz.sh)"
CAMFLEET_FUZZ_BUILD="$build_root-fuzz" bash scripts/fuzz.sh 20
step "all test suites passed (SQLite and PostgreSQL, release and sanitizer builds)"
