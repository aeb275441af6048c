#!/usr/bin/env bash
# Runs the README walk-through against the live service with a typed client
# generated from openapi/openapi.json (openapi-typescript + openapi-fetch):
# tsc fails when the requests no longer fit the spec, and the run fails when
# the service answers anything the spec does not document.
# Usage: .ci/walkthrough-client-check.sh <path-to-innovation-hub-binary>
set -euo pipefail

# shellcheck source=.ci/service.sh
. "$(dirname "$0")/service.sh"
hub_setup "$@"
client_dir="$(cd "$(dirname "$0")/../clients/walkthrough" && pwd)"

bind="127.0.0.1:18090"
base="http://${bind}"

admin_password="a long admin passphrase"
(cd "$workdir" && "$bin" migrate up)
(cd "$workdir" && printf '%s\n' "$admin_password" | "$bin" admin create --email admin@example.org)

hub_serve "$bind" HUB_STORAGE=memory HUB_WEBHOOK_ALLOW_LOOPBACK=true

# The service must serve exactly the committed spec the client is generated from.
curl -fsS "${base}/api/v1/openapi.json" | python3 -c '
import json, sys
served = json.load(sys.stdin)
committed = json.load(open(sys.argv[1]))
if served != committed:
    sys.exit("FAIL: the served OpenAPI document differs from openapi/openapi.json")
' "${client_dir}/../../openapi/openapi.json"

cd "$client_dir"
npm ci --no-audit --no-fund
HUB_BASE_URL="$base" HUB_ADMIN_EMAIL=admin@example.org HUB_ADMIN_PASSWORD="$admin_password" \
    npm run walkthrough
