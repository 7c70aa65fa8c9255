#!/usr/bin/env bash
# Start PostgreSQL and Redis on loopback if they are installed but not running,
# and check that Chromium (for the browser tests) is there.
set -euo pipefail

wait_for() {  # wait_for NAME COMMAND...
  local name=$1; shift
  for _ in $(seq 1 30); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "error: $name did not come up within 30 seconds" >&2
  exit 1
}

if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "PostgreSQL: running"
elif command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  echo "PostgreSQL: starting"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main start
  wait_for PostgreSQL pg_isready -q -h 127.0.0.1 -p 5432
else
  echo "error: PostgreSQL is not installed. On Debian: apt-get install -y postgresql" >&2
  exit 1
fi

if redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then
  echo "Redis: running"
elif command -v redis-server >/dev/null 2>&1; then
  echo "Redis: starting"
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no
  wait_for Redis sh -c 'redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG'
else
  echo "error: Redis is not installed. On Debian: apt-get install -y redis-server" >&2
  exit 1
fi

chromium_path=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ ! -x "$chromium_path" ]; then
  echo "error: Chromium is needed for the browser tests and is not at $chromium_path." >&2
  echo "       On Debian: apt-get install -y chromium (bash .ci/run does this)," >&2
  echo "       or set CHROMIUM_PATH to a Chromium binary." >&2
  exit 1
fi
echo "Chromium: $chromium_path"
