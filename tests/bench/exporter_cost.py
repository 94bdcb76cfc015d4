#!/usr/bin/env python3
"""The exporter's own cost: resident memory when idle and under scrapes, CPU per
scrape, scrape latency and size, for a few setups. Prints a Markdown table.

    bazel build //exporter:memwatch_exporter //demo:memwatch_demo
    python3 tests/bench/exporter_cost.py [--scrapes 100]

Figures, not assertions: nothing here fails on speed.
"""

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
from tests.lib import harness  # noqa: E402


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(procs, label, args, scrapes):
    exp = harness.Exporter(procs, args=args)
    time.sleep(2)  # let the sampler settle; this is a benchmark, not a test
    idle = rss_kib(exp.proc.pid)
    cpu0 = cpu_seconds(exp.proc.pid)
    times = []
    for _ in range(scrapes):
        t = time.perf_counter()
        r = exp.get("/metrics")
        times.append(time.perf_counter() - t)
    cpu = (cpu_seconds(exp.proc.pid) - cpu0) / scrapes
    plain = len(r.body)
    gz = harness.http("GET", exp.base + "/metrics",
                      headers={"Accept-Encoding": "gzip"})
    loaded = rss_kib(exp.proc.pid)
    exp.stop()
    times.sort()
    return (label, idle, loaded, statistics.median(times) * 1e3,
            times[int(len(times) * 0.95) - 1] * 1e3, cpu * 1e3, plain,
            int(gz.headers.get("content-length", 0)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scrapes", type=int, default=100)
    a = ap.parse_args()
    rows = []
    with harness.Processes() as procs:
        rows.append(measure(procs, "no targets", [], a.scrapes))
        rows.append(measure(procs, "--self", ["--self"], a.scrapes))
        demo = procs.start([harness.binary("demo/memwatch_demo")])
        rows.append(measure(procs, "demo (leaking) by pid",
                            [f"--pid=demo={demo.pid}"], a.scrapes))
    print("| setup | idle RSS KiB | RSS after scrapes KiB | scrape median ms | "
          "scrape p95 ms | CPU ms/scrape | body bytes | gzip bytes |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]:.2f} | {r[4]:.2f} | {r[5]:.2f} "
              f"| {r[6]} | {r[7]} |")


if __name__ == "__main__":
    main()
