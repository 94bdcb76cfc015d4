#!/usr/bin/env python3
"""What tracing native allocations costs the traced process, for
docs/heapdiff.md ("Native allocation stacks"). Prints a Markdown table.

    bazel build //collectors/nativeheap:nativeheap_trace
    python3 tests/bench/nativeheap_bench.py [--seconds 6] [--runs 3]

tests/workloads/cpp/malloc_bench.cc (g++ -O2 -fno-omit-frame-pointer) mallocs
and frees in a tight loop and reports its count and CPU time every 0.25 s.
Its rate is taken over the middle of a window with no tracing, then while
nativeheap_trace traces it at sampling 1, 1 in 64 and 1 in 1024: per second
of wall time, and per second of its own CPU time (user and kernel, where the
uprobe traps are charged), which other load on the machine disturbs less. Every call
to malloc and free still traps into the kernel when sampled out (uprobes
cannot be skipped), so sampling saves the stack walk and map updates only.

Figures, not assertions: nothing here fails on speed. Needs BPF (root).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
from tests.lib import harness  # noqa: E402

SOURCE = os.path.join(harness.REPO, "tests", "workloads", "cpp",
                      "malloc_bench.cc")


def rate(bench, seconds, sample_every):
    """(allocations per wall second, per CPU second) over the middle of a
    `seconds` window."""
    p = subprocess.Popen([bench, str(seconds + 3)], stdout=subprocess.PIPE,
                         text=True)
    try:
        assert p.stdout.readline().strip() == "ready"
        p.stdout.readline()  # first report: warm
        tracer = None
        start = time.monotonic()
        if sample_every:
            tracer = subprocess.Popen(
                [harness.binary("collectors/nativeheap/nativeheap_trace"),
                 "--pid", str(p.pid), "--seconds", str(seconds),
                 "--sample-every", str(sample_every)],
                stdout=subprocess.DEVNULL)
        lo, hi = start + 1.0, start + seconds - 0.5  # probes on by then
        points = []
        for line in p.stdout:
            t, n, cpu = line.split()
            if lo <= float(t) <= hi:
                points.append((float(t), int(n), float(cpu)))
            if float(t) > hi:
                break
        if tracer:
            tracer.wait(timeout=60)
        (t0, n0, c0), (t1, n1, c1) = points[0], points[-1]
        return (n1 - n0) / (t1 - t0), (n1 - n0) / (c1 - c0)
    finally:
        p.kill()
        p.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=6)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench = os.path.join(tmp, "malloc_bench")
        subprocess.run(["g++", "-O2", "-fno-omit-frame-pointer", SOURCE, "-o",
                        bench], check=True)
        print(f"{time.strftime('%d %b %Y %H:%M UTC', time.gmtime())}, "
              f"{os.cpu_count()} cores, load average "
              f"{os.getloadavg()[0]:.1f}; median of {args.runs} runs of "
              f"{args.seconds:g} s\n")
        print("| tracing | malloc+free per second | per CPU second | "
              "CPU per malloc+free | vs. untraced |")
        print("|---|---|---|---|---|")
        base = None
        for label, every in (("none", 0), ("sampling 1 (every call)", 1),
                             ("sampling 1 in 64", 64),
                             ("sampling 1 in 1024", 1024)):
            runs = [rate(bench, args.seconds, every) for _ in range(args.runs)]
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            base = base or cpu
            print(f"| {label} | {wall:,.0f} | {cpu:,.0f} | "
                  f"{1e9 / cpu:,.0f} ns | {cpu / base:.2%} |", flush=True)
        print(f"\nload average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
