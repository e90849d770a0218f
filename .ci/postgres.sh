#!/usr/bin/env bash
# Install PostgreSQL if missing, start a throwaway server on 127.0.0.1, print its URL.
# Usage: eval "$(bash .ci/postgres.sh)"   (exports DIARIUM_TEST_POSTGRES_URL)
set -euo pipefail
PORT="${DIARIUM_PG_PORT:-54329}"
DATA="${DIARIUM_PG_DATA:-/tmp/diarium-pg-$PORT}"

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "installing PostgreSQL with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if ! as_postgres "$bindir/pg_isready" -h 127.0.0.1 -p "$PORT" -q 2>/dev/null; then
  if [ ! -s "$DATA/PG_VERSION" ]; then
    mkdir -p "$DATA"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$DATA"
    as_postgres "$bindir/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 >&2
  fi
  as_postgres "$bindir/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w \
    -o "-h 127.0.0.1 -p $PORT -c max_connections=300 -c fsync=off" start >&2
fi
echo "export DIARIUM_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:$PORT/postgres"
