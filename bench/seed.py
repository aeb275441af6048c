#!/usr/bin/env python3
"""Seeds a running service through its API for bench/requests.sh.

Registers members, has each create submissions (case studies and improvement
journeys over the four workforce priorities), submits some and has the admin
publish some, then writes into OUT_DIR:

  tokens         a session token of every member, one a line (requests rotate over
                 them, so no member's rate limit is reached)
  ids            the published submissions, which every member may read
  login.json     member 0's email and password, the body of a login request
  create.json    the body of a create request

Usage: seed.py BASE_URL ADMIN_EMAIL PASSWORD OUT_DIR [MEMBERS] [PER_MEMBER]
"""
import json
import sys
import urllib.request

base, admin_email, password, out = sys.argv[1:5]
members = int(sys.argv[5]) if len(sys.argv) > 5 else 10
per_member = int(sys.argv[6]) if len(sys.argv) > 6 else 40
api = base + "/api/v1"

PRIORITIES = ["optimising_ot", "value_and_impact", "retention_and_career", "workforce_planning"]


def call(method, path, token=None, body=None, expect=(200, 201)):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(api + path, data=data, method=method)
    if data is not None:
        req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req) as resp:
            status, text = resp.status, resp.read()
    except urllib.error.HTTPError as err:
        status, text = err.code, err.read()
    if status not in expect:
        sys.exit(f"{method} {path}: {status} {text[:500]!r}")
    return json.loads(text) if text else None


def login(email):
    return call("POST", "/auth/login", body={"email": email, "password": password})["access_token"]


def case_study(title, priority):
    return {
        "kind": "case_study",
        "title": title,
        "summary": "Occupational therapists in GP practices saw people with long-term conditions first, "
                   "and the practices booked fewer GP appointments for musculoskeletal problems.",
        "sections": {"context": "Three GP practices in one primary care network",
                     "approach": "First-contact OT clinics two days a week",
                     "outcomes": "A fifth fewer GP appointments for the same conditions",
                     "learning": "Start small and share the data each month"},
        "priorities": [priority, "optimising_ot"] if priority != "optimising_ot" else [priority],
        "practice_areas": ["primary_care"],
        "nation": "england",
        "region": "london",
    }


def journey(title, priority):
    return {
        "kind": "improvement_journey",
        "title": title,
        "summary": "An OT home visit within 72 hours of discharge cut falls readmissions from 14% to 6%.",
        "sections": {
            "why_we_started": {"problem": "One in seven people over 75 was readmitted after a fall.",
                               "aims": "Halve falls readmissions in nine months."},
            "what_we_did": {"interventions": "A home visit within 72 hours of discharge, equipment fitted on the day."},
            "what_we_found": {"results": "Readmissions for falls fell from 14% to 6% over 40 weeks."},
            "what_it_means": {"conclusions": "Early OT home visits should be standard after discharge."},
        },
        "priorities": [priority],
        "practice_areas": ["community_rehabilitation", "older_people"],
        "nation": "england",
        "region": "north_west",
        "impact_evidence": [{"evidence_type": "economic", "description": "Bed days saved",
                             "costs_pence": 4200000, "savings_pence": 18900000, "return_on_investment": 4.5}],
    }


admin = login(admin_email)
rubric = {"scores": {"clarity_of_problem_and_context": 4, "measurement_and_data": 4, "evidence_of_impact": 4,
                     "involvement_of_people_who_use_services": 3, "transferability_and_spread": 4},
          "overall_comment": "Clear and well measured", "decision": "publish"}
readable = []
tokens = []
for m in range(members):
    email = f"bench-member-{m}@example.org"
    call("POST", "/auth/register", body={"email": email, "password": password, "display_name": f"Bench Member {m}"})
    token = login(email)
    tokens.append(token)
    for n in range(per_member):
        priority = PRIORITIES[n % len(PRIORITIES)]
        make = case_study if n % 2 == 0 else journey
        created = call("POST", "/submissions", token, make(f"Bench submission {m}-{n}", priority))
        sid = created["id"]
        stage = n % 4  # 0: draft, 1: submitted, 2 and 3: published
        if stage >= 1:
            call("POST", f"/submissions/{sid}/submit", token)
        if stage >= 2:
            call("POST", f"/submissions/{sid}/claim", admin)
            call("POST", f"/submissions/{sid}/reviews", admin, rubric)
            readable.append(sid)

with open(f"{out}/tokens", "w") as f:
    f.write("\n".join(tokens) + "\n")
with open(f"{out}/ids", "w") as f:
    f.write("\n".join(readable) + "\n")
with open(f"{out}/login.json", "w") as f:
    json.dump({"email": "bench-member-0@example.org", "password": password}, f)
with open(f"{out}/create.json", "w") as f:
    json.dump(journey("A new improvement journey from the benchmark", "value_and_impact"), f)
print(f"seeded {members} members, {members * per_member} submissions, {len(readable)} published")
