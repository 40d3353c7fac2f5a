#!/usr/bin/env bash
# Makes sure the servers the test suite talks to are up: Redis on 127.0.0.1:6379, PostgreSQL,
# and FerretDB (MongoDB wire protocol) for the MongoDB adapter. Prints `MONGODB_URL=...` last.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "starting redis-server on 127.0.0.1:6379" >&2
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log >&2
  for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "starting PostgreSQL" >&2
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start >&2 || true
  for _ in $(seq 1 50); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.2; done
fi

if [ -f "$here/ferretdb.sh" ]; then
  bash "$here/ferretdb.sh"
fi
