#!/usr/bin/env python3
"""Turns results.tsv from bench/requests.sh into a markdown table of medians and ratios to the ceiling."""
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
         "create": "create", "login": "login (argon2id)"}
print("| backend | operation | req/s | p50 ms | p99 ms | ratio to ceiling | non-2xx | socket errors |")
print("|---|---|---:|---:|---:|---:|---:|---:|")
for key in order:
    label, op = key
    rps = median(key, 0)
    print(f"| {label} | {names.get(op, op)} | {rps:,.0f} | {median(key, 1):.2f} | {median(key, 2):.2f} | "
          f"{rps / ceiling:.3f} | {sum(r[3] for r in runs[key])} | {sum(r[4] for r in runs[key])} |")
