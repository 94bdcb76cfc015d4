#!/usr/bin/env python3
"""Scrape time of the process collector with 1, 100 and 1000 watched processes.

Starts N sleeping processes (argv[0] set to a unique marker, so only they
match), runs the built exporter watching them, scrapes /metrics repeatedly and
prints a table. Two ways of watching:
  matcher  one --match=name=bench,cmdline=^<marker> target: N processes
           aggregated into one set of series (a /proc scan + N reads);
  pids     N --pid targets: N sets of series (no scan, N reads, N x series).

    bazel build //exporter:memwatch_exporter
    python3 tests/bench/process_scrape.py [--counts 1,100,1000] [--scrapes 30]

Everything it starts is stopped by pid at the end.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
from tests.lib import harness  # noqa: E402


def collector_seconds(text):
    for (name, labels), v in harness.parse_metrics(text).items():
        if (name == "memwatch_scrape_collector_duration_seconds"
                and ("collector", "process") in labels):
            return v
    return None


def run(procs, mode, sleepers, marker, scrapes):
    if mode == "matcher":
        args = [f"--match=name=bench,cmdline=^{marker} "]
    else:
        args = ["--pid=" + ",".join(f"b{p.pid}={p.pid}" for p in sleepers)]
    exp = harness.Exporter(procs, args=args)
    try:
        expect = len(sleepers)
        harness.wait_until(
            lambda: sum(1 for (n, _), v in
                        harness.parse_metrics(exp.metrics()).items()
                        if n == "memwatch_target_info") == expect,
            timeout=60, what=f"{expect} processes matched")
        walls, inside, size = [], [], 0
        for _ in range(scrapes):
            t0 = time.perf_counter()
            r = exp.get("/metrics", timeout=60)
            walls.append(time.perf_counter() - t0)
            size = len(r.body)
            c = collector_seconds(r.text)
            if c is not None:
                inside.append(c)
        cpu = harness.metric_value(exp.metrics(), "process_cpu_seconds_total")
        return walls, inside, size, cpu
    finally:
        exp.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--counts", default="1,100,1000")
    ap.add_argument("--scrapes", type=int, default=30)
    ap.add_argument("--modes", default="matcher,pids")
    opts = ap.parse_args()
    counts = [int(c) for c in opts.counts.split(",")]
    marker = f"memwatch-bench-{uuid.uuid4().hex[:10]}"
    total_procs = len([d for d in os.listdir("/proc") if d.isdigit()])
    print(f"machine: {os.cpu_count()} CPUs, {total_procs} processes before "
          f"the benchmark; {opts.scrapes} scrapes per row\n")
    print(f"{'mode':8} {'watched':>7} {'median ms':>10} {'p90 ms':>8} "
          f"{'max ms':>8} {'collector ms':>13} {'body KiB':>9}")
    with harness.Processes() as procs:
        sleepers = []
        for n in counts:
            while len(sleepers) < n:
                sleepers.append(procs.start([marker, "3600"],
                                            executable="/bin/sleep",
                                            stderr=subprocess.DEVNULL))
            for mode in opts.modes.split(","):
                walls, inside, size, _ = run(procs, mode, sleepers[:n], marker,
                                             opts.scrapes)
                walls_ms = sorted(w * 1000 for w in walls)
                p90 = walls_ms[int(len(walls_ms) * 0.9) - 1]
                coll = (f"{statistics.median(inside) * 1000:13.2f}"
                        if inside else f"{'n/a':>13}")
                print(f"{mode:8} {n:7d} {statistics.median(walls_ms):10.2f} "
                      f"{p90:8.2f} {walls_ms[-1]:8.2f} {coll} "
                      f"{size / 1024:9.1f}", flush=True)


if __name__ == "__main__":
    main()
