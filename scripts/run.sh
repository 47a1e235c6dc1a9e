#!/usr/bin/env bash
# Sets up and runs camfleet on its embedded SQLite default: installs dependencies, builds, on
# first run creates the database, an operator API client and an operator user for the dashboard
# (scripts/bootstrap.sh: credentials in ./camfleet-operator.json and
# ./camfleet-operator-user.json, mode 0600, never printed) and serves on CAMFLEET_LISTEN (default
# 127.0.0.1:8080) with CAMFLEET_DATABASE (default sqlite:camfleet.db).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" >/dev/null

export CAMFLEET_LISTEN="${CAMFLEET_LISTEN:-127.0.0.1:8080}"
export CAMFLEET_DATABASE="${CAMFLEET_DATABASE:-sqlite:camfleet.db}"
echo "camfleet is starting on http://$CAMFLEET_LISTEN (database $CAMFLEET_DATABASE)."
bash scripts/bootstrap.sh ./build/camfleet
echo "Stop the service with Ctrl-C."
exec ./build/camfleet serve
