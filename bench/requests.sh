#!/usr/bin/env bash
# Requests per second and p50/p99 latency for get-by-id, list with two filters,
# create and login on SQLite and PostgreSQL, each as a ratio to a bare
# actix-web JSON handler (crates/api/examples/ceiling.rs: no database, no
# auth) measured in the same run: the framework's ceiling on this machine.
# Every figure is the median of RUNS wrk runs. Prints a markdown table.
#
# On PostgreSQL the same run also measures what the database itself serves:
# pgbench (-M prepared, PGBENCH_CLIENTS clients, default the service's pool)
# selecting one seeded submission by primary key, and pgbench's built-in
# tpcb-like transaction (5 statements, one commit) in a separate database at
# scale 10. Get and list are printed as a ratio to the select, create to tpcb-like.
#
#   bench/requests.sh                              # both databases, 3 runs of 20 s each
#   BACKENDS=sqlite DURATION=10s RUNS=1 bench/requests.sh
#   OPS=get,list bench/requests.sh                 # some operations only
#
# Settings (environment): BACKENDS (sqlite,postgres), OPS (get,list,create,login),
# BIN (the service binary; default the release build), DURATION (20s), CONNECTIONS (64),
# THREADS (2), RUNS (3), POOL (the service's HUB_DB_MAX_CONNECTIONS, default 8),
# PGBENCH_CLIENTS (default POOL), SERVICE_LOG (RUST_LOG for the service, warn).
# Needs: wrk (installed with apt when missing), curl, python3, and PostgreSQL on
# 127.0.0.1:5432 with trust auth for the postgres backend (database hub_bench_requests,
# dropped and created afresh).
set -euo pipefail

cd "$(dirname "$0")/.."
BACKENDS="${BACKENDS:-sqlite,postgres}"
OPS="${OPS:-get,list,create,login}"
DURATION="${DURATION:-20s}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
RUNS="${RUNS:-3}"
POOL="${POOL:-8}"
PGBENCH_CLIENTS="${PGBENCH_CLIENTS:-$POOL}"
SERVICE_LOG="${SERVICE_LOG:-warn}"
PG_DB="${PG_DB:-hub_bench_requests}"
TARGET="${CARGO_TARGET_DIR:-$PWD/target}"
BIN="${BIN:-$TARGET/release/innovation-hub}"
CEILING="$TARGET/release/examples/ceiling"
WORK="${WORK:-$TARGET/bench-requests}"
PORT="${PORT:-18473}"
CEILING_PORT="${CEILING_PORT:-18474}"
PASSWORD="a long benchmark passphrase"
BENCH="$PWD/bench"
export BENCH_DIR="$BENCH"

for port in "$PORT" "$CEILING_PORT"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        echo "port $port is in use; set PORT and CEILING_PORT to free ports" >&2
        exit 1
    fi
done

if [ ! -x "$BIN" ] || [ ! -x "$CEILING" ]; then
    cargo build --release -p api --bin innovation-hub --example ceiling
fi
if ! command -v wrk >/dev/null; then
    if [ "$(id -u)" = 0 ]; then apt-get install -y wrk; else sudo apt-get install -y wrk; fi
fi
rm -rf "$WORK" && mkdir -p "$WORK"
RESULTS="$WORK/results.tsv"
: >"$RESULTS"

server_pid=""
stop_server() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    server_pid=""
}
trap stop_server EXIT

wait_for() {
    for _ in $(seq 1 150); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.2; done
    echo "no answer from $1" >&2
    return 1
}

# measure LABEL OP URL SCRIPT [wrk options]: RUNS wrk runs, each appended to results.tsv
measure() {
    local label=$1 op=$2 url=$3 script=$4
    shift 4
    for run in $(seq 1 "$RUNS"); do
        local out="$WORK/wrk-$label-$op-$run.txt"
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" -s "$script" "$url" >"$out"
        python3 "$BENCH/wrk_parse.py" "$label" "$op" "$run" <"$out" >>"$RESULTS"
        tail -n 1 "$RESULTS" | awk -F'\t' '{printf "  %-8s %-7s run %s: %9.0f req/s  p50 %7.2f ms  p99 %7.2f ms  non-2xx %s  errors %s\n", $1, $2, $3, $4, $5, $6, $7, $8}'
    done
}

# pgbench_measure OP [pgbench options]: RUNS pgbench runs, each appended to results.tsv
pgbench_measure() {
    local op=$1
    shift
    local seconds=${DURATION%s}
    for run in $(seq 1 "$RUNS"); do
        local logs="$WORK/pgbench-$op-$run"
        rm -f "$logs".*
        pgbench -h 127.0.0.1 -U postgres -n -M prepared -c "$PGBENCH_CLIENTS" -j "$THREADS" \
            -T "$seconds" -l --log-prefix="$logs" "$@" >"$logs.txt" 2>&1
        python3 "$BENCH/pgbench_parse.py" pgbench "$op" "$run" "$logs" <"$logs.txt" >>"$RESULTS" || {
            cat "$logs.txt" >&2
            return 1
        }
        rm -f "$logs".[0-9]*
        tail -n 1 "$RESULTS" | awk -F'\t' '{printf "  %-8s %-7s run %s: %9.0f tps    p50 %7.2f ms  p99 %7.2f ms  failed %s\n", $1, $2, $3, $4, $5, $6, $7}'
    done
}

echo "== ceiling: bare actix-web JSON handler"
"$CEILING" "127.0.0.1:$CEILING_PORT" >"$WORK/ceiling.log" 2>&1 &
server_pid=$!
wait_for "http://127.0.0.1:$CEILING_PORT/ping/1"
wrk -t"$THREADS" -c"$CONNECTIONS" -d2s -s "$BENCH/ceiling.lua" "http://127.0.0.1:$CEILING_PORT" >/dev/null
measure ceiling ping "http://127.0.0.1:$CEILING_PORT" "$BENCH/ceiling.lua"
stop_server

for backend in ${BACKENDS//,/ }; do
    echo "== $backend"
    dir="$WORK/$backend"
    mkdir -p "$dir"
    if [ "$backend" = sqlite ]; then
        url="sqlite://$dir/hub.db?mode=rwc"
    else
        psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $PG_DB" -c "CREATE DATABASE $PG_DB"
        url="postgres://postgres@127.0.0.1:5432/$PG_DB"
    fi
    export DATABASE_URL="$url" HUB_BIND="127.0.0.1:$PORT" HUB_JWT_SECRET="benchmark-secret-benchmark-secret-0123" \
        HUB_RATE_LIMIT_PER_MINUTE=1000000 HUB_LOGIN_MAX_FAILURES=10000 HUB_DB_MAX_CONNECTIONS="$POOL" \
        HUB_STORAGE=local HUB_STORAGE_DIR="$dir/files" RUST_LOG="$SERVICE_LOG"
    "$BIN" migrate up >/dev/null
    printf '%s\n' "$PASSWORD" | "$BIN" admin create --email bench-admin@example.org >/dev/null
    "$BIN" serve >"$dir/serve.log" 2>&1 &
    server_pid=$!
    base="http://127.0.0.1:$PORT"
    wait_for "$base/health/ready"
    python3 "$BENCH/seed.py" "$base" bench-admin@example.org "$PASSWORD" "$dir"
    if [ "$backend" = postgres ]; then
        echo "== pgbench on the service's database ($PGBENCH_CLIENTS clients)"
        psql -q -h 127.0.0.1 -U postgres -d "$PG_DB" -v ON_ERROR_STOP=1 \
            -c "CREATE TABLE bench_ids AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM submissions" \
            -c "ALTER TABLE bench_ids ADD PRIMARY KEY (n)"
        ids=$(psql -qtA -h 127.0.0.1 -U postgres -d "$PG_DB" -c "SELECT count(*) FROM bench_ids")
        pgbench_measure select -D ids="$ids" -f "$BENCH/pgbench/get.sql" "$PG_DB"
        psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS ${PG_DB}_tpcb" -c "CREATE DATABASE ${PG_DB}_tpcb"
        pgbench -h 127.0.0.1 -U postgres -i -q -s 10 "${PG_DB}_tpcb" >/dev/null 2>&1
        pgbench_measure tpcb -b tpcb-like "${PG_DB}_tpcb"
        psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS ${PG_DB}_tpcb"
    fi
    export TOKENS_FILE="$dir/tokens" IDS_FILE="$dir/ids"
    # Warm up (connections, caches) before the first measurement.
    wrk -t"$THREADS" -c"$CONNECTIONS" -d2s -s "$BENCH/get.lua" "$base" >/dev/null
    for op in ${OPS//,/ }; do
        case $op in
            get) measure "$backend" get "$base" "$BENCH/get.lua" ;;
            list) measure "$backend" list "$base" "$BENCH/list.lua" ;;
            create) BODY_FILE="$dir/create.json" measure "$backend" create "$base" "$BENCH/create.lua" ;;
            login) BODY_FILE="$dir/login.json" measure "$backend" login "$base" "$BENCH/login.lua" --timeout 60s ;;
            *) echo "unknown operation $op" >&2; exit 1 ;;
        esac
    done
    stop_server
done

echo
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, median of $RUNS runs; raw output in $WORK"
echo "pgbench -M prepared -c $PGBENCH_CLIENTS -j $THREADS -T ${DURATION%s} on the same PostgreSQL, in the same run"
echo
python3 "$BENCH/wrk_table.py" <"$RESULTS"
