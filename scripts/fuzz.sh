#!/usr/bin/env bash
# Fuzzes camfleet's parsers of untrusted input (fuzz/, README "Fuzzing"): installs what it needs,
# builds the libFuzzer targets with clang, ASan and UBSan into build-fuzz (CAMFLEET_FUZZ_BUILD),
# then runs every target in turn for SECONDS (default 60) on a copy of its seed corpus in
# fuzz/corpus/ (the repository's corpus never grows). Prints per target the executions libFuzzer
# reports ("Done N runs in S second(s)") and exits non-zero on any finding: a crash, a leak,
# undefined behaviour, a failed invariant or an input slower than 10 s. Reproduce a finding with
#   build-fuzz/fuzz/<target> <the crash file named in the output>
# Usage: bash scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/fuzz.sh [SECONDS]  (seconds per target, default 60)" >&2
  exit 2
fi

bash scripts/install-deps.sh --test

build=${CAMFLEET_FUZZ_BUILD:-build-fuzz}
cmake -S . -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DCAMFLEET_FUZZ=ON \
  -DCAMFLEET_WERROR=OFF >/dev/null
if ! cmake --build "$build" --target fuzz -j"$(nproc)" >"$build/fuzz-build.log" 2>&1; then
  cat "$build/fuzz-build.log" >&2  # clang's warnings stay in the log unless the build fails
  exit 1
fi

run_dir="$build/fuzz-run"
rm -rf "$run_dir"
mkdir -p "$run_dir"
# Leaks are findings; an undefined-behaviour report stops the run (the targets are built with
# -fno-sanitize-recover=undefined). A caller's ASAN_OPTIONS (scripts/test.sh sets some) is kept.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1"

failed=()
for source in fuzz/fuzz_*.c; do
  target=$(basename "$source" .c)
  target_path="$build/fuzz/$target"
  corpus="$run_dir/$target-corpus"
  log="$run_dir/$target.log"
  mkdir -p "$corpus"
  if [[ -d "fuzz/corpus/$target" ]]; then
    cp fuzz/corpus/"$target"/* "$corpus"/
  fi
  started=$SECONDS
  status=ok
  if ! "$target_path" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
       -artifact_prefix="$run_dir/$target-" "$corpus" >"$log" 2>&1; then
    status=FINDING
    failed+=("$target")
  fi
  done_line=$(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$log" | tail -n 1 || true)
  printf '%-22s %-8s %-40s (%d s wall)\n' "$target" "$status" "${done_line:-no final count}" $((SECONDS - started))
  if [[ "$status" != ok ]]; then
    grep -E -A25 'ERROR: |runtime error:|fuzz invariant failed|SUMMARY:' "$log" | head -n 60 >&2 || tail -n 40 "$log" >&2
    ls -d "$run_dir"/"$target"-* 2>/dev/null | grep -v -e '-corpus$' >&2 || true
  fi
done

if ((${#failed[@]} > 0)); then
  echo "fuzzing found problems in: ${failed[*]} (logs and inputs in $run_dir)" >&2
  exit 1
fi
echo "fuzzing: no finding in $(ls fuzz/fuzz_*.c | wc -l) targets, $seconds s each"
