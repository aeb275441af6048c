# Shared by bench/load.sh and bench/crash.sh; sourced from the repository root.
#
# Reads: BACKEND, BIN, PORT, PG_URL, DB_PREFIX. Sets WORK (a fresh folder removed
# at exit unless KEEP=1), and provides the helpers below.

BACKEND="${BACKEND:-both}"
BIN="${BIN:-${CARGO_TARGET_DIR:-target}/release/innovation-hub}"
# A port nothing listens on now, unless PORT names one.
PORT="${PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432}"
DB_PREFIX="${DB_PREFIX:-hub_load}"
BASE="http://127.0.0.1:${PORT}"
HERE="bench/load"

case "$BACKEND" in
    both) BACKENDS="sqlite postgres" ;;
    sqlite | postgres) BACKENDS="$BACKEND" ;;
    *) echo "BACKEND must be sqlite, postgres or both, not '$BACKEND'" >&2; exit 2 ;;
esac

WORK="$(mktemp -d "${TMPDIR:-/tmp}/hub-$(basename "$0" .sh).XXXXXX")"
SERVER_PID=""
PG_DBS=()

cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    for db in "${PG_DBS[@]}"; do
        psql -X -q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
    done
    if [ "${KEEP:-0}" = 1 ]; then
        echo "logs and databases' files kept in $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT

# wrk comes from Debian; install it the way CI installs chromium.
ensure_wrk() {
    command -v wrk >/dev/null 2>&1 && return
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends wrk
}

# The service binary; a missing target/{release,debug}/innovation-hub is built.
ensure_bin() {
    [ -x "$BIN" ] && return
    case "$BIN" in
        */release/innovation-hub) cargo build --release -p api --bin innovation-hub ;;
        */debug/innovation-hub) cargo build -p api --bin innovation-hub ;;
        *) echo "BIN=$BIN does not exist" >&2; exit 2 ;;
    esac
    [ -x "$BIN" ] || { echo "BIN=$BIN was not built (is CARGO_TARGET_DIR set?)" >&2; exit 2; }
}

# Sets DATABASE_URL to a fresh database of backend $1 whose files go under $2.
fresh_database() {
    local backend="$1" dir="$2"
    mkdir -p "$dir"
    if [ "$backend" = sqlite ]; then
        DATABASE_URL="sqlite://$dir/hub.db?mode=rwc"
    else
        local db="${DB_PREFIX}_$(basename "$0" .sh)_$$"
        psql -X -q -v ON_ERROR_STOP=1 "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
        PG_DBS+=("$db")
        DATABASE_URL="$PG_URL/$db"
    fi
    export DATABASE_URL
}

drop_database() {
    if [[ "$DATABASE_URL" == postgres* ]]; then
        psql -X -q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS ${DATABASE_URL##*/}" >/dev/null
    fi
}

# The service's settings under load: rate limits raised far above what the
# load sends (a 429 is still counted apart), a fixed secret so tokens outlive
# a restart, and files next to the database.
service_env() {
    local dir="$1"
    export HUB_BIND="127.0.0.1:$PORT" \
        HUB_JWT_SECRET="load-and-crash-checks-secret-0123456789" \
        HUB_RATE_LIMIT_PER_MINUTE=1000000 HUB_RATE_LIMIT_BURST=1000000 \
        HUB_STORAGE=local HUB_STORAGE_DIR="$dir/files" \
        RUST_LOG="${RUST_LOG:-warn}" HUB_LOG_FORMAT=json
}

# Starts the service (logging to $1) and waits until it is ready.
start_server() {
    local log="$1"
    if curl -fsS -o /dev/null "$BASE/health/live" 2>/dev/null; then
        echo "something already answers on port $PORT; choose another with PORT=" >&2
        return 1
    fi
    "$BIN" serve >>"$log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 300); do
        if curl -fsS -o /dev/null "$BASE/health/ready" 2>/dev/null; then
            return 0
        fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "the service exited while starting:" >&2
            tail -n 30 "$log" >&2
            SERVER_PID=""
            return 1
        fi
        sleep 0.1
    done
    echo "the service was not ready within 30 s:" >&2
    tail -n 30 "$log" >&2
    return 1
}

# Stops the service the polite way and checks it went.
stop_server() {
    [ -n "$SERVER_PID" ] || return 0
    kill -TERM "$SERVER_PID"
    local rc=0
    wait "$SERVER_PID" || rc=$?
    SERVER_PID=""
    if [ "$rc" != 0 ]; then
        echo "the service exited with status $rc on SIGTERM" >&2
        return 1
    fi
}

# Error lines and panics in a service log (a clean run has none).
log_errors() {
    grep -E '"level":"ERROR"|panicked' "$1" || true
}

# wrk with one connection per thread (hub.lua relies on it).
run_wrk() {
    local mode="$1" out="$2" members="$3" duration="$4" connections="$5" tag="${6:-}"
    mkdir -p "$out"
    HUB_LOAD_MODE="$mode" HUB_LOAD_OUT="$out" HUB_LOAD_MEMBERS="$members" HUB_LOAD_TAG="$tag" \
        wrk -t "$connections" -c "$connections" -d "$duration" -T 30s -s "$HERE/hub.lua" "$BASE"
}
