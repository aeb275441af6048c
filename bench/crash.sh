#!/usr/bin/env bash
# Crash check: wrk creates and updates submissions over CONNECTIONS connections;
# KILL_AFTER seconds in, the service gets `kill -9`. It is then restarted on the
# same database, which must go cleanly (`migrate status` all applied, ready,
# no errors logged), and the check reads back every write of every round so far:
# each acknowledged create and update is stored intact, a write that got no
# answer happened in full or not at all, and every stored submission is whole
# (its tag, recommendation and citation rows, events and audit entry agree with
# its document). ROUNDS rounds per database.
#
#   bench/crash.sh                                   # SQLite and PostgreSQL, 3 rounds each
#   BACKEND=postgres ROUNDS=5 bench/crash.sh
#   BIN=target/debug/innovation-hub bench/crash.sh   # a debug build (CI)
#
# Environment: BACKEND (sqlite|postgres|both), ROUNDS (3), KILL_AFTER (seconds
# of load before each kill, default 4), CONNECTIONS (32), BIN, PORT, PG_URL,
# DB_PREFIX, KEEP as for bench/load.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS="${ROUNDS:-3}"
KILL_AFTER="${KILL_AFTER:-4}"
CONNECTIONS="${CONNECTIONS:-32}"
. bench/load/common.sh

ensure_wrk
ensure_bin
failed=0

# Restarts after a crash: migrations intact, the service ready, nothing logged as an error.
restart_cleanly() {
    local dir="$1" round="$2"
    local status="$dir/migrate-status-$round.txt"
    if ! "$BIN" migrate status >"$status" 2>&1; then
        echo "migrate status failed after the crash:" >&2
        cat "$status" >&2
        return 1
    fi
    if ! grep -q '^applied ' "$status" || grep -v '^applied ' "$status" | grep -q .; then
        echo "migrate status after the crash is not all applied:" >&2
        cat "$status" >&2
        return 1
    fi
    start_server "$dir/serve-$round.log" || return 1
    local errors
    errors="$(log_errors "$dir/serve-$round.log")"
    if [ -n "$errors" ]; then
        echo "the service logged errors when restarting after the crash:" >&2
        echo "$errors" | head -n 20 >&2
        return 1
    fi
}

for backend in $BACKENDS; do
    echo
    echo "== crash: $backend, $ROUNDS rounds of kill -9 after ${KILL_AFTER}s of writes on $CONNECTIONS connections ($BIN)"
    dir="$WORK/$backend"
    fresh_database "$backend" "$dir"
    service_env "$dir"
    start_server "$dir/serve-0.log"
    python3 "$HERE/hubload.py" members --base "$BASE" --count "$CONNECTIONS" --out "$dir/members.tsv"

    ok=1
    logs=()
    for round in $(seq 1 "$ROUNDS"); do
        out="$dir/round-$round"
        logs+=("$out")
        mkdir -p "$out"
        HUB_LOAD_MODE=write HUB_LOAD_OUT="$out" HUB_LOAD_MEMBERS="$dir/members.tsv" HUB_LOAD_TAG="r$round" \
            wrk -t "$CONNECTIONS" -c "$CONNECTIONS" -d 10m -T 30s -s "$HERE/hub.lua" "$BASE" >"$out/wrk.txt" 2>&1 &
        wrk_pid=$!
        # A different moment in each round: KILL_AFTER plus up to a second.
        sleep "$KILL_AFTER.$((RANDOM % 10))"
        # wrk stops within a tenth of a second of SIGINT, so the kill lands
        # while it still sends; stopping it first keeps it from spinning on
        # refused connections afterwards.
        kill -INT "$wrk_pid"
        kill -9 "$SERVER_PID"
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=""
        wait "$wrk_pid" || true
        echo "-- round $round: killed the service after $(python3 -c "import json; print(json.load(open('$out/summary.json'))['requests'])") answers; restarting"
        if ! restart_cleanly "$dir" "$round"; then
            ok=0
            break
        fi
        if ! python3 "$HERE/hubload.py" verify --base "$BASE" --members "$dir/members.tsv" \
            --database "$DATABASE_URL" --logs "${logs[@]}"; then
            ok=0
            break
        fi
    done
    if [ "$ok" = 1 ]; then
        stop_server || ok=0
    fi
    drop_database
    if [ "$ok" = 1 ]; then
        echo "== crash: $backend passed"
    else
        echo "== crash: $backend FAILED" >&2
        failed=1
    fi
done

exit "$failed"
