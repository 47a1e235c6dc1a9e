#!/usr/bin/env bash
# Installs camfleet's build (and, with --test, test) dependencies from Debian's packages.
# Idempotent and quiet: does nothing when everything is already installed.
set -euo pipefail

packages=(build-essential cmake pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev libssl-dev
          libargon2-dev libcurl4-openssl-dev libjpeg-dev libpq-dev zlib1g-dev tzdata curl ca-certificates)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(libcmocka-dev python3 python3-pytest python3-requests python3-pytest-xdist sqlite3 postgresql nginx-light
            clang libclang-rt-dev clang-format  # clang, libclang-rt-dev: libFuzzer and the sanitizers
                                                # (scripts/fuzz.sh); clang-format: scripts/check-format.sh
            prometheus  # promtool: tests/api/test_metrics_fleet.py checks /metrics with it
            chromium chromium-driver python3-selenium)  # the dashboard's browser tests (tests/ui)
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
# npm installs the pinned Redocly CLI that lints the served OpenAPI document (tools/openapi-lint,
# `npm ci` in tests/api/test_openapi_document.py). Checked as a command: a Node.js from elsewhere
# (NodeSource's, which carries its own npm) serves as well as Debian's nodejs + npm.
if [[ "${1:-}" == "--test" ]] && ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi

if ((${#missing[@]} > 0)); then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The browser tests' npm packages (axe-core), exactly as tests/ui/package-lock.json pins them; again
# only when the lockfile is newer than what npm last installed.
if [[ "${1:-}" == "--test" ]]; then
  ui_tests="$(cd "$(dirname "$0")/.." && pwd)/tests/ui"
  if [[ ! "$ui_tests/node_modules/.package-lock.json" -nt "$ui_tests/package-lock.json" ]]; then
    echo "installing the npm packages of tests/ui (npm ci)"
    npm ci --prefix "$ui_tests" --no-audit --no-fund --loglevel=error >/dev/null
  fi
fi
