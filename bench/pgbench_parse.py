#!/usr/bin/env python3
"""Reads pgbench's summary (stdin) and its per-transaction logs (`-l`, files
LOG_PREFIX.<pid>[.<thread>]); prints LABEL OP RUN tps p50-ms p99-ms failed 0 (tab-separated),
the same columns as wrk_parse.py."""
import glob
import re
import statistics
import sys

label, op, run, log_prefix = sys.argv[1:5]
text = sys.stdin.read()
tps = float(re.search(r"tps = ([\d.]+)", text).group(1))
failed = re.search(r"number of failed transactions: (\d+)", text)
latencies = []
for path in glob.glob(f"{log_prefix}.[0-9]*"):
    with open(path) as log:
        for line in log:
            fields = line.split()
            # client transaction latency-us script epoch epoch-us
            latencies.append(int(fields[2]) / 1000.0)
if not latencies:
    sys.exit(f"no pgbench transaction log under {log_prefix}.*")
cuts = statistics.quantiles(latencies, n=100)
print("\t".join([label, op, run, f"{tps:.1f}", f"{cuts[49]:.3f}", f"{cuts[98]:.3f}",
                 failed.group(1) if failed else "0", "0"]))
