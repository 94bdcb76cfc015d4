#!/usr/bin/env python3
"""HeapDiff costs, for docs/heapdiff.md. Prints Markdown tables.

    bazel build //exporter:memwatch_exporter //collectors/v8heap:heap_snapshot_diff
    python3 tests/bench/heapdiff_bench.py [--mappings 10000] [--heap-mb 100,200]
                                          [--runs 5] [--skip-mapping] [--skip-node]

1. By mapping, a process with --mappings separate regions (alternating protections,
   so the kernel cannot merge them): the `heapdiff` command (two smaps reads and the
   diff), the HTTP API's POST (one read) and GET (one read and the diff), and the
   smaps reading a --memwatch.leak-diff=mapping leak event costs the sampler (its
   `diff.read_seconds`).
2. By constructor, a Node heap of about each --heap-mb MB: two snapshots written
   by node, diffed by heap_snapshot_diff (time and peak RSS), and the live API
   over the inspector (time and the exporter's peak RSS, VmHWM, above its VmHWM
   before the POST).

Figures, not assertions: nothing here fails on speed.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
from tests.lib import harness  # noqa: E402

# Maps N one-page regions, alternating read-only and read-write (touched), then
# on "leak" grows by 1 MiB every 0.1 s.
MAPPER = os.path.join(harness.REPO, "tests", "workloads", "python", "mapper.py")

# A heap of about HEAP_MB MB of small objects and strings; "snap FILE" writes a
# snapshot, "grow" adds 20,000 Item objects.
NODE = r"""
const v8 = require('v8');
class Item { constructor(i) { this.i = i; this.s = 'item-' + i; this.a = [i, i + 1]; } }
const mb = Number(process.argv[process.argv.length - 1]);
const items = [];
while (process.memoryUsage().heapUsed < mb * 1048576) {
  for (let k = 0; k < 10000; k++) items.push(new Item(items.length));
}
const rl = require('readline').createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const [cmd, arg] = line.split(' ');
  if (cmd === 'snap') v8.writeHeapSnapshot(arg);
  if (cmd === 'grow') for (let k = 0; k < 20000; k++) items.push(new Item(-k));
  process.stdout.write('ok\n');
});
process.stdout.write('ready ' + process.memoryUsage().heapUsed + '\n');
"""


def start_child(procs, argv):
    p = procs.start(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    line = p.stdout.readline().decode().split()
    if not line or line[0] != "ready":
        raise RuntimeError(f"{argv[0]} did not start: {line}")
    return p, line


def send(p, line):
    p.stdin.write((line + "\n").encode())
    p.stdin.flush()
    if p.stdout.readline().decode().strip() != "ok":
        raise RuntimeError(f"child did not answer {line!r}")


def stats(values):
    return f"{min(values):.3f} / {statistics.median(values):.3f} / {max(values):.3f}"


def vm_hwm_mb(pid):
    """VmHWM in MiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def by_mapping(n, runs):
    exporter = harness.binary("exporter/memwatch_exporter")
    with harness.Processes() as procs:
        child, _ = start_child(procs, [sys.executable, MAPPER, str(n), "0.1", "--on-leak"])
        with open(f"/proc/{child.pid}/smaps", "rb") as f:
            smaps_bytes = len(f.read())
        with open(f"/proc/{child.pid}/maps") as f:
            mappings = sum(1 for _ in f)
        cli = []
        for _ in range(runs):
            t0 = time.monotonic()
            subprocess.run([exporter, "heapdiff", f"--pid={child.pid}", "--seconds=0"],
                           check=True, capture_output=True, timeout=120)
            cli.append(time.monotonic() - t0)
        exp = harness.Exporter(procs, args=[
            f"--pid=mapper={child.pid}", "--memwatch.leak-diff=mapping",
            "--web.enable-admin-api",
            "--memwatch.sample-interval=0.2", "--memwatch.warmup=0",
            "--memwatch.min-cycle=0", "--memwatch.max-cycle=1",
            "--memwatch.leak-gcs=2", "--memwatch.trend=false",
            "--memwatch.log-stats=false"])
        post, get = [], []
        for _ in range(runs):
            t0 = time.monotonic()
            r = harness.http("POST", exp.base + "/api/v1/heapdiff?name=mapper",
                             timeout=120)
            post.append(time.monotonic() - t0)
            t0 = time.monotonic()
            exp.get("/api/v1/heapdiff/" + json.loads(r.text)["id"], timeout=120)
            get.append(time.monotonic() - t0)
        child.stdin.write(b"leak\n")
        child.stdin.flush()

        def events():
            body = json.loads(exp.get("/api/v1/events?type=leak").text)
            return [e for e in body["events"]
                    if "read_seconds" in e.get("diff", {})][:runs] \
                if len(body["events"]) >= runs else None

        leak = harness.wait_until(events, timeout=120, interval=0.5,
                                  what="leak events with a diff")
        reads = [e["diff"]["read_seconds"] for e in leak]
    print(f"\nBy mapping: {mappings} mappings, smaps {smaps_bytes / 1e6:.1f} MB; "
          f"seconds, min / median / max of {runs}\n")
    print("| what | seconds |")
    print("|---|---|")
    print(f"| `heapdiff --seconds 0` command (start, 2 reads, diff, print) | {stats(cli)} |")
    print(f"| `POST /api/v1/heapdiff` (1 read) | {stats(post)} |")
    print(f"| `GET /api/v1/heapdiff/<id>` (1 read + diff) | {stats(get)} |")
    print(f"| leak event's smaps read on the leak-diff worker, off the sampler (`diff.read_seconds`, {len(reads)} events) | {stats(reads)} |")


def by_constructor(heap_mb, runs):
    differ = harness.binary("collectors/v8heap/heap_snapshot_diff")
    tmp = tempfile.mkdtemp(prefix="heapdiff-bench-")
    a, b = os.path.join(tmp, "a.heapsnapshot"), os.path.join(tmp, "b.heapsnapshot")
    with harness.Processes() as procs:
        port = harness.free_port()
        node, ready = start_child(procs, ["node", f"--inspect=127.0.0.1:{port}",
                                          "--max-old-space-size=4096", "-e", NODE,
                                          "--", str(heap_mb)])
        heap_used = int(ready[1]) / 1e6
        send(node, "snap " + a)
        send(node, "grow")
        send(node, "snap " + b)
        sizes = (os.path.getsize(a) / 1e6, os.path.getsize(b) / 1e6)
        times, peaks = [], []
        for _ in range(runs):
            # GNU time's %M: the differ's own peak RSS (KiB), on the last line.
            t0 = time.monotonic()
            out = subprocess.run(["/usr/bin/time", "-f", "%M", differ, a, b, "5"],
                                 check=True, capture_output=True, timeout=600)
            times.append(time.monotonic() - t0)
            peaks.append(int(out.stderr.decode().strip().splitlines()[-1]) / 1024)
        top = json.loads(out.stdout)["change"]["details"][0]
        exp = harness.Exporter(procs, args=[f"--pid=node={node.pid}",
                                            "--web.enable-admin-api"])
        base_hwm = vm_hwm_mb(exp.proc.pid)
        t0 = time.monotonic()
        r = harness.http("POST", exp.base + "/api/v1/heapdiff?name=node&by=constructor",
                         timeout=600)
        t_post = time.monotonic() - t0
        send(node, "grow")
        t0 = time.monotonic()
        g = exp.get("/api/v1/heapdiff/" + json.loads(r.text)["id"], timeout=600)
        t_get = time.monotonic() - t0
        live_top = json.loads(g.text)["change"]["details"][0]
        hwm = vm_hwm_mb(exp.proc.pid)
    for f in (a, b):
        os.remove(f)
    os.rmdir(tmp)
    print(f"\nBy constructor: Node heap {heap_used:.0f} MB used, snapshots "
          f"{sizes[0]:.0f} / {sizes[1]:.0f} MB\n")
    print("| what | seconds | peak RSS |")
    print("|---|---|---|")
    print(f"| `heap_snapshot_diff` of the two files (parse both + diff; min / median / max of {runs}) "
          f"| {stats(times)} | {min(peaks):.0f}–{max(peaks):.0f} MB |")
    print(f"| live `POST ...&by=constructor` (snapshot over the inspector + parse) | {t_post:.2f} | |")
    print(f"| live `GET` (second snapshot + parse + diff) | {t_get:.2f} | exporter VmHWM {hwm:.1f} MiB, {hwm - base_hwm:.1f} MiB above its {base_hwm:.1f} MiB before the POST |")
    print(f"\nTop entries: file diff `{top['what']}` +{top['+']}, live diff "
          f"`{live_top['what']}` +{live_top['+']}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mappings", type=int, default=10000)
    ap.add_argument("--heap-mb", default="100,200",
                    help="comma list: one Node heap of about each size")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--skip-node", action="store_true")
    ap.add_argument("--skip-mapping", action="store_true")
    args = ap.parse_args()
    if not args.skip_mapping:
        by_mapping(args.mappings, args.runs)
    if not args.skip_node:
        for mb in args.heap_mb.split(","):
            by_constructor(int(mb), args.runs)


if __name__ == "__main__":
    main()
