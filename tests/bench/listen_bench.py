#!/usr/bin/env python3
"""Scrape time by listener: the plain IPv4 path (civetweb directly) against a
binary given as --before (e.g. main's), and this build on 127.0.0.1, on [::1]
and on TLS (both relayed by exporter/front.cc).

    python3 tests/bench/listen_bench.py [--before PATH] [--scrapes 300]

Each exporter watches itself (--self) on a free loopback port; the scrapes run
alternately over one kept-alive connection per exporter, so machine noise
hits every variant alike. Prints a Markdown table (ms per scrape). Figures,
never assertions; everything started is stopped by pid.
"""

import argparse
import http.client
import os
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
from tests.integration.test_web_security import make_certs  # noqa: E402
from tests.lib import harness  # noqa: E402


def start(procs, binary, host, port, extra=()):
    cmd = [binary, f"--web.listen-address={host}:{port}", "--self", *extra]
    p = procs.start(cmd)
    return p


def connection(host, port, tls_dir=None):
    h = host.strip("[]")
    if tls_dir:
        ctx = ssl.create_default_context(cafile=os.path.join(tls_dir, "ca.crt"))
        return http.client.HTTPSConnection(h, port, timeout=10, context=ctx)
    return http.client.HTTPConnection(h, port, timeout=10)


def scrape(conn):
    t0 = time.perf_counter()
    conn.request("GET", "/metrics")
    r = conn.getresponse()
    r.read()
    assert r.status == 200, r.status
    return (time.perf_counter() - t0) * 1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", help="an older memwatch_exporter binary")
    ap.add_argument("--scrapes", type=int, default=300)
    args = ap.parse_args()
    now = harness.binary("exporter/memwatch_exporter")
    tls_dir = tempfile.mkdtemp(prefix="memwatch-bench-tls-")
    make_certs(tls_dir)
    web = os.path.join(tls_dir, "web.yml")
    with open(web, "w") as f:
        f.write("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n")
    variants = []
    if args.before:
        variants.append(("before: 127.0.0.1 (civetweb)", args.before, "127.0.0.1", (), None))
    variants += [
        ("now: 127.0.0.1 (civetweb)", now, "127.0.0.1", (), None),
        ("now: [::1] (relayed)", now, "[::1]", (), None),
        ("now: 127.0.0.1 TLS (relayed)", now, "127.0.0.1",
         (f"--web.config.file={web}",), tls_dir),
    ]
    with harness.Processes() as procs:
        conns, times = [], []
        for name, binary, host, extra, tls in variants:
            port = harness.free_port()
            start(procs, binary, host, port, extra)
            conn = connection(host, port, tls)
            harness.wait_until(lambda: scrape(connection(host, port, tls)) > 0,
                               timeout=20, what=name)
            for _ in range(20):  # warm-up
                scrape(conn)
            conns.append(conn)
            times.append([])
        for _ in range(args.scrapes):
            for conn, t in zip(conns, times):
                t.append(scrape(conn))
    shutil.rmtree(tls_dir, ignore_errors=True)
    print(f"| listener | p50 ms | p90 ms | mean ms |  ({args.scrapes} scrapes each, "
          f"kept-alive, interleaved)")
    print("|---|---|---|---|")
    for (name, *_), t in zip(variants, times):
        t.sort()
        print(f"| {name} | {statistics.median(t):.2f} | {t[int(len(t) * 0.9)]:.2f} "
              f"| {statistics.mean(t):.2f} |")


if __name__ == "__main__":
    main()
