#!/usr/bin/env bash
# First-run set-up of a camfleet database, run by scripts/run.sh: usage
#   bash scripts/bootstrap.sh CAMFLEET_BINARY
# In the current directory, unless they are there already, it creates the database
# ($CAMFLEET_DATABASE, default sqlite:camfleet.db; `admin --create`), an operator API client
# (camfleet-operator.json: clientId, clientSecret) and an operator user who signs in to the
# dashboard, with a generated password (camfleet-operator-user.json: email, password). Both files
# are mode 0600 and ignored by git. It prints where the credentials are, never a secret: stdout
# ends up in journals and CI logs.
set -euo pipefail
binary=${1:?usage: bootstrap.sh CAMFLEET_BINARY}
listen="${CAMFLEET_LISTEN:-127.0.0.1:8080}"
operator_email="${CAMFLEET_OPERATOR_EMAIL:-operator@camfleet.example}"
credentials=camfleet-operator.json
user_credentials=camfleet-operator-user.json

umask 077 # the credentials files are created readable by their owner only
if [[ ! -s "$credentials" ]]; then
  client=$("$binary" admin create-client --create --role operator --name operator)
  printf '%s\n' "$client" >"$credentials"
  unset client
fi
if [[ ! -s "$user_credentials" ]]; then
  password=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
  # The password goes through a pipe (printf is a shell builtin): never on a command line.
  if printf '%s\n' "$password" | "$binary" admin create-user --create --role operator \
       --email "$operator_email" --password-stdin >/dev/null; then
    printf '{"email": "%s", "password": "%s"}\n' "$operator_email" "$password" >"$user_credentials"
  fi
  unset password
fi
chmod 600 "$credentials"
here=$(pwd)

echo "Dashboard: http://$listen/ui/"
if [[ -s "$user_credentials" ]]; then
  echo "  sign in with the email and password in $here/$user_credentials (mode 0600)"
else
  echo "  no operator user was made (see the message above); set CAMFLEET_OPERATOR_EMAIL to make one," \
       "or create one with: camfleet admin create-user --password-stdin ..."
fi
cat <<MSG

API: the operator client's clientId and clientSecret are in $here/$credentials (mode 0600).
  A token, without showing the secret:

  curl -s -u "\$(sed -E 's/.*"clientId": "([^"]+)".*/\1/' $credentials):\$(sed -E 's/.*"clientSecret": "([^"]+)".*/\1/' $credentials)" \\
       -d grant_type=client_credentials http://$listen/oauth/token

  then send it as 'Authorization: Bearer <access_token>'.
MSG
