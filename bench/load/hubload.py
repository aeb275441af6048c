#!/usr/bin/env python3
"""Set-up and verification for bench/load.sh and bench/crash.sh (the load itself is wrk).

  hubload.py members --base URL --count N --out FILE
      registers N members and logs each in; writes "email<TAB>password<TAB>token" lines.

  hubload.py verify --base URL --members FILE --database URL --logs DIR [DIR ...] [--strict]
      reads the wrk threads' logs (see hub.lua) and checks, against the database and
      through the API as each submission's author:
      - every acknowledged create and update is stored intact: the content sent, the
        version its ETag named, and GET answers that content with that ETag;
      - a write that got no answer (the service died, or the run ended) either happened
        in full or not at all;
      - no submission exists that no write produced;
      - every stored submission is whole: its index columns, tag rows, recommendation
        and citation rows agree with its JSON document, it has exactly one
        `submission.created` event and one `submission.updated` event per update, and
        its creation is in the audit log.
      Prints a summary (requests, rates, answers by class) and exits 1 on any failure.
      --strict (the load check) also fails on socket errors and lost answers, which a
      crash check expects.

Standard library only: sqlite3 for SQLite files, psql for PostgreSQL.
"""

import argparse
import concurrent.futures
import http.client
import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import urllib.parse
import uuid
from collections import Counter, defaultdict

PASSWORD = "a long load-test passphrase"
NONCE = re.compile(r"^Load (\S+) ")


# --- HTTP -----------------------------------------------------------------


class Client:
    """One keep-alive connection per calling thread."""

    def __init__(self, base):
        parsed = urllib.parse.urlsplit(base)
        self.host, self.port = parsed.hostname, parsed.port or 80
        self.local = threading.local()

    def call(self, method, path, body=None, token=None):
        headers = {"content-type": "application/json"} if body is not None else {}
        if token:
            headers["authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode() if body is not None else None
        for attempt in range(2):
            conn = getattr(self.local, "conn", None)
            if conn is None:
                conn = self.local.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            try:
                conn.request(method, path, body=data, headers=headers)
                resp = conn.getresponse()
                raw = resp.read()
                return resp.status, {k.lower(): v for k, v in resp.getheaders()}, raw
            except (http.client.HTTPException, ConnectionError):
                conn.close()
                self.local.conn = None
                if attempt:
                    raise
        raise AssertionError("unreachable")


def make_members(args):
    client = Client(args.base)
    stamp = uuid.uuid4().hex[:8]

    def one(i):
        email = f"load-{stamp}-{i}@example.org"
        status, _, raw = client.call(
            "POST",
            "/api/v1/auth/register",
            {"email": email, "password": PASSWORD, "display_name": f"Load member {i}"},
        )
        if status != 201:
            raise SystemExit(f"register {email}: {status} {raw[:300]!r}")
        status, _, raw = client.call("POST", "/api/v1/auth/login", {"email": email, "password": PASSWORD})
        if status != 200:
            raise SystemExit(f"login {email}: {status} {raw[:300]!r}")
        return email, json.loads(raw)["access_token"]

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        members = list(pool.map(one, range(1, args.count + 1)))
    with open(args.out, "w") as f:
        for email, token in members:
            f.write(f"{email}\t{PASSWORD}\t{token}\n")
    print(f"{len(members)} members registered and logged in")


# --- the writes wrk sent --------------------------------------------------


class Write:
    __slots__ = ("nonce", "op", "id", "if_match", "body", "outcome", "status", "ack_id", "ack_version")

    def __init__(self, nonce, op, id_, if_match, body):
        self.nonce, self.op, self.id, self.if_match, self.body = nonce, op, id_, if_match, body
        self.outcome = None  # "A" answered 2xx, "R" other answer, "L" lost, None: in flight at the end
        self.status = None
        self.ack_id = None
        self.ack_version = None


def read_logs(dirs, members):
    """Writes per thread (in order), read mismatches, and each thread's token."""
    threads = []
    problems = []
    for d in dirs:
        tag = os.path.basename(os.path.normpath(d))
        for name in sorted(os.listdir(d)):
            m = re.fullmatch(r"thread-(\d+)\.log", name)
            if not m:
                continue
            index = int(m.group(1))
            token = members[(index - 1) % len(members)][2]
            writes, by_nonce = [], {}
            with open(os.path.join(d, name)) as f:
                for line in f:
                    parts = line.rstrip("\n").split("\t")
                    kind = parts[0]
                    if kind == "S":
                        _, nonce, op, id_, if_match, body = parts
                        w = Write(
                            nonce,
                            op,
                            None if id_ == "-" else id_,
                            None if if_match == "-" else int(if_match),
                            json.loads(body),
                        )
                        writes.append(w)
                        by_nonce[nonce] = w
                    elif kind in ("A", "R", "L", "U"):
                        w = by_nonce[parts[1]]
                        w.outcome = "L" if kind == "U" else kind
                        if kind in ("A", "R"):
                            w.status = int(parts[2])
                        if kind == "A":
                            w.ack_id = None if parts[3] == "-" else parts[3]
                            w.ack_version = None if parts[4] == "-" else int(parts[4])
                            if w.ack_id is None or w.ack_version is None:
                                problems.append(f"{tag}/{name}: {parts[1]} answered {parts[2]} without an id or ETag")
                    elif kind == "M":
                        problems.append(f"{tag}/{name}: read disagreed with the last acknowledged write: {line.strip()}")
            threads.append((f"{tag}/{name}", token, writes))
    return threads, problems


def merged(state, patch):
    out = dict(state)
    out.update(patch)
    return out


def expectations(threads):
    """For each submission id: the author's token and the states it may be in.

    Returns (by_id, unacked_creates, problems), where by_id maps id to
    (token, [(version, content), ...]) and unacked_creates maps a create's nonce to
    (token, content, may_exist)."""
    by_id = {}
    unacked_creates = {}
    problems = []
    for label, token, writes in threads:
        history = {}  # id -> [version, content, open: more writes may follow]
        for w in writes:
            if w.op == "create":
                content = dict(w.body)
                if w.outcome == "A":
                    if w.ack_version != 1:
                        problems.append(f"{label}: create {w.nonce} acknowledged with ETag {w.ack_version}, not 1")
                    history[w.ack_id] = [1, content, True]
                    by_id[w.ack_id] = (token, [(1, content)])
                else:
                    # 4xx: refused, so it must not exist; 5xx, lost or in flight: either way.
                    may_exist = not (w.outcome == "R" and 400 <= w.status < 500)
                    unacked_creates[w.nonce] = (token, content, may_exist)
                continue
            h = history.get(w.id)
            if h is None or not h[2]:
                problems.append(f"{label}: update {w.nonce} of {w.id}, which the thread no longer tracked")
                continue
            version, content = h[0], h[1]
            if w.if_match != version:
                problems.append(f"{label}: update {w.nonce} sent If-Match {w.if_match}, last acknowledged {version}")
            after = merged(content, w.body)
            if w.outcome == "A":
                if w.ack_id != w.id or w.ack_version != version + 1:
                    problems.append(
                        f"{label}: update {w.nonce} of {w.id} at {version} acknowledged as {w.ack_id} {w.ack_version}"
                    )
                h[0], h[1] = version + 1, after
                by_id[w.id] = (token, [(version + 1, after)])
            elif w.outcome == "R" and 400 <= w.status < 500:
                h[2] = False
                by_id[w.id] = (token, [(version, content)])
            else:
                h[2] = False
                by_id[w.id] = (token, [(version, content), (version + 1, after)])
    return by_id, unacked_creates, problems


# --- what the database holds ----------------------------------------------


TAG_TABLES = {
    "submission_priorities": "priorities",
    "submission_practice_areas": "practice_areas",
    "submission_topics": "topics",
    "submission_evidence_types": "evidence_types",
}


class Store:
    def __init__(self, url):
        self.url = url
        self.sqlite = not url.startswith(("postgres://", "postgresql://"))
        if self.sqlite:
            path = re.sub(r"^sqlite:(//)?", "", url).split("?")[0]
            self.conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)

    def rows(self, sql):
        if self.sqlite:
            cur = self.conn.execute(sql)
            names = [c[0] for c in cur.description]
            return [
                {n: (str(uuid.UUID(bytes=v)) if isinstance(v, bytes) and len(v) == 16 else v) for n, v in zip(names, r)}
                for r in cur.fetchall()
            ]
        out = subprocess.run(
            ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", self.url, "-c", f"SELECT row_to_json(t) FROM ({sql}) t"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        return [json.loads(line) for line in out.splitlines() if line]


def load_database(store):
    subs = {}
    for r in store.rows(
        "SELECT id, author_id, kind, status, title, search_text, content, version, nation, region FROM submissions"
    ):
        r["content"] = json.loads(r["content"])
        r["tags"] = {field: set() for field in TAG_TABLES.values()}
        r["recommendations"] = 0
        r["citations"] = 0
        r["events"] = Counter()
        r["audited"] = 0
        subs[r["id"]] = r
    orphans = []

    def attach(sql, apply):
        for row in store.rows(sql):
            s = subs.get(row["submission_id"])
            if s is None:
                orphans.append(f"{sql.split(' FROM ')[1].split()[0]} row for missing submission {row['submission_id']}")
            else:
                apply(s, row)

    for table, field in TAG_TABLES.items():
        attach(f"SELECT submission_id, code FROM {table}", lambda s, r, f=field: s["tags"][f].add(r["code"]))
    attach("SELECT submission_id FROM recommendations", lambda s, r: s.__setitem__("recommendations", s["recommendations"] + 1))
    attach("SELECT submission_id FROM submission_citations", lambda s, r: s.__setitem__("citations", s["citations"] + 1))
    # Events not yet numbered by the feed's sequencer (PostgreSQL) are recorded all the same.
    attach(
        "SELECT submission_id, event_type FROM outbox_events"
        " UNION ALL SELECT submission_id, event_type FROM outbox_pending",
        lambda s, r: s["events"].update([r["event_type"]]),
    )
    attach(
        "SELECT target_id AS submission_id FROM audit_log WHERE action = 'submission_created'",
        lambda s, r: s.__setitem__("audited", s["audited"] + 1),
    )
    return subs, orphans


def whole(s):
    """Ways a stored submission disagrees with itself (a half-written one would)."""
    c = s["content"]
    bad = []
    if s["title"] != c.get("title"):
        bad.append("title column differs from the document")
    if s["search_text"] != f"{c.get('title')}\n{c.get('summary')}".lower():
        bad.append("search text differs from the document")
    if s["nation"] != c.get("nation") or s["region"] != c.get("region"):
        bad.append("nation/region columns differ from the document")
    want = {
        "priorities": set(c.get("priorities", [])),
        "practice_areas": set(c.get("practice_areas", [])),
        "topics": set(c.get("topics", [])),
        "evidence_types": {e["evidence_type"] for e in c.get("impact_evidence", [])},
    }
    for field, codes in want.items():
        if s["tags"][field] != codes:
            bad.append(f"{field} rows {sorted(s['tags'][field])} but document {sorted(codes)}")
    if s["recommendations"] != len(c.get("recommendations", [])):
        bad.append("recommendation rows differ from the document")
    cited = {e["submission_id"] for e in c.get("evidence_sources", []) if e.get("submission_id")}
    if s["citations"] != len(cited):
        bad.append("citation rows differ from the document")
    if s["events"]["submission.created"] != 1:
        bad.append(f"{s['events']['submission.created']} submission.created events")
    if s["status"] == "draft" and s["events"]["submission.updated"] != s["version"] - 1:
        bad.append(f"version {s['version']} but {s['events']['submission.updated']} submission.updated events")
    if s["audited"] != 1:
        bad.append(f"{s['audited']} submission_created audit entries")
    return bad


def agrees(sent, stored):
    """Every field sent is stored as sent (the service adds empty fields of its own)."""
    if isinstance(sent, dict):
        return isinstance(stored, dict) and all(agrees(v, stored.get(k)) for k, v in sent.items())
    if isinstance(sent, list):
        return isinstance(stored, list) and len(sent) == len(stored) and all(map(agrees, sent, stored))
    return sent == stored


def content_of(body):
    return {k: v for k, v in body.items() if k != "kind"}


# --- the check --------------------------------------------------------------


def verify(args):
    members = [line.rstrip("\n").split("\t") for line in open(args.members) if line.strip()]
    threads, problems = read_logs(args.logs, members)
    by_id, unacked_creates, more = expectations(threads)
    problems += more
    summaries = []
    for d in args.logs:
        path = os.path.join(d, "summary.json")
        if os.path.exists(path):
            summaries.append(json.load(open(path)))
        else:
            problems.append(f"{d}: no summary.json (wrk did not finish)")

    store = Store(args.database)
    subs, orphans = load_database(store)
    problems += orphans

    # Every stored submission is whole, and was produced by a write that was sent.
    half_written = 0
    matched_unacked = 0
    for sid, s in subs.items():
        bad = whole(s)
        if bad:
            half_written += 1
            problems.append(f"submission {sid} is not whole: {'; '.join(bad)}")
        if sid in by_id:
            _, states = by_id[sid]
            if not any(s["version"] == v and agrees(content_of(c), s["content"]) for v, c in states):
                acked = states[0][0]
                problems.append(
                    f"submission {sid} is at version {s['version']} with title {s['title']!r}; "
                    f"expected version {acked} with title {states[0][1]['title']!r}"
                    + (f" or {states[1][0]} with title {states[1][1]['title']!r}" if len(states) > 1 else "")
                )
            continue
        m = NONCE.match(s["title"] or "")
        create = unacked_creates.get(m.group(1)) if m else None
        if create is None:
            problems.append(f"submission {sid} ({s['title']!r}) was produced by no write that was sent")
        elif not create[2]:
            problems.append(f"submission {sid} exists though its create was refused")
        elif s["version"] != 1 or not agrees(content_of(create[1]), s["content"]):
            problems.append(f"submission {sid} from unanswered create {m.group(1)} differs from what was sent")
        else:
            matched_unacked += 1

    # Every acknowledged write is there, and the API answers it as its author saw it.
    missing = [sid for sid in by_id if sid not in subs]
    for sid in missing:
        problems.append(f"acknowledged submission {sid} is missing")
    client = Client(args.base)

    def check_api(item):
        sid, (token, states) = item
        s = subs.get(sid)
        if s is None:
            return None
        status, headers, raw = client.call("GET", f"/api/v1/submissions/{sid}", token=token)
        if status != 200:
            return f"GET {sid} as its author: {status}"
        view = json.loads(raw)
        etag = headers.get("etag")
        if etag != f'"{s["version"]}"' or view.get("version") != s["version"]:
            return f"GET {sid}: ETag {etag}, version {view.get('version')}, stored {s['version']}"
        if not any(s["version"] == v and agrees(c, view) for v, c in states):
            return f"GET {sid}: the answer differs from the last acknowledged write"
        return None

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        problems += [p for p in pool.map(check_api, by_id.items()) if p]

    # Answers, from wrk's summaries and the threads' counts.
    answers = Counter()
    requests = duration_us = 0
    socket_errors = Counter()
    lost = 0
    latency = {}
    for sm in summaries:
        requests += sm["requests"]
        duration_us += sm["duration_us"]
        socket_errors.update(sm["socket_errors"])
        lost += sm["lost"]
        answers.update(sm["answers"])
        latency = sm["latency_us"]
    by_class = Counter()
    by_op = defaultdict(Counter)
    for key, n in answers.items():
        op, status = key.split()
        status = int(status)
        cls = "429" if status == 429 else f"{status // 100}xx"
        by_class[cls] += n
        by_op[op][status] += n
    unexpected = {k: n for k, n in answers.items() if not (200 <= int(k.split()[1]) < 300 or k.endswith(" 429"))}
    if unexpected:
        problems.append(f"answers other than 2xx and 429: {dict(sorted(unexpected.items()))}")
    if args.strict:
        if any(socket_errors.values()):
            problems.append(f"socket errors: {dict(socket_errors)}")
        if lost:
            problems.append(f"{lost} requests got no answer")

    acked_creates = sum(1 for _, _, ws in threads for w in ws if w.op == "create" and w.outcome == "A")
    acked_updates = sum(1 for _, _, ws in threads for w in ws if w.op == "update" and w.outcome == "A")
    unanswered = sum(1 for _, _, ws in threads for w in ws if w.outcome in (None, "L"))

    seconds = duration_us / 1e6 if duration_us else 0
    runs = f" over {len(summaries)} runs" if len(summaries) > 1 else ""
    print(f"requests:        {requests} in {seconds:.1f} s{runs} = {requests / seconds if seconds else 0:.0f} req/s")
    print(f"answers:         {', '.join(f'{k} {v}' for k, v in sorted(by_class.items()))}")
    for op in sorted(by_op):
        print(f"  {op:<14} {', '.join(f'{s} {n}' for s, n in sorted(by_op[op].items()))}")
    if latency:
        print(
            f"latency:         p50 {latency['p50'] / 1000:.1f} ms, p90 {latency['p90'] / 1000:.1f} ms, "
            f"p99 {latency['p99'] / 1000:.1f} ms, max {latency['max'] / 1000:.1f} ms"
        )
    print(
        f"socket errors:   {dict(socket_errors) if any(socket_errors.values()) else 'none'}; "
        f"{lost} requests without an answer"
    )
    print(
        f"verified:        {acked_creates} acknowledged creates and {acked_updates} acknowledged updates "
        f"({len(by_id)} submissions) stored intact and served with their ETag"
    )
    print(
        f"database:        {len(subs)} submissions, {half_written} not whole; {unanswered} writes got no answer "
        f"(in flight at the end, or tried while the service was down), {matched_unacked} of those creates "
        f"were stored in full"
    )
    sys.stdout.flush()
    if problems:
        print(f"FAILED: {len(problems)} problems", file=sys.stderr)
        for p in problems[:40]:
            print(f"  {p}", file=sys.stderr)
        if len(problems) > 40:
            print(f"  … and {len(problems) - 40} more", file=sys.stderr)
        return 1
    print("OK")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("members")
    m.add_argument("--base", required=True)
    m.add_argument("--count", type=int, required=True)
    m.add_argument("--out", required=True)
    v = sub.add_parser("verify")
    v.add_argument("--base", required=True)
    v.add_argument("--members", required=True)
    v.add_argument("--database", required=True)
    v.add_argument("--logs", nargs="+", required=True)
    v.add_argument("--strict", action="store_true")
    args = parser.parse_args()
    if args.command == "members":
        make_members(args)
        return 0
    return verify(args)


if __name__ == "__main__":
    sys.exit(main())
