#!/usr/bin/env bash
# One process per SQLite file: while a service with the read cache on runs,
# a second `serve`, `migrate` and `demo-data` on its file are refused at start,
# naming the file and the owning process; with the cache off they share it.
#
#   .ci/sqlite-owner-check.sh target/debug/innovation-hub
set -euo pipefail

bin="$(realpath "${1:?usage: .ci/sqlite-owner-check.sh <innovation-hub binary>}")"
workdir="$(mktemp -d)"
owner_pid=""
cleanup() {
    [ -n "$owner_pid" ] && kill "$owner_pid" 2>/dev/null && wait "$owner_pid" 2>/dev/null
    rm -rf "$workdir"
}
trap cleanup EXIT
cd "$workdir"

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
db="$workdir/hub.db"
export DATABASE_URL="sqlite://$db?mode=rwc" HUB_STORAGE=memory

HUB_BIND="127.0.0.1:$(port)" "$bin" serve >owner.log 2>&1 &
owner_pid=$!
for _ in $(seq 1 100); do
    [ -s "$db.lock" ] && break
    sleep 0.1
done

failed=0
refused() {
    local what="$1"
    shift
    if "$@" >second.log 2>&1; then
        echo "FAILED: $what on a file the service owns was accepted" >&2
        failed=1
    elif ! grep -q "$db" second.log || ! grep -q "process $owner_pid" second.log; then
        echo "FAILED: $what was refused without naming the file and process $owner_pid:" >&2
        cat second.log >&2
        failed=1
    else
        echo "refused: $what: $(head -c 300 second.log)"
    fi
}
refused "a second serve" env HUB_BIND="127.0.0.1:$(port)" "$bin" serve
refused "migrate up" "$bin" migrate up
refused "demo-data" "$bin" demo-data --submissions 1 --members 1
kill "$owner_pid"
wait "$owner_pid" || true
owner_pid=""

# With the cache off, processes share the file.
HUB_READ_CACHE=off HUB_BIND="127.0.0.1:$(port)" "$bin" serve >owner.log 2>&1 &
owner_pid=$!
sleep 1
if HUB_READ_CACHE=off "$bin" migrate status >second.log 2>&1; then
    echo "shared: migrate status ran beside a service with the read cache off"
else
    echo "FAILED: migrate status beside a service with the cache off was refused:" >&2
    cat second.log >&2
    failed=1
fi
exit "$failed"
