#!/usr/bin/env bash
# A throw-away PostgreSQL cluster (Debian's postgresql package) for tests and benchmarks.
#   pg-cluster.sh start DIR [PORT]   creates DIR (initdb) if needed, starts the server listening on
#                                    127.0.0.1:PORT (default: a free port) and a Unix socket in DIR,
#                                    and prints the database URL (trust authentication, user postgres)
#   pg-cluster.sh stop DIR           stops it (fast shutdown); the files stay for a post-mortem
# Run as root, the server runs as the postgres system user (initdb refuses root).
set -euo pipefail

command=${1:-}
dir=${2:-}
if [[ -z "$command" || -z "$dir" ]]; then
  echo "usage: $0 start DIR [PORT] | stop DIR" >&2
  exit 2
fi

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [[ -z "$bindir" ]]; then
  echo "pg-cluster: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
  exit 1
fi

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

case "$command" in
start)
  port=${3:-$(free_port)}
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres:postgres "$dir"
    # postgres must be able to reach DIR through its parents
    parent=$(dirname "$dir")
    while [[ "$parent" != "/" ]]; do
      chmod o+x "$parent" 2>/dev/null || true
      parent=$(dirname "$parent")
    done
  fi
  if [[ ! -f "$dir/data/PG_VERSION" ]]; then
    as_owner "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
      cat "$dir/initdb.log" >&2
      exit 1
    }
  fi
  as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=400 -c shared_buffers=128MB" \
    start >/dev/null
  echo "$port" >"$dir/port"
  echo "postgres://postgres@127.0.0.1:$port/postgres"
  ;;
stop)
  if [[ -f "$dir/data/postmaster.pid" ]]; then
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null
  fi
  ;;
*)
  echo "usage: $0 start DIR [PORT] | stop DIR" >&2
  exit 2
  ;;
esac
