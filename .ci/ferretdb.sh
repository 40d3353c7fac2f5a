#!/usr/bin/env bash
# Builds FerretDB 1.x from the Go module proxy (once, cached) and starts it on loopback over the
# local PostgreSQL (127.0.0.1:5432, trust auth, user postgres; database "ferretdb"), or over SQLite
# when PostgreSQL does not answer (much slower on upserts), so the MongoDB read-model adapter runs
# against a real wire-protocol server. FERRETDB_HANDLER=sqlite|postgresql forces a backend.
# Idempotent: when FerretDB already answers on the address, it only prints the URL.
# Prints the MONGODB_URL to use on stdout (everything else goes to stderr):
#   export MONGODB_URL="$(bash .ci/ferretdb.sh)"
set -euo pipefail

VERSION="v1.24.0"
ADDR="${FERRETDB_ADDR:-127.0.0.1:27018}"
HOST="${ADDR%:*}"
PORT="${ADDR##*:}"
CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/ztkeys/ferretdb"
BIN="$CACHE_DIR/ferretdb-$VERSION"
STATE_DIR="${FERRETDB_STATE_DIR:-${TMPDIR:-/tmp}/ztkeys-ferretdb-$PORT}"
URL="mongodb://$ADDR/"

REPO="$(cd "$(dirname "$0")/.." && pwd)"

# FerretDB 1.24 holds one pooled PostgreSQL connection per statement of an update command until the
# command ends, so concurrent update commands needing more than its pool in all wait on each other
# for good (the server wedges: every request hangs). Two test workers write at once: the pool is
# raised from its 50 to 90 of PostgreSQL's 100 connections (FerretDB is their only user here).
PG_URL="postgres://postgres@127.0.0.1:5432/ferretdb?pool_max_conns=${FERRETDB_PG_POOL:-90}"

log() { echo "ferretdb.sh: $*" >&2; }
answers() { (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; }
# A real round trip: FerretDB 1.24 on PostgreSQL wedges for good (every request hangs) after update
# commands at once of more statements than its connection pool; a wedged instance of ours is restarted.
pings() {
  timeout 10 node -e '
    const { MongoClient } = require(require.resolve("mongodb", { paths: [process.argv[1]] }));
    const client = new MongoClient(process.argv[2], { serverSelectionTimeoutMS: 5000, socketTimeoutMS: 5000 });
    client.db("admin").command({ ping: 1 }).then(() => process.exit(0), () => process.exit(1));
  ' "$REPO" "$URL" >/dev/null 2>&1
}

# Found by its command line, not by a pid file: STATE_DIR follows TMPDIR, which the tests' setup sets.
ours() { [[ -n "$OLD_PID" ]] && [[ "$(cat "/proc/$OLD_PID/comm" 2>/dev/null)" == ferretdb* ]]; }
# An instance of ours started by an older script (another pool) or on the other backend.
outdated() { [[ "${FERRETDB_HANDLER:-}" != sqlite ]] && [[ "$(tr '\0' ' ' <"/proc/$OLD_PID/cmdline" 2>/dev/null)" != *"--postgresql-url=$PG_URL "* ]] && pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

if answers; then
  OLD_PID="$(pgrep -f -- "--listen-addr=$ADDR " | head -n 1 || true)"
  if pings && ! { ours && outdated; }; then
    log "already answering on $ADDR"
    echo "$URL"
    exit 0
  fi
  if ours; then
    log "FerretDB (pid $OLD_PID) does not answer, or runs with other settings than these: restarting it"
    kill "$OLD_PID"
    for _ in $(seq 1 50); do kill -0 "$OLD_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$OLD_PID" 2>/dev/null || true
  else
    log "something on $ADDR accepts connections but does not answer as MongoDB, and it is not ours"
    exit 1
  fi
fi

if [[ ! -x "$BIN" ]]; then
  # `go install github.com/FerretDB/FerretDB/cmd/ferretdb@$VERSION` builds, but the binary panics at
  # start ("Invalid build/version/version.txt file content"): version.txt is generated from git by
  # the release tooling and is absent from the module zip. So build from a writable copy of the
  # module source with that file written. No build tag is needed (ferretdb_debug is optional).
  log "building FerretDB $VERSION (once; cached in $CACHE_DIR)"
  SRC_DIR="$(go mod download -json "github.com/FerretDB/FerretDB@$VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -d "$SRC_DIR" ]] || { log "go mod download gave no module directory"; exit 1; }
  WORK="$(mktemp -d)"
  trap 'rm -rf "$WORK"' EXIT
  cp -r "$SRC_DIR/." "$WORK/src"
  chmod -R u+w "$WORK/src"
  echo "$VERSION" >"$WORK/src/build/version/version.txt"
  mkdir -p "$CACHE_DIR"
  (cd "$WORK/src" && GOFLAGS=-buildvcs=false GOTOOLCHAIN=local go build -trimpath -o "$BIN.tmp" ./cmd/ferretdb)
  mv "$BIN.tmp" "$BIN"
fi

HANDLER="${FERRETDB_HANDLER:-}"
if [[ -z "$HANDLER" ]]; then
  if command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; then HANDLER=postgresql; else HANDLER=sqlite; fi
fi
mkdir -p "$STATE_DIR/data"
if [[ "$HANDLER" == postgresql ]]; then
  if [[ "$(psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'ferretdb'")" != 1 ]]; then
    psql -h 127.0.0.1 -U postgres -qc 'CREATE DATABASE ferretdb' >&2
  fi
  # The tests judge FerretDB's answers, not what PostgreSQL keeps through a power cut: its commits
  # do not wait for the disk (set before FerretDB opens its connections, which read it).
  psql -h 127.0.0.1 -U postgres -qc 'ALTER DATABASE ferretdb SET synchronous_commit = off' >&2
  BACKEND=(--handler=postgresql --postgresql-url="$PG_URL")
  log "starting FerretDB on $ADDR over PostgreSQL ($PG_URL)"
else
  BACKEND=(--handler=sqlite --sqlite-url="file:$STATE_DIR/data/")
  log "starting FerretDB on $ADDR over SQLite ($STATE_DIR/data)"
fi
# No pushdown flag: 1.24 has only --test-disable-pushdown and --test-enable-nested-pushdown (dotted
# fields); by default it pushes down equalities on top-level fields, and never a range, a sort
# (but $natural) or a limit with a filter (README, "Org totals and query plans").
nohup "$BIN" \
  --listen-addr="$ADDR" \
  "${BACKEND[@]}" \
  --state-dir="$STATE_DIR" \
  --debug-addr=- \
  --telemetry=disable \
  --log-level=warn \
  >>"$STATE_DIR/ferretdb.log" 2>&1 &
PID=$!

for _ in $(seq 1 100); do
  if answers && pings; then
    log "up (pid $PID, log $STATE_DIR/ferretdb.log)"
    echo "$URL"
    exit 0
  fi
  if ! kill -0 "$PID" 2>/dev/null; then
    log "FerretDB exited at start:"
    tail -n 20 "$STATE_DIR/ferretdb.log" >&2
    exit 1
  fi
  sleep 0.1
done
log "FerretDB did not answer on $ADDR within 10 s"
tail -n 20 "$STATE_DIR/ferretdb.log" >&2
exit 1
