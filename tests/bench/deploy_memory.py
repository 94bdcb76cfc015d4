#!/usr/bin/env python3
"""The exporter's peak memory on a busy node, for the DaemonSet's memory limit
(docs/deploy.md, "Resources"). Prints a Markdown table.

    bazel build //exporter:memwatch_exporter
    python3 tests/bench/deploy_memory.py [--targets 100] [--mappings 60000] [--seconds 180]

One exporter watches --targets targets, one process each: a large process with
--mappings separate memory mappings that also grows (its smaps is tens of MB: the
largest thing a mapping diff reads), Python processes that grow slowly (leak events,
each with a mapping diff), two JVMs (perf data), two Node.js processes, and `sleep`
processes for the rest. The Kubernetes collector lists a PodList of as many pods from
a local API server every 5 s. memwatch runs with short intervals so that leak events
(and their diffs) come within the run; --memwatch.leak-diff=mapping.

Phase 1 (a third of the run): /metrics scraped every second. Phase 2: the same,
plus `POST /api/v1/heapdiff?name=big` (by mapping) and its GET back to back, and
/api/v1/events polled. The exporter's VmHWM is read after each phase; VmRSS is
sampled every second.

Figures, not assertions: nothing here fails on a number.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
from tests.lib import harness  # noqa: E402

# N one-page regions, alternating protections (the kernel cannot merge them), then
# 1 MiB more every 0.5 s.
MAPPER = os.path.join(harness.REPO, "tests", "workloads", "python", "mapper.py")

# Grows 256 KiB every 0.5 s, with garbage in between (a leak the engine sees).
LEAKER = r"""
import time
held = []
print("ready", flush=True)
while True:
    junk = [bytearray(4096) for _ in range(256)]
    held.append(bytearray(b"y" * (256 << 10)))
    time.sleep(0.5)
"""

NODE = "const a = []; setInterval(() => { a.push(Buffer.alloc(65536, 1)); }, 500);"

JAVA = """
public class Grow {
  public static void main(String[] a) throws Exception {
    java.util.List<byte[]> held = new java.util.ArrayList<>();
    while (true) { held.add(new byte[32768]); for (int i = 0; i < 100; i++) { byte[] g = new byte[4096]; } Thread.sleep(100); }
  }
}
"""


def pod(i):
    """A PodList item about the size of a real one (~3 KB of JSON)."""
    return {
        "metadata": {
            "name": f"app-{i}-7d9f8b6c5-x2kqp", "namespace": f"team-{i % 10}",
            "uid": f"5f0c2a1e-0000-4000-8000-{i:012d}",
            "labels": {"app.kubernetes.io/name": f"app-{i}", "pod-template-hash": "7d9f8b6c5"},
            "annotations": {"kubectl.kubernetes.io/restartedAt": "2026-12-04T10:00:00Z",
                            "note": "x" * 1500},
        },
        "spec": {"nodeName": "bench", "containers": [
            {"name": "app", "image": f"registry.example/app-{i}:1.2.3"},
            {"name": "proxy", "image": "registry.example/proxy:2.0"}]},
        "status": {"phase": "Running", "containerStatuses": [
            {"name": "app", "containerID": f"containerd://{i:064x}", "restartCount": 0},
            {"name": "proxy", "containerID": f"containerd://{i + 10**6:064x}",
             "restartCount": 0}]},
    }


class ApiServer:
    def __init__(self, pods):
        body = json.dumps({"kind": "PodList", "apiVersion": "v1", "metadata": {},
                           "items": [pod(i) for i in range(pods)]}).encode()
        self.size = len(body)

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", harness.free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def status_kb(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def start_ready(procs, argv):
    p = procs.start(argv, stdout=subprocess.PIPE)
    if p.stdout.readline().decode().strip() != "ready":
        raise RuntimeError(f"{argv[:2]} did not start")
    return p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--targets", type=int, default=100)
    ap.add_argument("--mappings", type=int, default=60000)
    ap.add_argument("--leakers", type=int, default=15)
    ap.add_argument("--seconds", type=float, default=180)
    ap.add_argument("--no-diff", action="store_true",
                    help="baseline: --memwatch.leak-diff=off and no heapdiff requests")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="deploy-memory-")
    api = ApiServer(args.targets)
    stop = threading.Event()
    try:
        with harness.Processes() as procs:
            targets = [("big", start_ready(procs, [sys.executable, MAPPER,
                                                   str(args.mappings), "0.5"]))]
            for i in range(args.leakers):
                targets.append((f"leak{i}", start_ready(procs, [sys.executable, "-c", LEAKER])))
            java = shutil.which("java")
            if java:
                src = os.path.join(tmp, "Grow.java")
                with open(src, "w") as f:
                    f.write(JAVA)
                for i in range(2):
                    targets.append((f"jvm{i}", procs.start(
                        [java, "-Xmx64m", "-XX:+UseSerialGC", src])))
            if shutil.which("node"):
                for i in range(2):
                    targets.append((f"node{i}", procs.start(["node", "-e", NODE])))
            while len(targets) < args.targets:
                targets.append((f"idle{len(targets)}", procs.start(["sleep", "3600"])))
            exp = harness.Exporter(procs, ready_timeout=60, args=[
                *(f"--pid={n}={p.pid}" for n, p in targets), "--web.enable-admin-api",
                "--collector.kubernetes", f"--kubernetes.api-url={api.url}",
                "--kubernetes.node-name=bench", "--kubernetes.token-file=",
                "--kubernetes.ca-file=", "--kubernetes.refresh-interval=5",
                "--memwatch.leak-diff=" + ("off" if args.no_diff else "mapping"),
                "--memwatch.sample-interval=0.2", "--memwatch.warmup=0",
                "--memwatch.min-cycle=0", "--memwatch.max-cycle=1",
                "--memwatch.leak-gcs=2", "--memwatch.log-stats=false"])
            pid = exp.proc.pid
            rss, scrapes, diffs = [], [], []

            def sample():
                while not stop.is_set():
                    rss.append(status_kb(pid, "VmRSS"))
                    stop.wait(1.0)

            def scrape():
                while not stop.is_set():
                    t0 = time.monotonic()
                    exp.get("/metrics", timeout=30)
                    scrapes.append(time.monotonic() - t0)
                    stop.wait(1.0)

            for fn in (sample, scrape):
                threading.Thread(target=fn, daemon=True).start()
            t_start = time.monotonic()
            time.sleep(args.seconds / 3)
            hwm_scrape = status_kb(pid, "VmHWM")
            while time.monotonic() - t_start < args.seconds:
                if args.no_diff:
                    time.sleep(1)
                    continue
                t0 = time.monotonic()
                r = harness.http("POST", exp.base + "/api/v1/heapdiff?name=big", timeout=120)
                if r.status == 200:
                    exp.get("/api/v1/heapdiff/" + json.loads(r.text)["id"], timeout=120)
                    diffs.append(time.monotonic() - t0)
                exp.get("/api/v1/events", timeout=30)
            stop.set()
            hwm = status_kb(pid, "VmHWM")
            events = json.loads(exp.get("/api/v1/events?type=leak").text)["events"]
            with_diff = sum(1 for e in events if "read_seconds" in e.get("diff", {}))
            text = exp.metrics()
            series = sum(1 for line in text.splitlines() if line and line[0] != "#")
            kube = {o: harness.metric_value(text, "memwatch_kubernetes_requests_total",
                                            outcome=o) for o in ("success", "http_error",
                                                                 "parse_error", "network_error")}
            with open(f"/proc/{targets[0][1].pid}/smaps", "rb") as f:
                smaps_mb = len(f.read()) / 1e6
    finally:
        stop.set()
        api.close()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\n{len(targets)} targets ({args.leakers} growing Python, "
          f"{sum(1 for n, _ in targets if n.startswith('jvm'))} JVMs, "
          f"{sum(1 for n, _ in targets if n.startswith('node'))} Node, the big process with "
          f"{args.mappings} mappings / smaps {smaps_mb:.0f} MB at the end), PodList of "
          f"{args.targets} pods ({api.size / 1e3:.0f} KB) every 5 s, {series} series, "
          f"{args.seconds:.0f} s\n")
    print(f"Kubernetes pod lists: {kube}; --memwatch.leak-diff="
          f"{'off' if args.no_diff else 'mapping'}\n")
    print("| phase | exporter VmHWM | VmRSS median / max over the run |")
    print("|---|---|---|")
    print(f"| first {args.seconds / 3:.0f} s: scrapes every 1 s, leak events | "
          f"{hwm_scrape / 1024:.1f} MiB | |")
    print(f"| whole run: + back-to-back mapping diffs of the big process ({len(diffs)}, "
          f"{statistics.median(diffs) if diffs else 0:.2f} s each) and {with_diff} leak "
          f"events with a mapping diff | {hwm / 1024:.1f} MiB | "
          f"{statistics.median(rss) / 1024:.1f} / {max(rss) / 1024:.1f} MiB |")
    print(f"\nscrape seconds median / max: {statistics.median(scrapes):.3f} / "
          f"{max(scrapes):.3f}")


if __name__ == "__main__":
    main()
