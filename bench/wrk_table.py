#!/usr/bin/env python3
"""Turns results.tsv from bench/requests.sh into a markdown table of medians,
with ratios to the ceiling and, on PostgreSQL, to pgbench on the same database
in the same run: reads to the primary-key select, creates to tpcb-like."""
import statistics
import sys
from collections import defaultdict

runs = defaultdict(list)
order = []
for line in sys.stdin:
    label, op, _run, rps, p50, p99, non2xx, errors = line.rstrip("\n").split("\t")
    if (label, op) not in runs:
        order.append((label, op))
    runs[(label, op)].append((float(rps), float(p50), float(p99), int(non2xx), int(errors)))


def median(key, i):
    return statistics.median(r[i] for r in runs[key])


ceiling = median(("ceiling", "ping"), 0)
names = {"ping": "bare actix-web JSON handler", "get": "get by id", "list": "list, two filters",
         "create": "create", "login": "login (argon2id)",
         "select": "pgbench: one submission by primary key", "tpcb": "pgbench: tpcb-like"}
# Which pgbench figure each PostgreSQL operation is held against.
reference = {"get": "select", "list": "select", "create": "tpcb"}
print("| backend | operation | req/s | p50 ms | p99 ms | ratio to ceiling | ratio to pgbench | non-2xx | socket errors |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
for key in order:
    label, op = key
    rps = median(key, 0)
    against = ("pgbench", reference.get(op)) if label == "postgres" else None
    to_pgbench = f"{rps / median(against, 0):.2f} ({reference[op]})" if against in runs else ""
    print(f"| {label} | {names.get(op, op)} | {rps:,.0f} | {median(key, 1):.2f} | {median(key, 2):.2f} | "
          f"{rps / ceiling:.3f} | {to_pgbench} | {sum(r[3] for r in runs[key])} | {sum(r[4] for r in runs[key])} |")
