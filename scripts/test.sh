#!/usr/bin/env bash
# Runs camfleet's whole test suite: installs what it needs, then builds twice — a normal build
# with -Werror and an AddressSanitizer + UndefinedBehaviorSanitizer build — and runs the C unit
# tests (CTest + cmocka) and the HTTP tests (pytest against the real binary) on each.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh --test

pytest_args=(-q -p no:cacheprovider)
run_suite() {
  local name=$1 build_dir=$2
  shift 2
  echo "== $name: build"
  cmake -S . -B "$build_dir" -DCAMFLEET_WERROR=ON "$@" >/dev/null
  cmake --build "$build_dir" -j"$(nproc)" >/dev/null
  echo "== $name: unit tests"
  (cd "$build_dir" && ctest --output-on-failure --no-tests=error)
  echo "== $name: HTTP tests"
  CAMFLEET_BIN="$PWD/$build_dir/camfleet" /usr/bin/python3 -m pytest "${pytest_args[@]}" tests/api
}

export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

run_suite "release build" build-ci -DCMAKE_BUILD_TYPE=RelWithDebInfo
run_suite "sanitizer build (ASan + UBSan)" build-ci-sanitize -DCMAKE_BUILD_TYPE=Debug -DCAMFLEET_SANITIZE=ON
echo "== all test suites passed"
