#!/usr/bin/env bash
# Starts the service and checks that /docs/ renders the Swagger UI operation
# list in a real (headless) browser.
# Usage: .ci/docs-browser-check.sh <path-to-innovation-hub-binary>
set -euo pipefail

# shellcheck source=.ci/service.sh
. "$(dirname "$0")/service.sh"
hub_setup "$@"

bind="127.0.0.1:18089"
base="http://${bind}"
profile="$(mktemp -d)"
hub_also_remove="$profile"
dom="${workdir}/docs-dom.html"

# The CLI refuses to make an admin where there is no database yet, then makes the
# first admin (password on stdin) in a migrated one, and reports migrations.
admin_password="a long admin passphrase"
if (cd "$workdir" && printf '%s\n' "$admin_password" | "$bin" admin create --email admin@example.org) 2>"${workdir}/refused.txt"; then
    echo "FAIL: admin create made a new database" >&2
    exit 1
fi
grep -q "there is no database at ${workdir}/innovation-hub.db" "${workdir}/refused.txt" || {
    echo "FAIL: admin create did not name the missing database:" >&2
    cat "${workdir}/refused.txt" >&2
    exit 1
}
[ ! -e "${workdir}/innovation-hub.db" ] || { echo "FAIL: admin create left a database file" >&2; exit 1; }
(cd "$workdir" && "$bin" migrate up)
(cd "$workdir" && printf '%s\n' "$admin_password" | "$bin" admin create --email admin@example.org)
(cd "$workdir" && "$bin" migrate status) | tee "${workdir}/migrations.txt"
if grep -q '^pending' "${workdir}/migrations.txt"; then
    echo "FAIL: migrations left pending after migrate up" >&2
    exit 1
fi

# Run from a temp dir: the service creates its SQLite file in the working dir.
hub_serve "$bind"

token_json="$(curl -fsS -X POST "${base}/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"email\":\"admin@example.org\",\"password\":\"${admin_password}\"}")"
access_token="$(printf '%s' "$token_json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"
role="$(curl -fsS "${base}/api/v1/members/me" -H "authorization: Bearer ${access_token}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["role"])')"
if [ "$role" != "admin" ]; then
    echo "FAIL: the admin made by 'admin create' logs in as '${role}'" >&2
    exit 1
fi
echo "OK: 'admin create' made an admin who can log in"

chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --virtual-time-budget=10000 \
    --dump-dom "${base}/docs/" >"$dom" 2>"${workdir}/chromium.log" || {
    echo "FAIL: chromium exited with an error" >&2
    cat "${workdir}/chromium.log" >&2
    exit 1
}

missing=()
grep -q 'opblock' "$dom" || missing+=("opblock")
grep -qF '/api/v1/auth/login' "$dom" || missing+=("/api/v1/auth/login")
if [ "${#missing[@]}" -ne 0 ]; then
    echo "FAIL: rendered /docs/ DOM lacks the Swagger UI operation list (missing: ${missing[*]})" >&2
    echo "--- first 80 lines of dumped DOM ---" >&2
    head -n 80 "$dom" >&2
    echo "--- service log ---" >&2
    cat "$log" >&2
    exit 1
fi

echo "OK: /docs/ renders the Swagger UI operation list (opblock, /api/v1/auth/login)"
