#!/usr/bin/env python3
"""The pause a live class histogram causes, for docs/heapdiff.md ("JVM by class").

    bazel build //collectors/jvmattach:jvm_histo
    python3 tests/bench/jvmattach_bench.py [--live-mib 1024] [--xmx 2g] [--runs 3]
                                           [--gc G1|Parallel]

Starts tests/workloads/java/ClassLeak.java with -Xmx/-Xms --xmx and
-Xlog:gc,safepoint, fills about --live-mib MiB of small live objects (a linked
list of 24-byte nodes with 80-byte arrays: ~10 million objects per GiB), then
takes --runs histograms each way with our client (jvm_histo) and with the
JDK's jcmd for reference:

- live (`GC.class_histogram`, what by=class uses): the JVM stops for a full GC
  and then walks the heap, in one safepoint (VM operation GC_HeapInspection);
- all (`GC.class_histogram -all`): no GC, the heap walk only.

For each it prints the safepoint's total (the pause: every application thread
stopped), the full GC's own pause from the GC log, and the wall time of the
whole attach + histogram as the client sees it. Figures, not assertions.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
from tests.lib import harness  # noqa: E402

SRC = os.path.join(harness.REPO, "tests", "workloads", "java", "ClassLeak.java")
SAFEPOINT = re.compile(r'Safepoint "GC_HeapInspection".* Total: (\d+) ns')
FULL_GC = re.compile(r"Pause Full \(Heap Inspection Initiated GC\) "
                     r"(\d+)M->(\d+)M\(\d+M\) ([\d.]+)ms")


def log_pauses(path, seen):
    """(safepoint s, full GC s or None) of the heap inspections after `seen`."""
    with open(path) as f:
        lines = f.read().splitlines()[seen:]
    out, gc = [], None
    for line in lines:
        m = FULL_GC.search(line)
        if m:
            gc = float(m.group(3)) / 1000
            print(f"  full GC {m.group(1)}M->{m.group(2)}M", file=sys.stderr)
        m = SAFEPOINT.search(line)
        if m:
            out.append((int(m.group(1)) / 1e9, gc))
            gc = None
    return out, seen + len(lines)


def summary(values):
    if not values:
        return "n/a"
    return " / ".join(f"{v:.3f}" for v in
                      (min(values), statistics.median(values), max(values)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--live-mib", type=int, default=1024)
    ap.add_argument("--xmx", default="2g")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--gc", default="G1")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="memwatch-jvmattach-bench-")
    subprocess.run(["javac", "-d", tmp, SRC], check=True)
    log = os.path.join(tmp, "gc.log")
    java = subprocess.Popen(
        ["java", f"-Xmx{args.xmx}", f"-Xms{args.xmx}", f"-XX:+Use{args.gc}GC",
         f"-Xlog:gc,safepoint:file={log}:uptime", "-cp", tmp, "ClassLeak"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert java.stdout.readline().strip() == "ready"
        start = time.monotonic()
        java.stdin.write(f"fill {args.live_mib}\n")
        java.stdin.flush()
        filled = java.stdout.readline().strip()
        print(f"{filled} nodes in {time.monotonic() - start:.1f} s "
              f"(-Xmx{args.xmx}, {args.gc})", file=sys.stderr)
        rows, seen = {}, 0
        tools = {
            "jvm_histo": [harness.binary("collectors/jvmattach/jvm_histo"),
                          "--pid", str(java.pid), "--top", "1"],
            "jcmd": ["jcmd", str(java.pid), "GC.class_histogram"],
        }
        _, seen = log_pauses(log, 0)
        for kind, extra in (("live", []), ("all", ["-all"])):
            for tool, cmd in tools.items():
                if extra:
                    cmd = cmd + (["--all"] if tool == "jvm_histo" else extra)
                for _ in range(args.runs):
                    t = time.monotonic()
                    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
                    wall = time.monotonic() - t
                    time.sleep(0.5)  # the log line is written after the pause
                    pauses, seen = log_pauses(log, seen)
                    row = rows.setdefault((kind, tool), ([], [], []))
                    row[0].append(wall)
                    for sp, gc in pauses:
                        row[1].append(sp)
                        if gc is not None:
                            row[2].append(gc)
        print("| histogram | client | safepoint (pause) s | of which full GC s"
              " | wall s (attach + histogram) |")
        print("|---|---|---|---|---|")
        for (kind, tool), (wall, sp, gc) in rows.items():
            print(f"| {kind} | {tool} | {summary(sp)} | {summary(gc)} | "
                  f"{summary(wall)} |")
    finally:
        java.kill()
        java.wait()


if __name__ == "__main__":
    main()
