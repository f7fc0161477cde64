#!/usr/bin/env bash
# The web pages' query parameters against bad input (NUL, control characters, broken UTF-8,
# overlong and out-of-range values): a demo server on SQLite, then one on PostgreSQL, each
# driven by page_bad_input.py. Fails on any 5xx and on any ERROR the server logs.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET_DIR="${CARGO_TARGET_DIR:-target}"
PG_ADMIN_URL="${ORBITA_PG_ADMIN_URL:-postgres://postgres@127.0.0.1/postgres}"
cargo build --quiet --bin orbita
BIN="$TARGET_DIR/debug/orbita"
WORK="$(mktemp -d)"
SERVER_PID=""
stop_server() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID"
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}
trap 'stop_server; rm -rf "$WORK"' EXIT

# pass NAME DATABASE_URL
pass() {
    local name="$1" url="$2" port
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    printf '\n==> bad query values over the pages (%s)\n' "$name"
    ORBITA_DATABASE_URL="$url" ORBITA_LOG=warn "$BIN" serve --demo --listen "127.0.0.1:$port" \
        >"$WORK/$name.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 240); do
        python3 -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout=1)" \
            "http://127.0.0.1:$port/readyz" 2>/dev/null && break
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            cat "$WORK/$name.log"
            echo "orbita serve exited before it was ready" >&2
            return 1
        fi
        sleep 0.5
    done
    local status=0
    python3 .ci/page_bad_input.py "http://127.0.0.1:$port" || status=$?
    if grep -aq 'ERROR' "$WORK/$name.log"; then
        echo "server errors logged:"
        grep -a 'ERROR' "$WORK/$name.log" | head -n 20
        status=1
    fi
    stop_server
    return "$status"
}

status=0
pass sqlite "sqlite://$WORK/orbita.db" || status=1
DB="orbita_bad_input"
psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null 2>&1
pass postgres "postgres://postgres@127.0.0.1/$DB" || status=1
psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
exit "$status"
