#!/usr/bin/env bash
# Builds FerretDB 1.x from the Go module proxy (once, cached) and starts it on loopback over
# SQLite, so the MongoDB read-model adapter runs against a real wire-protocol server.
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

log() { echo "ferretdb.sh: $*" >&2; }
answers() { (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; }

if answers; then
  log "already answering on $ADDR"
  echo "$URL"
  exit 0
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

mkdir -p "$STATE_DIR/data"
log "starting FerretDB on $ADDR (SQLite in $STATE_DIR/data)"
nohup "$BIN" \
  --listen-addr="$ADDR" \
  --handler=sqlite \
  --sqlite-url="file:$STATE_DIR/data/" \
  --state-dir="$STATE_DIR" \
  --debug-addr=- \
  --telemetry=disable \
  --log-level=warn \
  >>"$STATE_DIR/ferretdb.log" 2>&1 &
PID=$!
echo "$PID" >"$STATE_DIR/ferretdb.pid"

for _ in $(seq 1 100); do
  if answers; then
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
