#!/usr/bin/env bash
# Runs examples/walkthrough.sh (the README's walk-through) against a fresh service:
# on SQLite in an empty folder, or on the PostgreSQL database HUB_WALKTHROUGH_DATABASE_URL
# names (it must be empty).
# Usage: .ci/walkthrough.sh <path-to-innovation-hub-binary>
set -euo pipefail

# shellcheck source=.ci/service.sh
. "$(dirname "$0")/service.sh"
hub_setup "$@"
root="$(cd "$(dirname "$0")/.." && pwd)"
bind="127.0.0.1:18095"

if [ -n "${HUB_WALKTHROUGH_DATABASE_URL:-}" ]; then
    export DATABASE_URL="$HUB_WALKTHROUGH_DATABASE_URL"
fi
# As the README says: webhooks to loopback for the script's receiver, and on SQLite the
# read cache off so that demo-data may write to the file beside the service.
hub_serve "$bind" HUB_WEBHOOK_ALLOW_LOOPBACK=true HUB_READ_CACHE=off HUB_STORAGE_DIR="${workdir}/files"
grep -q "migrations" "$log" || { echo "FAIL: startup did not log its migrations" >&2; cat "$log" >&2; exit 1; }

if ! HUB_URL="http://${bind}" HUB_BIN="$bin" HUB_DIR="$workdir" "${root}/examples/walkthrough.sh"; then
    echo "FAIL: the walk-through stopped; the service's log:" >&2
    tail -n 50 "$log" >&2
    exit 1
fi
