#!/usr/bin/env bash
# Load check: wrk mixes logins, creates, updates (If-Match), filtered lists and
# gets over CONNECTIONS connections for DURATION against the service on a fresh
# database, then checks that nothing answered 5xx (or any status but 2xx and
# 429) and that every acknowledged create and update is stored intact.
#
#   bench/load.sh                                  # SQLite and PostgreSQL, 60 s, 64 connections
#   BACKEND=sqlite DURATION=15s bench/load.sh
#   BIN=target/debug/innovation-hub bench/load.sh  # a debug build (CI)
#
# Environment: BACKEND (sqlite|postgres|both), DURATION (wrk's -d, default 60s),
# CONNECTIONS (default 64), BIN (default target/release/innovation-hub, built
# when missing), PORT (default a free one), PG_URL (postgres://postgres@127.0.0.1:5432),
# DB_PREFIX (hub_load: PostgreSQL databases are <prefix>_load_<pid>, dropped at
# the end), KEEP=1 keeps the logs.
#
# Needs wrk (installed from apt when missing), curl, python3, and for
# PostgreSQL psql with the right to create databases.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-60s}"
CONNECTIONS="${CONNECTIONS:-64}"
. bench/load/common.sh

ensure_wrk
ensure_bin
failed=0

for backend in $BACKENDS; do
    echo
    echo "== load: $backend, $CONNECTIONS connections for $DURATION ($BIN)"
    dir="$WORK/$backend"
    fresh_database "$backend" "$dir"
    service_env "$dir"
    start_server "$dir/serve.log"

    python3 "$HERE/hubload.py" members --base "$BASE" --count "$CONNECTIONS" --out "$dir/members.tsv"
    run_wrk mixed "$dir/run" "$dir/members.tsv" "$DURATION" "$CONNECTIONS"

    # Requests still in flight when wrk stopped finish before the check reads
    # the database: the service drains them on SIGTERM, then starts again.
    ok=1
    stop_server || ok=0
    start_server "$dir/serve.log"
    echo "-- verifying"
    python3 "$HERE/hubload.py" verify --strict --base "$BASE" --members "$dir/members.tsv" \
        --database "$DATABASE_URL" --logs "$dir/run" || ok=0
    stop_server || ok=0
    errors="$(log_errors "$dir/serve.log")"
    if [ -n "$errors" ]; then
        echo "the service logged errors:" >&2
        echo "$errors" | head -n 20 >&2
        ok=0
    fi
    drop_database
    if [ "$ok" = 1 ]; then
        echo "== load: $backend passed"
    else
        echo "== load: $backend FAILED" >&2
        failed=1
    fi
done

exit "$failed"
