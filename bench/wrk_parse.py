#!/usr/bin/env python3
"""Reads `wrk --latency` output; prints LABEL OP RUN req/s p50-ms p99-ms non-2xx errors (tab-separated)."""
import re
import sys

label, op, run = sys.argv[1:4]
text = sys.stdin.read()


def ms(value):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
p50 = ms(re.search(r"^\s+50%\s+(\S+)", text, re.M).group(1))
p99 = ms(re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1))
non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
print("\t".join([label, op, run, f"{rps:.1f}", f"{p50:.3f}", f"{p99:.3f}",
                 non2xx.group(1) if non2xx else "0",
                 str(sum(int(g) for g in errors.groups())) if errors else "0"]))
