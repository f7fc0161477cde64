#!/usr/bin/env bash
# Exports every company through the real server as the demo administrator and prints the time,
# the file's size and the server's peak resident memory (VmHWM): issue 6's million-row export.
#
#   bash crates/orbita-bench/export-all.sh sqlite://target/bench-data/orbita-large.db xlsx
#   bash crates/orbita-bench/export-all.sh postgres://postgres@127.0.0.1/orbita_large csv
#
# ORBITA=path/to/orbita picks the binary (default target/release/orbita).
set -euo pipefail
url="$1"
format="${2:-xlsx}"
orbita="${ORBITA:-target/release/orbita}"
port="${PORT:-18091}"
out="$(mktemp --suffix=".$format")"
log="$(mktemp)"
"$orbita" --database-url "$url" serve --listen "127.0.0.1:$port" >"$log" 2>&1 &
pid=$!
jar="$(mktemp)"
trap 'kill "$pid" 2>/dev/null || true; rm -f "$jar" "$out" "$log"' EXIT
ready=no
for _ in $(seq 1 150); do
    curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && { ready=yes; break; }
    sleep 0.2
done
[ "$ready" = yes ] || { echo "the server did not start:" >&2; cat "$log" >&2; exit 1; }
curl -s -c "$jar" -o /dev/null -X POST "http://127.0.0.1:$port/login" \
    --data-urlencode email=admin@demo.orbita.local --data-urlencode password=orbita-demo
started=$(date +%s.%N)
status=$(curl -s -b "$jar" -o "$out" -w '%{http_code}' "http://127.0.0.1:$port/companies.$format?sort=name")
finished=$(date +%s.%N)
peak_kib=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
[ "$status" = 200 ] || { echo "HTTP $status" >&2; exit 1; }
python3 - "$started" "$finished" "$peak_kib" "$out" "$format" <<'PY'
import os, sys
started, finished, peak_kib, path, fmt = sys.argv[1:]
seconds = float(finished) - float(started)
rows = None
if fmt == "csv":
    with open(path, "rb") as f:
        rows = sum(1 for _ in f) - 1
print(f"format={fmt} seconds={seconds:.1f} bytes={os.path.getsize(path)} "
      f"rows={rows if rows is not None else 'n/a'} server_peak_rss_mb={int(peak_kib) / 1024:.0f}")
PY
