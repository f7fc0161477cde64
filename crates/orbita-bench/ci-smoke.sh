#!/usr/bin/env bash
# The benchmark harness's smoke run for CI: the small demo data set on SQLite and on
# PostgreSQL, every operation for half a second, so that the tool (and the pages it drives)
# cannot rot unnoticed. Targets are reported, not enforced: numbers from a small data set on
# a CI machine say nothing. An operation that fails (an error, an unexpected status) fails
# the script.
#
#   bash crates/orbita-bench/ci-smoke.sh
#
# PostgreSQL: a temporary database `orbita_bench_<pid>` is created on the server of
# ORBITA_TEST_POSTGRES_URL and dropped afterwards; without the variable that half is skipped.
# BENCH_PROFILE=release builds optimised binaries (slower to build, as the large runs use).
set -euo pipefail

cd "$(dirname "$0")/../.."
target="${CARGO_TARGET_DIR:-target}"
profile="${BENCH_PROFILE:-dev}"
# Cargo calls the dev profile's folder "debug".
folder="$([ "$profile" = dev ] && echo debug || echo "$profile")"

# --workspace --all-targets: the features `cargo test --workspace` resolved, so CI reuses its
# build instead of compiling the dependencies again for two packages alone.
cargo build --profile "$profile" --workspace --all-targets --locked
bench="$target/$folder/orbita-bench"

echo "== orbita-bench: SQLite, small data set"
timeout 240 "$bench" --db sqlite --size small --out "$target/bench-sqlite-small.md" >/dev/null

if [ -n "${ORBITA_TEST_POSTGRES_URL:-}" ]; then
    echo "== orbita-bench: PostgreSQL, small data set"
    timeout 240 "$bench" --db postgres --size small --database-url "$ORBITA_TEST_POSTGRES_URL" \
        --out "$target/bench-postgres-small.md" >/dev/null
else
    echo "ORBITA_TEST_POSTGRES_URL is not set: the PostgreSQL smoke run is skipped."
fi
echo "orbita-bench smoke runs passed: $target/bench-*-small.md"
