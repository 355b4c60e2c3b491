#!/usr/bin/env bash
# Starts/stops a throwaway PostgreSQL cluster for tests (Debian's postgresql-common tools; run as root).
#
#   scripts/postgres/postgres.sh start   # cluster "orders-test" on 127.0.0.1:25432 (or the next free port), trust auth, fresh data
#   scripts/postgres/postgres.sh stop    # stops and drops it
#   scripts/postgres/postgres.sh url     # postgresql://postgres@127.0.0.1:<port>/postgres
#
# Env: PG_PORT (25432, the first port tried; the one chosen is kept in .cache/postgres-port).
# Needs the `postgresql` package (apt-get install -y postgresql). Loopback only,
# no password, fsync off: for tests, never for data you want to keep.
set -euo pipefail

cluster=orders-test
port_file="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.cache/postgres-port"
version() { ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -1; }
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port="$(cat "$port_file" 2>/dev/null || echo "${PG_PORT:-25432}")"
url() { echo "postgresql://postgres@127.0.0.1:$port/postgres"; }

start() {
  local v
  v="$(version)"
  if [[ -z "$v" ]] || ! command -v pg_createcluster >/dev/null; then
    echo "PostgreSQL is not installed: apt-get install -y postgresql" >&2
    exit 1
  fi
  if pg_lsclusters -h | awk -v v="$v" -v c="$cluster" '$1 == v && $2 == c' | grep -q .; then
    pg_dropcluster --stop "$v" "$cluster"
  fi
  # Something else (another test run's server) may hold the port: take the next free one. The default
  # sits below Linux's ephemeral range (32768–60999): a port in it can be any outgoing connection's
  # local port for a moment, which a connect test does not see and bind() then refuses.
  port="${PG_PORT:-25432}"
  local tries
  for tries in 1 2 3 4 5; do
    while port_in_use "$port"; do port=$((port + 1)); done
    mkdir -p "$(dirname "$port_file")" && echo "$port" >"$port_file"
    pg_createcluster --port "$port" --start-conf manual "$v" "$cluster" -- \
      --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    cat >"/etc/postgresql/$v/$cluster/conf.d/orders-test.conf" <<CONF
listen_addresses = '127.0.0.1'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
    if pg_ctlcluster "$v" "$cluster" start; then break; fi
    # bind() refused the port after all (taken in between): drop the cluster, try the next one
    echo "PostgreSQL could not start on 127.0.0.1:$port; trying $((port + 1))" >&2
    pg_dropcluster --stop "$v" "$cluster" 2>/dev/null || true
    port=$((port + 1))
    if [[ $tries == 5 ]]; then
      echo "PostgreSQL did not start on 5 ports from ${PG_PORT:-25432}" >&2
      exit 1
    fi
  done
  for _ in $(seq 1 50); do
    if pg_isready -q -h 127.0.0.1 -p "$port"; then
      echo "PostgreSQL $v ready: $(url)"
      return 0
    fi
    sleep 0.2
  done
  echo "PostgreSQL did not get ready on 127.0.0.1:$port" >&2
  exit 1
}

stop() {
  local v
  v="$(version)"
  [[ -n "$v" ]] && pg_dropcluster --stop "$v" "$cluster" 2>/dev/null || true
  rm -f "$port_file"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) url ;;
  *)
    echo "usage: $0 start|stop|url" >&2
    exit 2
    ;;
esac
