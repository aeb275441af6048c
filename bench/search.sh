#!/usr/bin/env bash
# Full-text search at scale: builds (or reuses) the demo hub on SQLite and
# PostgreSQL, then times GET /api/v1/submissions?q=falls and
# q="falls prevention" (p50, p99) from CONNECTIONS connections. Targets:
# p50 < 100 ms, p99 < 300 ms on 1,000,000 submissions.
#
#   bench/search.sh                              # both databases, 1,000,000 submissions
#   SUBMISSIONS=100000 BACKENDS=sqlite bench/search.sh
#   REUSE=1 bench/search.sh                      # keep data built by an earlier run
#
# Settings (environment): SUBMISSIONS (1000000), MEMBERS (50000), BACKENDS
# (sqlite postgres), REQUESTS per query (400), CONNECTIONS (8, at most 64),
# REUSE (0), PROFILE (release; `dev` uses target/debug). Needs a release build (built when missing), curl, python3 and,
# for postgres, PostgreSQL on 127.0.0.1:5432 with trust auth (database
# hub_bench_search, dropped and created afresh unless reused).
set -euo pipefail

cd "$(dirname "$0")/.."
SUBMISSIONS="${SUBMISSIONS:-1000000}"
MEMBERS="${MEMBERS:-50000}"
BACKENDS="${BACKENDS:-sqlite postgres}"
REQUESTS="${REQUESTS:-400}"
CONNECTIONS="${CONNECTIONS:-8}"
TARGET="${CARGO_TARGET_DIR:-$PWD/target}"
PROFILE="${PROFILE:-release}"
PROFILE_DIR="$PROFILE"; [ "$PROFILE" = dev ] && PROFILE_DIR=debug
BIN="${BIN:-$TARGET/$PROFILE_DIR/innovation-hub}"
WORK="${WORK:-$TARGET/bench-search}"
PG_DB="${PG_DB:-hub_bench_search}"
PORT="${PORT:-18475}"
BASE="http://127.0.0.1:${PORT}"
PASSWORD="a long benchmark passphrase"

[ -x "$BIN" ] || cargo build --profile "$PROFILE" -p api --bin innovation-hub
mkdir -p "$WORK"
now_ms() { python3 -c 'import time; print(time.monotonic()*1000)'; }

server_pid=""
stop_server() { if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi; server_pid=""; }
trap stop_server EXIT

for backend in $BACKENDS; do
    echo "== $backend: $SUBMISSIONS submissions, $MEMBERS members"
    dir="$WORK/$backend"
    if [ "$backend" = sqlite ]; then
        url="sqlite://$dir/hub.db?mode=rwc"
    else
        url="postgres://postgres@127.0.0.1:5432/$PG_DB"
    fi
    # The read cache is off so that every request reaches the search.
    export DATABASE_URL="$url" HUB_BIND="127.0.0.1:$PORT" HUB_JWT_SECRET="benchmark-secret-benchmark-secret-0123" \
        HUB_RATE_LIMIT_PER_MINUTE=1000000 HUB_READ_CACHE=off HUB_STORAGE=local HUB_STORAGE_DIR="$dir/files" RUST_LOG=warn
    if [ "${REUSE:-0}" = 1 ] && [ -f "$dir/.filled-$SUBMISSIONS" ]; then
        echo "reusing the data in $dir"
        (cd "$dir" && "$BIN" migrate up >/dev/null)
    else
        rm -rf "$dir" && mkdir -p "$dir"
        if [ "$backend" = postgres ]; then
            psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $PG_DB" -c "CREATE DATABASE $PG_DB"
        fi
        start=$(now_ms)
        (cd "$dir" && "$BIN" demo-data --submissions "$SUBMISSIONS" --members "$MEMBERS" --seed 42 --last-quarter 2025-Q4)
        echo "demo-data: $(python3 -c "print(round(($(now_ms) - $start) / 1000, 1))") s"
        if [ "$backend" = sqlite ]; then
            python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('ANALYZE'); c.close()" "$dir/hub.db"
        else
            psql -q -h 127.0.0.1 -U postgres -d "$PG_DB" -c "VACUUM ANALYZE"
        fi
        printf '%s\n' "$PASSWORD" | (cd "$dir" && "$BIN" admin create --email bench@example.org) >/dev/null
        touch "$dir/.filled-$SUBMISSIONS"
    fi
    (cd "$dir" && exec "$BIN" serve) >"$dir/serve.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 150); do curl -fsS "$BASE/health/ready" >/dev/null 2>&1 && break; sleep 0.2; done
    token=$(curl -fsS -X POST "$BASE/api/v1/auth/login" -H 'content-type: application/json' \
        -d "{\"email\":\"bench@example.org\",\"password\":\"$PASSWORD\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
    # Warm the caches, then measure.
    python3 bench/search_load.py "$BASE" "$token" 50 4 falls >/dev/null
    python3 bench/search_load.py "$BASE" "$token" "$REQUESTS" "$CONNECTIONS" falls "falls prevention" '"falls prevention"'
    stop_server
done
