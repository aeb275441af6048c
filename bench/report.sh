#!/usr/bin/env bash
# Benchmark of the quarterly summary on demo data (default 1,000,000 submissions,
# 50,000 members) on SQLite and PostgreSQL: the HTTP report (JSON), the same SQL
# run directly in sqlite3 / psql, and snapshot re-export. Prints medians.
#
#   bench/report.sh                      # both databases, 1M submissions
#   SUBMISSIONS=100000 bench/report.sh   # smaller
#   BACKENDS=sqlite bench/report.sh      # one database
#
# Needs: a release build (cargo build --release -p api), sqlite3, psql, curl,
# python3, and PostgreSQL on 127.0.0.1:5432 with trust auth.
set -euo pipefail

cd "$(dirname "$0")/.."
SUBMISSIONS="${SUBMISSIONS:-1000000}"
MEMBERS="${MEMBERS:-50000}"
RUNS="${RUNS:-7}"
QUARTER="${QUARTER:-2025-Q3}"
BACKENDS="${BACKENDS:-sqlite postgres}"
BIN="${BIN:-$PWD/target/release/innovation-hub}"
WORK="${WORK:-$PWD/target/bench-report}"
PORT=18111
BASE="http://127.0.0.1:${PORT}"
PASSWORD="a long benchmark passphrase"

[ -x "$BIN" ] || cargo build --release -p api --bin innovation-hub
mkdir -p "$WORK"

median() { python3 -c 'import statistics,sys; v=[float(x) for x in sys.stdin.read().split()]; print(f"{statistics.median(v):.1f}")'; }
now_ms() { python3 -c 'import time; print(time.monotonic()*1000)'; }

server_pid=""
stop_server() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null; server_pid=""; }
trap stop_server EXIT

for backend in $BACKENDS; do
    echo "== $backend: $SUBMISSIONS submissions, $MEMBERS members"
    dir="$WORK/$backend"
    db="${PG_DB:-hub_bench_report}"
    if [ "$backend" = sqlite ]; then
        url="sqlite://$dir/hub.db?mode=rwc"
        sql_cli() { sqlite3 "$dir/hub.db"; }
    else
        url="postgres://postgres@127.0.0.1:5432/$db"
        sql_cli() { psql -q -h 127.0.0.1 -U postgres -d "$db" >/dev/null; }
    fi
    export DATABASE_URL="$url" HUB_BIND="127.0.0.1:$PORT" HUB_JWT_SECRET="benchmark-secret-benchmark-secret-0123" RUST_LOG=warn

    # REUSE=1 keeps the data of an earlier run with the same settings.
    if [ "${REUSE:-0}" = 1 ] && [ -f "$dir/.filled-$SUBMISSIONS" ]; then
        echo "reusing the data in $dir"
        (cd "$dir" && "$BIN" migrate up >/dev/null)
    else
        rm -rf "$dir" && mkdir -p "$dir"
        if [ "$backend" = postgres ]; then
            psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
        fi
        start=$(now_ms)
        (cd "$dir" && "$BIN" demo-data --submissions "$SUBMISSIONS" --members "$MEMBERS" --seed 42 --last-quarter 2025-Q4)
        echo "demo-data: $(python3 -c "print(round(($(now_ms) - $start) / 1000, 1))") s"
        if [ "$backend" = sqlite ]; then echo "ANALYZE;" | sql_cli; else echo "VACUUM ANALYZE;" | sql_cli; fi
        printf '%s\n' "$PASSWORD" | (cd "$dir" && "$BIN" admin create --email bench@example.org) >/dev/null
        touch "$dir/.filled-$SUBMISSIONS"
    fi

    (cd "$dir" && exec "$BIN" serve) >"$dir/serve.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 100); do curl -fsS "$BASE/health/ready" >/dev/null 2>&1 && break; sleep 0.2; done
    token=$(curl -fsS -X POST "$BASE/api/v1/auth/login" -H 'content-type: application/json' \
        -d "{\"email\":\"bench@example.org\",\"password\":\"$PASSWORD\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

    curl -fsS -o /dev/null "$BASE/api/v1/reports/quarterly/$QUARTER" -H "authorization: Bearer $token"
    http=$(for _ in $(seq 1 "$RUNS"); do
        curl -fsS -o /dev/null -w '%{time_total}\n' "$BASE/api/v1/reports/quarterly/$QUARTER" -H "authorization: Bearer $token"
    done | python3 -c 'import sys; print(" ".join(str(float(x)*1000) for x in sys.stdin.read().split()))' | median)

    "$BIN" report-sql --quarter "$QUARTER" --backend "$backend" --whole-report >"$dir/report.sql"
    direct=$(for _ in $(seq 1 "$RUNS"); do
        t0=$(now_ms); sql_cli <"$dir/report.sql" >/dev/null; t1=$(now_ms)
        python3 -c "print($t1 - $t0)"
    done | median)

    snapshot=$(curl -fsS -X POST "$BASE/api/v1/reports/quarterly/$QUARTER/snapshots" -H "authorization: Bearer $token" \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["href"])')
    reexport_json=$(for _ in $(seq 1 "$RUNS"); do
        curl -fsS -o /dev/null -w '%{time_total}\n' "$BASE$snapshot" -H "authorization: Bearer $token"
    done | python3 -c 'import sys; print(" ".join(str(float(x)*1000) for x in sys.stdin.read().split()))' | median)
    reexport_csv=$(for _ in $(seq 1 "$RUNS"); do
        curl -fsS -o /dev/null -w '%{time_total}\n' "$BASE$snapshot?format=csv" -H "authorization: Bearer $token"
    done | python3 -c 'import sys; print(" ".join(str(float(x)*1000) for x in sys.stdin.read().split()))' | median)
    stop_server

    ratio=$(python3 -c "print(round($http / $direct, 2))")
    echo "$backend: report JSON median ${http} ms over $RUNS runs; same SQL direct ${direct} ms; ratio ${ratio}; snapshot re-export JSON ${reexport_json} ms, CSV ${reexport_csv} ms"
done
