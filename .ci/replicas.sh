#!/usr/bin/env bash
# Two replicas of the service on one fresh PostgreSQL database, as real
# processes on loopback ports (bench/replicas/run.py), with PostgreSQL
# restarted mid-load: run alone, after the PostgreSQL tests.
#
#   .ci/replicas.sh target/debug/innovation-hub
set -euo pipefail
cd "$(dirname "$0")/.."

bin="${1:?usage: .ci/replicas.sh <innovation-hub binary>}"

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    if command -v redis-server >/dev/null 2>&1; then
        redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save '' --appendonly no >/dev/null
        for _ in $(seq 1 20); do
            redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break
            sleep 0.2
        done
    fi
fi

BIN="$bin" PG_URL="postgres://postgres@127.0.0.1:5432" RESTART_POSTGRES=1 \
    timeout 240 python3 bench/replicas/run.py
