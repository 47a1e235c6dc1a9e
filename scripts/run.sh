#!/usr/bin/env bash
# Sets up and runs camfleet on its embedded SQLite default: installs dependencies, builds,
# creates an operator API client on first run (credentials in ./camfleet-operator.json) and
# serves on CAMFLEET_LISTEN (default 127.0.0.1:8080) with CAMFLEET_DATABASE (default
# sqlite:camfleet.db).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" >/dev/null

export CAMFLEET_LISTEN="${CAMFLEET_LISTEN:-127.0.0.1:8080}"
export CAMFLEET_DATABASE="${CAMFLEET_DATABASE:-sqlite:camfleet.db}"
credentials=camfleet-operator.json
if [[ ! -s "$credentials" ]]; then
  ./build/camfleet admin create-client --database "$CAMFLEET_DATABASE" --role operator --name operator >"$credentials"
  chmod 600 "$credentials"
fi
client_id=$(sed -E 's/.*"clientId": "([^"]+)".*/\1/' "$credentials")
client_secret=$(sed -E 's/.*"clientSecret": "([^"]+)".*/\1/' "$credentials")

cat <<MSG
camfleet is starting on http://$CAMFLEET_LISTEN (database $CAMFLEET_DATABASE).
Operator credentials are in $credentials. Get a token with:

  curl -s -u $client_id:$client_secret -d grant_type=client_credentials http://$CAMFLEET_LISTEN/oauth/token

Then send it as 'Authorization: Bearer <access_token>'. Stop the service with Ctrl-C.
MSG
exec ./build/camfleet serve
