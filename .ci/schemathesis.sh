#!/usr/bin/env bash
# Fuzzes the REST API against its own OpenAPI document with schemathesis: every operation of
# /api/v1/openapi.json, positive and negative data, on a demo database. Fails on any 5xx and on
# any response that does not match the document. Non-interactive; takes about 2–3 minutes on
# 2 cores after the build.
#
#   ST_MAX_EXAMPLES  test cases per operation and phase (default 100)
#   ST_SEED          reproduce a run (schemathesis prints the seed it used)
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TERM_COLOR=never
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
VENV=target/st-venv
MAX_EXAMPLES="${ST_MAX_EXAMPLES:-100}"
ST_VERSION=4.32.5
HYPOTHESIS_VERSION=6.170.15

section() { printf '\n==> %s\n' "$*"; }

if [ ! -x "$VENV/bin/st" ] || ! "$VENV/bin/st" --version | grep -q "$ST_VERSION"; then
    rm -rf "$VENV"
    section "installing schemathesis into $VENV"
    python3 -m venv "$VENV"
    # Pinned, so a new release cannot change what CI checks between two runs of one commit.
    "$VENV/bin/pip" install -q "schemathesis==$ST_VERSION" "hypothesis==$HYPOTHESIS_VERSION"
fi
"$VENV/bin/st" --version
# `/metrics` is read back with Prometheus's own parser.
if ! "$VENV/bin/python" -c "import prometheus_client" 2>/dev/null; then
    "$VENV/bin/pip" install -q "prometheus_client==0.21.1"
fi

section "building orbita"
cargo build --quiet --bin orbita
BIN="$TARGET_DIR/debug/orbita"

WORK="$(mktemp -d)"
SERVER_PID=""
stop_server() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID"
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap stop_server EXIT

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
export ORBITA_DATABASE_URL="sqlite://$WORK/orbita.db"
# Every generated case counts against the token's limit: lift it, or the run tests 429s only.
export ORBITA_API_RATE_LIMIT=1000000
# Likewise the web forms' per-address limit: every post comes from loopback.
export ORBITA_WEB_FORM_POSTS_PER_ADDRESS=1000000
export ORBITA_LOG="${ORBITA_LOG:-warn}"

section "starting orbita serve --demo on $BASE"
"$BIN" serve --demo --listen "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 120); do
    if python3 -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout=1)" "$BASE/readyz" 2>/dev/null; then
        break
    fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        cat "$WORK/serve.log"
        echo "orbita serve exited before it was ready" >&2
        exit 1
    fi
    sleep 0.5
done

section "/metrics parses as Prometheus text and counts requests"
"$VENV/bin/python" - "$BASE" <<'PY'
import sys, urllib.request
from prometheus_client.parser import text_string_to_metric_families
base = sys.argv[1]
def families():
    text = urllib.request.urlopen(base + "/metrics", timeout=10).read().decode()
    return {f.name: f for f in text_string_to_metric_families(text)}
def health_checks(found):
    return sum(s.value for s in found["orbita_http_requests"].samples
               if s.name.endswith("_total") and s.labels.get("route") == "/healthz")
before = families()
for _ in range(3):
    urllib.request.urlopen(base + "/healthz", timeout=10).read()
after = families()
need = {"orbita_http_requests", "orbita_http_request_duration_seconds", "orbita_db_pool_connections", "orbita_jobs_queued"}
missing = need - set(after)
if missing:
    sys.exit(f"/metrics lacks {sorted(missing)}; it has {sorted(after)}")
was = health_checks(before) if "orbita_http_requests" in before else 0
if health_checks(after) < was + 3:
    sys.exit(f"/metrics did not count three health checks: {was} -> {health_checks(after)}")
print(f"/metrics: {len(after)} families parsed; the health checks counted")
PY

TOKEN="$("$BIN" token create --email admin@demo.orbita.local --name schemathesis | tail -n 1)"
case "$TOKEN" in
    orb_*) ;;
    *) echo "token create printed no token" >&2; exit 1 ;;
esac

ROOT="$PWD"
SEED_ARGS=()
if [ -n "${ST_SEED:-}" ]; then
    SEED_ARGS=(--seed "$ST_SEED")
fi
status=0
# The web forms' public endpoint, described by its own small document (it is not the API's),
# first: the API's run below may delete or switch off the demo's form it posts to.
section "schemathesis: the web forms' public endpoint"
(cd "$WORK" && "$ROOT/$VENV/bin/st" run "$ROOT/.ci/public-form.openapi.json" \
    --url "$BASE" \
    --checks not_a_server_error \
    --max-examples "$MAX_EXAMPLES" \
    --workers 1 \
    --request-timeout 30 \
    --generation-database none \
    --no-color \
    "${SEED_ARGS[@]}") | tee "$WORK/st-public.log" || status=$?

section "schemathesis: $MAX_EXAMPLES examples per operation"
# One worker: with two, hypothesis parses lambdas' source in two threads at once and CPython 3.11
# can fail with "AST constructor recursion depth mismatch" (cpython#106905), a crash of the tool
# that fails the run although every case passed.
# From the temporary folder: schemathesis keeps a cache in its working directory.
(cd "$WORK" && "$ROOT/$VENV/bin/st" run "$BASE/api/v1/openapi.json" \
    --header "Authorization: Bearer $TOKEN" \
    --checks not_a_server_error,response_schema_conformance \
    --max-examples "$MAX_EXAMPLES" \
    --workers 1 \
    --request-timeout 30 \
    --generation-database none \
    --no-color \
    --report junit --report-dir "$ROOT/target/schemathesis-report" \
    "${SEED_ARGS[@]}") | tee "$WORK/st.log" || status=$?

cases="$(grep -Eo '[0-9]+ generated' "$WORK/st.log" | tail -n 1 | grep -Eo '[0-9]+' || echo 0)"
echo "schemathesis generated $cases test cases (exit status $status)"
if grep -aq 'ERROR' "$WORK/serve.log"; then
    section "server errors logged"
    grep -a 'ERROR' "$WORK/serve.log" | head -n 20
    status=1
fi
if [ "$cases" -eq 0 ]; then
    echo "no test cases were generated" >&2
    status=1
fi
exit "$status"
