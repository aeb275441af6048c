#!/usr/bin/env bash
# Fuzzes the live service against its own OpenAPI document with schemathesis:
# generated requests, schema-valid and schema-invalid, to every operation in
# every phase (the document's examples, boundary coverage, random fuzzing and
# the stateful phase that follows the document's links from a created
# resource to reading, changing and deleting it), as a member, a reviewer and
# an admin: no 5xx, every status, content type, header and body as
# documented, missing required headers and credentials refused, undeclared
# methods 405, deleted resources gone and created ones found.
#
# Usage: .ci/fuzz.sh <path-to-innovation-hub-binary>
# Environment (all optional):
#   HUB_FUZZ_DATABASE_URL  a PostgreSQL database to run on instead of a fresh
#                          SQLite file (it should be empty: it is migrated here)
#   HUB_FUZZ_MAX_EXAMPLES  test cases per operation and phase (default 10)
#   HUB_FUZZ_SEED          replay a run: the seed schemathesis printed
#   HUB_FUZZ_CHECKS        the schemathesis checks to run (`all` adds the checks that
#                          schema-valid data is accepted and invalid data refused)
set -euo pipefail

# shellcheck source=.ci/service.sh
. "$(dirname "$0")/service.sh"
hub_setup "$@"

# Pinned so that a new release cannot change what passes.
schemathesis_version="4.32.5"
max_examples="${HUB_FUZZ_MAX_EXAMPLES:-10}"
# Hard bounds: a run over this is killed and counts as a failure.
run_timeout_seconds=300
request_timeout_seconds=20

python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
    "schemathesis==${schemathesis_version}"

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:${port}"
api="${base}/api/v1"

database_url="${HUB_FUZZ_DATABASE_URL:-sqlite://${workdir}/hub.db?mode=rwc}"
export DATABASE_URL="$database_url"

admin_email="admin@example.org"
admin_password="a long admin passphrase"
member_email="ada.okafor@example.org"
member_password="a long member passphrase"
(cd "$workdir" && "$bin" migrate up)
(cd "$workdir" && printf '%s\n' "$admin_password" | "$bin" admin create --email "$admin_email")

# Rate limits and login lockout raised so the generated traffic reaches the
# handlers instead of being answered 429 (the limits have their own tests);
# the webhook dispatcher all but idle, so nothing is sent to generated URLs;
# loopback webhook URLs allowed, as in every test run on this machine.
hub_serve "127.0.0.1:${port}" \
    HUB_JWT_SECRET="fuzzing secret of at least thirty-two characters" \
    HUB_TOKEN_TTL_SECONDS=86400 \
    HUB_RATE_LIMIT_PER_MINUTE=1000000 \
    HUB_LOGIN_MAX_FAILURES=10000 \
    HUB_STORAGE=local HUB_STORAGE_DIR="${workdir}/files" \
    HUB_WEBHOOK_POLL_MS=600000 \
    HUB_WEBHOOK_ALLOW_LOOPBACK=true \
    RUST_LOG=warn

# call METHOD PATH TOKEN [JSON]: prints the response body, fails on a non-2xx.
call() {
    local method="$1" path="$2" token="$3" body="${4:-}"
    local args=(-fsS -X "$method" "${api}${path}")
    [ -n "$token" ] && args+=(-H "authorization: Bearer ${token}")
    [ -n "$body" ] && args+=(-H 'content-type: application/json' -d "$body")
    curl "${args[@]}"
}
field() {
    python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

call POST /auth/register "" \
    "{\"email\":\"${member_email}\",\"password\":\"${member_password}\",\"display_name\":\"Ada Okafor\"}" >/dev/null
member_token="$(call POST /auth/login "" \
    "{\"email\":\"${member_email}\",\"password\":\"${member_password}\"}" | field access_token)"
admin_token="$(call POST /auth/login "" \
    "{\"email\":\"${admin_email}\",\"password\":\"${admin_password}\"}" | field access_token)"
member_id="$(call GET /members/me "$member_token" | field id)"
reviewer_email="grace.hopper@example.org"
reviewer_id="$(call POST /auth/register "" \
    "{\"email\":\"${reviewer_email}\",\"password\":\"${member_password}\",\"display_name\":\"Grace Hopper\"}" | field id)"
call PUT "/members/${reviewer_id}/role" "$admin_token" '{"role":"reviewer"}' >/dev/null
reviewer_token="$(call POST /auth/login "" \
    "{\"email\":\"${reviewer_email}\",\"password\":\"${member_password}\"}" | field access_token)"

# The member's data, so operations on an id have something real to find.
journey='{
  "kind": "improvement_journey",
  "title": "Reducing falls after discharge with a 72-hour OT home visit",
  "summary": "An OT home visit within 72 hours of discharge cut falls readmissions from 14% to 6%.",
  "sections": {
    "why_we_started": {"problem": "One in seven people over 75 was readmitted after a fall.", "aims": "Halve falls readmissions."},
    "what_we_did": {"interventions": "A home visit within 72 hours of discharge."},
    "what_we_found": {"results": "Readmissions for falls fell from 14% to 6%."},
    "what_it_means": {"conclusions": "Early OT home visits should be standard after discharge."}
  },
  "priorities": ["optimising_ot", "value_and_impact"],
  "practice_areas": ["community_rehabilitation", "older_people"],
  "nation": "england", "region": "north_west",
  "impact_evidence": [{"evidence_type": "economic", "description": "Bed days saved", "costs_pence": 4200000, "savings_pence": 18900000, "return_on_investment": 4.5}]
}'
draft_id="$(call POST /submissions "$member_token" "$journey" | field id)"
submitted_id="$(call POST /submissions "$member_token" "$journey" | field id)"
call POST "/submissions/${submitted_id}/submit" "$member_token" >/dev/null
printf 'week,falls\n1,14\n40,6\n' >"${workdir}/run-chart.csv"
attachment_id="$(curl -fsS -X POST "${api}/submissions/${draft_id}/attachments" \
    -H "authorization: Bearer ${member_token}" \
    -F "file=@${workdir}/run-chart.csv;type=text/csv" -F 'caption=Falls by week' | field id)"
resource_id="$(curl -fsS -X POST "${api}/resources" \
    -H "authorization: Bearer ${admin_token}" \
    -F "file=@${workdir}/run-chart.csv;type=text/csv" -F 'title=Run chart template' \
    -F 'approach=experiential' -F 'description=A run chart to start from.' | field id)"
token_id="$(call POST /members/me/tokens "$member_token" \
    '{"name":"Audit script","scopes":["submissions:read"],"expires_in_days":30}' | field id)"
quarter="$(python3 -c 'import datetime; d = datetime.date.today(); print(f"{d.year}-Q{(d.month - 1) // 3 + 1}")')"

# Real identifiers are offered for half of the generated path parameters; the
# rest stay random, so unknown and malformed ids are fuzzed too.
config="${workdir}/schemathesis.toml"
cat >"$config" <<EOF
# Every run starts afresh: no failures replayed from an earlier one.
[cache]
enabled = false

[dictionaries.ids]
values = ["${draft_id}", "${submitted_id}", "${token_id}", "${member_id}", "${resource_id}"]
[dictionaries.attachment-ids]
values = ["${attachment_id}"]
[dictionaries.quarters]
values = ["${quarter}"]
[dictionaries.revisions]
values = [1]

[parameters]
"path.id" = { dictionary = "ids", probability = 0.5 }
"path.attachment_id" = { dictionary = "attachment-ids", probability = 0.5 }
"path.quarter" = { dictionary = "quarters", probability = 0.5 }
"path.n" = { dictionary = "revisions", probability = 0.5 }

# Two answers that no schema can promise, allowed where they belong and
# nowhere else. An If-Match naming another version than the current one is
# answered 412, as HTTP requires (RFC 9110, section 13.1.1).
[[operations]]
include-operation-id = "update_submission"
# A change is judged with what is stored: sections against the submission's
# kind, a region against its nation (422 names them).
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "412", "422", "429", "5xx"]
# Without If-Match the change is refused 428 Precondition Required (RFC 6585,
# section 3), the status HTTP defines for exactly that.
checks.missing_required_header.expected-statuses = ["400", "401", "403", "406", "415", "422", "428"]
# The precondition is judged before the body (RFC 9110, section 13.2.2), so
# an invalid body sent with a stale If-Match is answered 412; one over the
# body limit is refused 413 before it is read, as on every operation.
checks.negative_data_rejection.expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "412", "413", "415", "422", "428", "429"]

# A file is judged by its content (PDF, PNG, JPEG, WebP, CSV, XLSX, DOCX,
# PPTX or UTF-8 text), which JSON Schema cannot describe, so generated bytes
# may be answered 415; and a multipart form carries only text, so a "null"
# caption is text, not a wrong type: the upload is fuzzed with valid forms.
[[operations]]
include-operation-id = "upload_attachment"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "415", "429", "5xx"]
generation.mode = "positive"
# Two rules lie in stored state, not in the request, so no schema can say
# them: submitting needs the stored draft complete (422 names each missing
# part), and a citation of hub work must name published work (422 names it).
[[operations]]
include-operation-id = "submit_submission"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]
[[operations]]
include-operation-id = "create_submission"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]
# The case presented must be a business case that left draft; a new reviewer
# must hold the reviewer role; a webhook's host must resolve (DNS, checked at
# registration and again at delivery): each is state, not shape.
[[operations]]
include-operation-id = "present_business_case"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]
[[operations]]
include-operation-id = "reassign_reviewer"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]
[[operations]]
include-operation-id = "create_webhook"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]
# An adoption is dated from the work's publication, and names one of its
# recommendations: both stored.
[[operations]]
include-operation-id = "report_adoption"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]
# Erasure and a password change ask for the current password again; a
# wrong one (stored state) is refused 422 naming the field.
[[operations]]
include-operation-id = "erase_me"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]
[[operations]]
include-operation-id = "change_password"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]
# A series' two quarters are judged together (both calendar or both
# financial, "to" not before "from", at most 40 quarters), which no schema
# of separate query parameters can say.
[[operations]]
include-operation-id = "quarterly_series"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]
# A profile change's region is judged against the nation already stored
# when the change names none.
[[operations]]
include-operation-id = "update_me"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]
# A resource's file is judged the same way; publishing is for admins (403 otherwise).
[[operations]]
include-operation-id = "publish_resource"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "415", "429", "5xx"]
generation.mode = "positive"
EOF

checks="${HUB_FUZZ_CHECKS:-not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,missing_required_header,unsupported_method,ignored_auth,use_after_free,ensure_resource_availability}"

# st LABEL PHASES TOKEN [schemathesis options...]
st() {
    local label="$1" phases="$2" token="$3"
    shift 3
    local seed_args=()
    [ -n "${HUB_FUZZ_SEED:-}" ] && seed_args=(--seed "$HUB_FUZZ_SEED")
    echo
    echo "--- schemathesis as ${label} ---"
    local started=$SECONDS
    # One worker: schemathesis's threads race in CPython 3.11's ast.parse
    # (python/cpython#106905) and report it as a runtime error.
    if ! (cd "$workdir" && timeout --kill-after=10 "$run_timeout_seconds" python3 -c \
        'import sys; from schemathesis.cli import schemathesis; sys.argv[0] = "schemathesis"; schemathesis()' \
        --config-file "$config" \
        run "${base}/api/v1/openapi.json" \
        --header "Authorization: Bearer ${token}" \
        --checks "$checks" \
        --mode all \
        --phases "$phases" \
        --max-examples "$max_examples" \
        --workers 1 \
        --request-timeout "$request_timeout_seconds" \
        --generation-database none \
        --no-color \
        "${seed_args[@]}" \
        "$@"); then
        echo "FAIL: schemathesis as ${label} found failures (or ran past ${run_timeout_seconds}s)" >&2
        echo "--- last lines of the service log ---" >&2
        tail -n 50 "$log" >&2
        exit 1
    fi
    echo "schemathesis as ${label}: $((SECONDS - started))s"
}

# Erasing one's own account, logging out, changing one's password (which ends
# the other sessions), or an admin changing their own role (the stateful phase
# finds the caller's id in GET /members/me) would leave the rest of a run
# without its identity; those are fuzzed last, by a throwaway admin.
identity_operations=("DELETE /api/v1/members/me" "PUT /api/v1/members/{id}/role"
    "POST /api/v1/auth/logout" "PUT /api/v1/members/me/password")
destructive=()
keep_identity=()
for operation in "${identity_operations[@]}"; do
    destructive+=(--include-name "$operation")
    keep_identity+=(--exclude-name "$operation")
done
all_phases=examples,coverage,fuzzing,stateful
st member "$all_phases" "$member_token" "${keep_identity[@]}"
st reviewer "$all_phases" "$reviewer_token" "${keep_identity[@]}"
st admin "$all_phases" "$admin_token" "${keep_identity[@]}"

(cd "$workdir" && printf '%s\n' "$admin_password" | "$bin" admin create --email leaving@example.org)
leaving_token="$(call POST /auth/login "" \
    "{\"email\":\"leaving@example.org\",\"password\":\"${admin_password}\"}" | field access_token)"
# No links lead between these four, so they have no stateful phase.
st "an admin changing roles, logging out, changing their password and erasing their account" \
    examples,coverage,fuzzing "$leaving_token" "${destructive[@]}"

echo "OK: schemathesis found no failures"
