#!/usr/bin/env bash
# The README's walk-through, every command in the README's order, against a running service.
# Each call checks the answer's status and the walk-through stops at the first unexpected one.
#
#   HUB_URL   the service (default http://127.0.0.1:8080), started with
#             HUB_WEBHOOK_ALLOW_LOOPBACK=true (the webhook receiver runs on 127.0.0.1) and, on
#             SQLite, HUB_READ_CACHE=off (so `demo-data` may write to the file beside it)
#   HUB_BIN   the innovation-hub binary (default target/release/innovation-hub, else
#             target/debug/innovation-hub), run for `admin create` and `demo-data`
#   HUB_DIR   the folder the service runs in (default: the repository's root), where those two
#             commands find its SQLite file; or set DATABASE_URL to the service's database
#
# The README's code blocks are the parts between `# >>> readme` and `# <<< readme`; a test
# (tests/docs/readme_walkthrough.rs) fails when the two differ.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${HUB_BIN:-}" ]; then
    HUB_BIN=target/release/innovation-hub
    [ -x "$HUB_BIN" ] || HUB_BIN=target/debug/innovation-hub
fi
HUB_BIN=$(realpath "$HUB_BIN")
HUB_DIR=$(realpath "${HUB_DIR:-.}")
WORK=$(mktemp -d)
RECEIVER=""
cleanup() {
    [ -z "$RECEIVER" ] || kill "$RECEIVER" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# >>> readme:helpers
B=${HUB_URL:-http://127.0.0.1:8080}/api/v1
PASSWORD='a long passphrase 42'
RUN=$(date +%s)   # makes this run's addresses unique, so the walk-through can run again

# call STATUS CURL-ARGUMENTS…: sends one request, prints the answer (text) or its size
# (files), and stops unless the answer has that STATUS; the answer's headers stay in $WORK/headers
call() {
    local want=$1 got method=GET url='' previous='' argument
    shift
    for argument in "$@"; do
        [ "$previous" = -X ] && method=$argument
        case $argument in http*) url=$argument ;; esac
        previous=$argument
    done
    got=$(curl -sS -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}' "$@") || return 1
    if [ "$got" != "$want" ]; then
        echo "FAIL: expected $want, got $got: $method $url" >&2
        cat "$WORK/body" >&2
        return 1
    fi
    echo "ok $got $method $url" >&2
    if [ ! -s "$WORK/body" ]; then
        return 0
    elif grep -qiE '^content-type: (application/(json|problem\+json)|text/)' "$WORK/headers"; then
        cat "$WORK/body"
    else
        echo "($(wc -c <"$WORK/body") bytes)"
    fi
}
# json FIELD: one field of the JSON on standard input (FIELD like `items.0.id`)
json() {
    python3 -c 'import json, sys
value = json.load(sys.stdin)
for key in sys.argv[1].split("."):
    value = value[int(key)] if key.isdigit() else value[key]
print(value)' "$1"
}
# expect PYTHON-CONDITION: stops unless the condition holds for `v`, the JSON on standard input
expect() {
    python3 -c 'import json, sys
v = json.load(sys.stdin)
sys.exit(None if eval(sys.argv[1]) else "FAIL: not " + sys.argv[1])' "$1"
}
# header NAME: a header of the last answer
header() { grep -i "^$1:" "$WORK/headers" | head -n1 | cut -d' ' -f2- | tr -d '\r'; }
# <<< readme

# >>> readme:member
# Register and log in
ME="ada.okafor.$RUN@example.org"
call 201 -X POST $B/auth/register -H 'content-type: application/json' \
  -d "{\"email\": \"$ME\", \"password\": \"$PASSWORD\", \"display_name\": \"Ada Okafor\"}"
TOKEN=$(call 200 -X POST $B/auth/login -H 'content-type: application/json' \
  -d "{\"email\": \"$ME\", \"password\": \"$PASSWORD\"}" | json access_token)

# The vocabulary: priorities, practice areas, topics, evidence types, nations, regions, demographics
call 200 $B/taxonomy >/dev/null

# Optional demographics on the profile (each may be "prefer_not_to_say")
call 200 -X PATCH $B/members/me -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \
  -d '{"career_stage": "mid", "level_of_practice": "advanced", "region": "north_west"}'
# <<< readme

# >>> readme:submission
# Create a draft improvement journey (201, with Location and ETag headers)
call 201 -X POST $B/submissions -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{
  "kind": "improvement_journey",
  "title": "Reducing falls after discharge with a 72-hour OT home visit",
  "summary": "An OT home visit within 72 hours of discharge cut falls readmissions from 14% to 6%.",
  "sections": {
    "why_we_started": {"problem": "One in seven people over 75 was readmitted after a fall.", "aims": "Halve falls readmissions in nine months."},
    "what_we_did": {"interventions": "A home visit within 72 hours of discharge, equipment fitted on the day."},
    "what_we_found": {"results": "Readmissions for falls fell from 14% to 6% over 40 weeks."},
    "what_it_means": {"conclusions": "Early OT home visits should be standard after discharge."}
  },
  "priorities": ["optimising_ot", "value_and_impact"],
  "practice_areas": ["community_rehabilitation", "older_people"],
  "nation": "england", "region": "north_west",
  "impact_evidence": [{"evidence_type": "economic", "description": "Bed days saved", "costs_pence": 4200000, "savings_pence": 18900000, "return_on_investment": 4.5}],
  "recommendations": [{"text": "Offer every person over 75 an OT home visit within 72 hours of discharge.", "adoption_status": "proposed"}]
}' >"$WORK/created.json"
ID=$(json id <"$WORK/created.json")
RID=$(json recommendations.0.id <"$WORK/created.json")
ETAG=$(header etag)

# Update it: If-Match with the ETag you last read is required (428 without, 412 when stale)
call 412 -X PATCH $B/submissions/$ID -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \
  -H 'if-match: "999"' -d '{"topics": ["ai_digital_healthcare"]}' >/dev/null
call 200 -X PATCH $B/submissions/$ID -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \
  -H "if-match: $ETAG" -d '{"topics": ["ai_digital_healthcare"]}' >/dev/null

# Submit it for review: checks the required sections and returns the SQUIRE 2.0 completeness
call 200 -X POST $B/submissions/$ID/submit -H "authorization: Bearer $TOKEN" | expect 'v["status"] == "submitted"'

# List with filters and keyset pagination
call 200 "$B/submissions?mine=true&priority=value_and_impact&q=falls&limit=20" -H "authorization: Bearer $TOKEN" \
  | expect "[i['id'] for i in v['items']] == ['$ID']"

# Full-text search: stemmed words ("fall" finds "falls"), "quoted phrases", -excluded words;
# most relevant first (title above summary above the rest), each item with match.rank and
# match.snippet (escaped HTML, matched words in <mark>)
call 200 "$B/submissions?mine=true&q=fall%20%22home%20visit%22%20-stroke" -H "authorization: Bearer $TOKEN" \
  | expect "v['items'][0]['id'] == '$ID' and '<mark>' in v['items'][0]['match']['snippet']"

# Published work most like this one (shared priorities, practice areas, topics, title words)
call 200 "$B/submissions/$ID/related?limit=5" -H "authorization: Bearer $TOKEN" >/dev/null
# <<< readme

# >>> readme:admin
# The first admin, made with the binary on the service's database (its folder, or DATABASE_URL);
# it refuses to make a new, empty database
ADMIN_EMAIL="admin.$RUN@example.org"
printf '%s\n' 'a long admin passphrase' | (cd "$HUB_DIR" && "$HUB_BIN" admin create --email "$ADMIN_EMAIL")
ADMIN=$(call 200 -X POST $B/auth/login -H 'content-type: application/json' \
  -d "{\"email\": \"$ADMIN_EMAIL\", \"password\": \"a long admin passphrase\"}" | json access_token)

# Admins make reviewers; the new role holds from the reviewer's next login
REVIEWER_EMAIL="grace.reviewer.$RUN@example.org"
REVIEWER_ID=$(call 201 -X POST $B/auth/register -H 'content-type: application/json' \
  -d "{\"email\": \"$REVIEWER_EMAIL\", \"password\": \"$PASSWORD\", \"display_name\": \"Grace Reviewer\"}" | json id)
call 200 -X PUT $B/members/$REVIEWER_ID/role -H "authorization: Bearer $ADMIN" -H 'content-type: application/json' \
  -d '{"role": "reviewer"}' >/dev/null
REVIEWER=$(call 200 -X POST $B/auth/login -H 'content-type: application/json' \
  -d "{\"email\": \"$REVIEWER_EMAIL\", \"password\": \"$PASSWORD\"}" | json access_token)
# <<< readme

# >>> readme:review
# Reviewers: the queue (oldest submitted first, with the list's filters), claim, review
call 200 "$B/reviews/queue?priority=value_and_impact" -H "authorization: Bearer $REVIEWER" \
  | expect "'$ID' in [i['id'] for i in v['items']]"
call 200 -X POST $B/submissions/$ID/claim -H "authorization: Bearer $REVIEWER" | expect 'v["status"] == "in_review"'
call 201 -X POST $B/submissions/$ID/reviews -H "authorization: Bearer $REVIEWER" -H 'content-type: application/json' -d '{
  "scores": {"clarity_of_problem_and_context": 5, "measurement_and_data": 4, "evidence_of_impact": 4,
             "involvement_of_people_who_use_services": 3, "transferability_and_spread": 4},
  "overall_comment": "Clear and well measured", "decision": "publish"}'
# (publish | request_changes | reject; the quality score is the mean of the latest review)

# Everyone involved: transitions, revisions and reviews; one immutable revision
call 200 $B/submissions/$ID/history -H "authorization: Bearer $TOKEN" >/dev/null
call 200 $B/submissions/$ID/revisions/1 -H "authorization: Bearer $TOKEN" >/dev/null

# After publication the author reports follow-up of a recommendation, dated
call 201 -X POST $B/submissions/$ID/recommendations/$RID/events -H "authorization: Bearer $TOKEN" \
  -H 'content-type: application/json' \
  -d "{\"adoption_status\": \"adopted_by_partner\", \"investment_pence\": 2500000, \"investor\": \"ICB\", \"occurred_on\": \"$(date -u +%F)\"}"
# <<< readme

# >>> readme:spread
# A partner reports that their organisation adopted the published journey (any member but its
# author: the author gets 403 own_work); whoever sees the journey sees the adoptions
PARTNER_EMAIL="sam.partner.$RUN@example.org"
call 201 -X POST $B/auth/register -H 'content-type: application/json' \
  -d "{\"email\": \"$PARTNER_EMAIL\", \"password\": \"$PASSWORD\", \"display_name\": \"Sam Partner\"}" >/dev/null
PARTNER=$(call 200 -X POST $B/auth/login -H 'content-type: application/json' \
  -d "{\"email\": \"$PARTNER_EMAIL\", \"password\": \"$PASSWORD\"}" | json access_token)
ADOPTION="{\"organisation\": \"Northshire Community NHS Trust\", \"organisation_type\": \"nhs_trust\",
  \"nation\": \"england\", \"region\": \"north_west\", \"adopted_on\": \"$(date -u +%F)\",
  \"recommendation_id\": \"$RID\", \"investment_pence\": 4500000}"
call 403 -X POST $B/submissions/$ID/adoptions -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \
  -d "$ADOPTION" | expect 'v["code"] == "own_work"'
call 201 -X POST $B/submissions/$ID/adoptions -H "authorization: Bearer $PARTNER" -H 'content-type: application/json' \
  -d "$ADOPTION" >/dev/null
call 200 $B/submissions/$ID/adoptions -H "authorization: Bearer $TOKEN" | expect 'len(v) == 1'

# Admins record that it was included in a national or regional report
call 201 -X POST $B/submissions/$ID/inclusions -H "authorization: Bearer $ADMIN" -H 'content-type: application/json' \
  -d "{\"report_title\": \"Allied health professions in the North West\", \"scope\": \"regional\",
  \"nation\": \"england\", \"region\": \"north_west\", \"published_on\": \"$(date -u +%F)\"}" >/dev/null

# A business case (problem, proposal, costs and benefits, the ask, economic evidence), submitted
CASE=$(call 201 -X POST $B/submissions -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{
  "kind": "business_case",
  "title": "Two OT posts for a falls clinic in every primary care network",
  "summary": "Falls assessments by OTs in primary care would avoid more admissions than they cost.",
  "sections": {"problem": "People over 75 wait 14 weeks for a falls assessment.",
    "proposal": "An OT-led falls clinic in each primary care network.",
    "costs_and_benefits": "£120,000 a year; £310,000 of admissions avoided.",
    "ask": "Fund two band 7 OT posts for two years."},
  "priorities": ["value_and_impact"], "practice_areas": ["primary_care"],
  "impact_evidence": [{"evidence_type": "economic", "description": "Admissions avoided against the cost of the posts", "costs_pence": 12000000, "savings_pence": 31000000, "return_on_investment": 2.6}]
}' | json id)
call 200 -X POST $B/submissions/$CASE/submit -H "authorization: Bearer $TOKEN" >/dev/null

# Admins hold an idea clinic where it is presented; the panel records feasibility and notes
CLINIC=$(call 201 -X POST $B/idea-clinics -H "authorization: Bearer $ADMIN" -H 'content-type: application/json' \
  -d "{\"title\": \"North West idea clinic\", \"held_on\": \"$(date -u +%F)\", \"nation\": \"england\", \"region\": \"north_west\"}" | json id)
call 201 -X POST $B/idea-clinics/$CLINIC/presentations -H "authorization: Bearer $ADMIN" -H 'content-type: application/json' \
  -d "{\"submission_id\": \"$CASE\", \"feasibility\": \"high\", \"adoption_likelihood\": 4,
  \"panel_notes\": \"Strong economic case; start with one network.\"}" >/dev/null
call 200 $B/idea-clinics -H "authorization: Bearer $TOKEN" | expect "'$CLINIC' in [c['id'] for c in v]"

# The author reads the panel's view of their case
call 200 $B/submissions/$CASE/presentations -H "authorization: Bearer $TOKEN" \
  | expect 'v[0]["feasibility"] == "high" and v[0]["adoption_likelihood"] == 4'
# <<< readme

# >>> readme:resources
# An admin publishes a resource; members list and download it (each download is counted)
RESOURCE=$(call 201 -X POST $B/resources -H "authorization: Bearer $ADMIN" \
  -F 'file=@examples/run-chart.png' -F 'title=Run charts for improvement journeys' \
  -F 'approach=experiential' -F 'description=How to read a run chart of your measure.' | json id)
call 200 "$B/resources?approach=experiential" -H "authorization: Bearer $TOKEN" \
  | expect "'$RESOURCE' in [r['id'] for r in v]"
call 200 $B/resources/$RESOURCE/download -H "authorization: Bearer $TOKEN"
cmp "$WORK/body" examples/run-chart.png
# <<< readme

# >>> readme:tokens
PAT_ANSWER=$(call 201 -X POST $B/members/me/tokens -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \
  -d '{"name": "Trust audit script", "scopes": ["submissions:read", "submissions:write"], "expires_in_days": 90}')
PAT=$(json secret <<<"$PAT_ANSWER")
TOKEN_ID=$(json id <<<"$PAT_ANSWER")
call 200 "$B/submissions?mine=true" -H "authorization: Bearer $PAT" >/dev/null

# Name, scopes, created, last used (to about a minute), expiry; then revoke one
call 200 $B/members/me/tokens -H "authorization: Bearer $TOKEN"
call 204 -X DELETE $B/members/me/tokens/$TOKEN_ID -H "authorization: Bearer $TOKEN"
call 401 "$B/submissions?mine=true" -H "authorization: Bearer $PAT" >/dev/null
# <<< readme

# >>> readme:idempotency
KEY=$(python3 -c 'import uuid; print(uuid.uuid4())')
DRAFT=$(call 201 -X POST $B/submissions -H "authorization: Bearer $TOKEN" -H "idempotency-key: $KEY" \
  -H 'content-type: application/json' -d '{"kind": "case_study", "title": "Seating clinic waiting list"}' | json id)
# The same request again: the kept answer, not a second draft
call 201 -X POST $B/submissions -H "authorization: Bearer $TOKEN" -H "idempotency-key: $KEY" \
  -H 'content-type: application/json' -d '{"kind": "case_study", "title": "Seating clinic waiting list"}' \
  | expect "v['id'] == '$DRAFT'"
[ "$(header idempotent-replayed)" = true ]
# <<< readme

# >>> readme:events
# Follow the change feed from the start, a page at a time: `next_cursor` stays put when nothing is new
CURSOR=0
while :; do
  PAGE=$(call 200 "$B/events?after=$CURSOR&limit=100" -H "authorization: Bearer $TOKEN")
  python3 -c 'import json, sys
for e in json.load(sys.stdin)["items"]:
    print(e["cursor"], e["type"], e.get("submission_id") or e["resource_id"])' <<<"$PAGE" >>"$WORK/events"
  [ "$(json next_cursor <<<"$PAGE")" = "$CURSOR" ] && break
  CURSOR=$(json next_cursor <<<"$PAGE")
done
grep " $ID$" "$WORK/events"   # created, updated, submitted, in_review, published
# <<< readme

# >>> readme:attachments
# Upload (201 with Location); a file over HUB_MAX_FILE_BYTES gets 413 file_too_large
AID=$(call 201 -X POST $B/submissions/$DRAFT/attachments -H "authorization: Bearer $TOKEN" \
  -F 'file=@examples/run-chart.png' -F 'caption=Falls readmissions, weeks 1-40' | json id)

# List: id, name, size, media type, SHA-256, caption, uploaded at
call 200 $B/submissions/$DRAFT/attachments -H "authorization: Bearer $TOKEN"

# Download (always as an attachment, with nosniff; ETag is the SHA-256; Range works)
call 200 $B/submissions/$DRAFT/attachments/$AID -H "authorization: Bearer $TOKEN"
cmp "$WORK/body" examples/run-chart.png
call 206 -H 'range: bytes=0-7' $B/submissions/$DRAFT/attachments/$AID -H "authorization: Bearer $TOKEN"

# Remove it
call 204 -X DELETE $B/submissions/$DRAFT/attachments/$AID -H "authorization: Bearer $TOKEN"
# <<< readme

# >>> readme:webhooks
# A receiver on 127.0.0.1 that writes down each delivery (the service runs with HUB_WEBHOOK_ALLOW_LOOPBACK=true)
python3 -c 'import http.server, sys
class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["content-length"]))
        with open(sys.argv[1] + "/deliveries", "a") as out:
            print(self.headers["hub-event"], self.headers["hub-delivery"], body.decode(), file=out)
        self.send_response(204)
        self.end_headers()
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
open(sys.argv[1] + "/port", "w").write(str(server.server_port))
server.serve_forever()' "$WORK" &
RECEIVER=$!
for _ in $(seq 50); do [ -s "$WORK/port" ] && break; sleep 0.1; done
WEBHOOK_ANSWER=$(call 201 -X POST $B/webhooks -H "authorization: Bearer $ADMIN" -H 'content-type: application/json' \
  -d "{\"url\": \"http://127.0.0.1:$(cat "$WORK/port")/hub\", \"event_types\": [\"submission.deleted\"]}")
WEBHOOK_ID=$(json id <<<"$WEBHOOK_ANSWER")   # and `secret`, to check each delivery's Hub-Signature

# An admin's webhook carries what that admin may see: never another member's draft, so the
# member's deleted draft is not sent; the admin's own is, from a background task within seconds
call 204 -X DELETE $B/submissions/$DRAFT -H "authorization: Bearer $TOKEN"
ADMIN_DRAFT=$(call 201 -X POST $B/submissions -H "authorization: Bearer $ADMIN" \
  -H 'content-type: application/json' -d '{"kind": "case_study", "title": "Council paper outline"}' | json id)
call 204 -X DELETE $B/submissions/$ADMIN_DRAFT -H "authorization: Bearer $ADMIN"
for _ in $(seq 100); do grep -q "$ADMIN_DRAFT" "$WORK/deliveries" 2>/dev/null && break; sleep 0.2; done
grep "^submission.deleted " "$WORK/deliveries"
! grep -q "$DRAFT" "$WORK/deliveries"
call 200 $B/webhooks/$WEBHOOK_ID/deliveries -H "authorization: Bearer $ADMIN" \
  | expect '[(d["state"], d["attempts"]) for d in v["items"]] == [("delivered", 1)]'
# <<< readme

# >>> readme:reports
# This quarter's summary holds the submission above: JSON, CSV, XLSX, SVG, and a series
QUARTER="$(date -u +%Y)-Q$((($(date -u +%-m) + 2) / 3))"
call 200 "$B/reports/quarterly/$QUARTER?gap_threshold=2" -H "authorization: Bearer $ADMIN" \
  | expect '(v["headline"][0]["key"] == "submissions" and v["headline"][0]["count"] >= 1
            and v["idea_clinics"]["business_cases_presented"]["count"] >= 1
            and v["spread"]["adoptions_reported"]["count"] >= 1 and v["resources"]["downloads"]["count"] >= 1)'
call 200 "$B/reports/quarterly/$QUARTER?format=csv" -H "authorization: Bearer $ADMIN" >/dev/null   # or Accept: text/csv
call 200 "$B/reports/quarterly/$QUARTER?format=xlsx" -H "authorization: Bearer $ADMIN"
call 200 "$B/reports/quarterly/$QUARTER?format=svg" -H "authorization: Bearer $ADMIN" >/dev/null   # last 8 quarters by priority
call 200 "$B/reports/quarterly?from=$(($(date -u +%Y) - 1))-Q1&to=$QUARTER" -H "authorization: Bearer $ADMIN" >/dev/null

# Twelve quarters of demonstration data up to the last ended quarter, then freeze that quarter:
# a snapshot re-exports byte for byte in every format
(cd "$HUB_DIR" && "$HUB_BIN" demo-data --submissions 300 --members 60 --seed "$RUN")
ENDED=$(python3 -c 'import datetime; d = datetime.date.today().replace(day=1) - datetime.timedelta(days=80)
print(f"{d.year}-Q{(d.month + 2) // 3}")')
SNAPSHOT=$(call 201 -X POST $B/reports/quarterly/$ENDED/snapshots -H "authorization: Bearer $ADMIN" | json id)
call 200 $B/reports/quarterly/$ENDED/snapshots -H "authorization: Bearer $ADMIN" \
  | expect "'$SNAPSHOT' in [s['id'] for s in v]"
call 200 "$B/reports/quarterly/$ENDED/snapshots/$SNAPSHOT?format=csv" -H "authorization: Bearer $ADMIN" >/dev/null
# <<< readme

# >>> readme:data-rights
# Admins: the append-only audit log
call 200 "$B/audit?action=role_changed" -H "authorization: Bearer $ADMIN" >/dev/null

# Members: sign in a second time, then log that session out (its token gets 401 at once)
OTHER=$(call 200 -X POST $B/auth/login -H 'content-type: application/json' \
  -d "{\"email\": \"$ME\", \"password\": \"$PASSWORD\"}" | json access_token)
call 204 -X POST $B/auth/logout -H "authorization: Bearer $OTHER"
call 401 $B/members/me -H "authorization: Bearer $OTHER" >/dev/null

# Members: everything held about them, then erasure, typing the password again
# (last: every session ends with it)
call 200 $B/members/me/export -H "authorization: Bearer $TOKEN" >/dev/null
call 204 -X DELETE $B/members/me -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \
  -d "{\"password\": \"$PASSWORD\"}"
call 401 $B/members/me -H "authorization: Bearer $TOKEN" >/dev/null
# <<< readme

echo "walk-through passed"
