#!/usr/bin/env python3
"""Soak test of memwatch_exporter: many scrapes while targets come and go.

    scripts/soak [--requests N] [--connections C] [--idle I] [--warmup W]
                 [--max-seconds S] [--out FILE]

Starts the built exporter (bazel-bin, optimized by default) on 127.0.0.1 on a
free port, watching itself (--self), a --match target whose processes are
started and stopped all the time by a background loop, three --pid targets
that exit during the run and a --pidfile target restarted every few seconds.
Holds I idle TCP connections open (reopened whenever the server closes them),
probes /-/healthy every 2 s on a fresh connection, samples the exporter's RSS
every 2 s, then runs wrk: W warm-up scrapes of /metrics, then N scrapes with C
connections. At the end reads the exporter's own leak events from
/api/v1/events?type=leak&name=self, stops everything it started by PID and
prints (and with --out writes) a Markdown report.

Bounded: wrk stops each thread after its share of the requests, and every wrk
run is also capped at --max-seconds. Exit status 0 only if no request failed
or answered non-200, RSS at the end is within 1 MiB of RSS after warm-up, the
exporter reported no leak about itself and every health probe answered 200.
"""

import argparse
import datetime
import http.client
import json
import os
import platform
import random
import re
import selectors
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from soak_load import (  # noqa: E402
    ROOT,
    MIB,
    WRK_LUA,
    free_port,
    http_get,
    rss_bytes,
    memory_breakdown,
    fmt_breakdown,
    DEGRADED,
    fresh_connection_scrapes,
    machine,
    Children,
    Churn,
    IdleConnections,
    Sampler,
    run_wrk,
    fmt_ms,
)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=200000,
                    help="scrapes of /metrics in all, warm-up included (default 200000)")
    ap.add_argument("--connections", type=int, default=64,
                    help="concurrent wrk connections (default 64)")
    ap.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    ap.add_argument("--idle", type=int, default=300,
                    help="idle connections held open during the run (default 300)")
    ap.add_argument("--warmup", type=int, default=10000,
                    help="first scrapes, before the baseline RSS (default 10000)")
    ap.add_argument("--spread-rounds", type=int, default=10,
                    help="at most this many warm-up rounds of one fresh-connection scrape per "
                         "worker thread, before the keep-alive warm-up (default 10; 0: none)")
    ap.add_argument("--max-seconds", type=int, default=1800,
                    help="time cap of all wrk runs together (default 1800)")
    ap.add_argument("--sample-interval", type=float, default=2.0,
                    help="seconds between RSS samples / health probes (default 2)")
    ap.add_argument("--exporter-flag", action="append", default=[],
                    help="extra exporter flag (repeatable), e.g. --exporter-flag=--web.max-threads=128")
    ap.add_argument("--out", help="write the Markdown report here (e.g. docs/reliability.md)")
    args = ap.parse_args()
    for name in ("requests", "connections", "threads", "max_seconds"):
        if getattr(args, name) < 1:
            ap.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.spread_rounds < 0:
        ap.error("--spread-rounds must be 0 or more")
    if args.idle < 0 or args.warmup < 0 or args.warmup >= args.requests:
        ap.error("--idle must be 0 or more, --warmup 0 or more and below --requests")
    if args.connections < args.threads:
        ap.error("--connections must be at least --threads")
    if not shutil.which("wrk"):
        sys.exit("soak: wrk is not installed (apt-get install -y wrk)")
    base = os.environ.get("MEMWATCH_BAZEL_BIN", os.path.join(ROOT, "bazel-bin"))
    exe = os.path.join(base, "exporter", "memwatch_exporter")
    if not os.access(exe, os.X_OK):
        sys.exit(f"soak: {exe} is not built (bazel build //exporter:memwatch_exporter)")

    started_at = datetime.datetime.now(datetime.timezone.utc)
    tmp = tempfile.mkdtemp(prefix="mwsoak.")
    children = Children()
    stop = threading.Event()
    port = free_port()
    # Each open connection holds a civetweb worker thread (idle ones up to the
    # 5 s header timeout): threads for wrk + idle + headroom. Requests in
    # handlers are capped by --web.max-requests (default 40 → 503 beyond):
    # raised above the wrk concurrency, since a 503 would count as a failure.
    max_threads = min(1024, args.connections + args.idle + 64)
    max_requests = args.connections + 16
    churn_exe = os.path.join(tmp, "mwsoak_churn")
    pidf_exe = os.path.join(tmp, "mwsoak_pidf")
    pid_exe = os.path.join(tmp, "mwsoak_pid")
    sleep = shutil.which("sleep")
    for dst in (churn_exe, pidf_exe, pid_exe):
        shutil.copy(sleep, dst)  # comm = file name, for the --match matcher
    pidfile = os.path.join(tmp, "soakpidf.pid")
    lua = os.path.join(tmp, "soak.lua")
    with open(lua, "w", encoding="utf-8") as f:
        f.write(WRK_LUA)
    log_path = os.path.join(tmp, "exporter.log")
    log = open(log_path, "wb")
    try:
        # --pid targets exit during the run (after 10 s, 40 s, 120 s).
        pid_procs = [children.start([pid_exe, str(s)]) for s in (10, 40, 120)]
        churn = Churn(children, churn_exe, pidf_exe, pidfile, stop)
        churn.restart_pidfile_target(None)  # the pidfile exists before start
        exporter_args = [
            f"--web.listen-address=127.0.0.1:{port}",
            f"--web.max-threads={max_threads}",
            f"--web.max-requests={max_requests}",
            "--self",
            "--match", "name=churn,comm=mwsoak_churn",
            f"--pidfile=pidf={pidfile}",
        ] + [f"--pid=pid{i}={p.pid}" for i, p in enumerate(pid_procs)] \
          + args.exporter_flag
        exporter = children.start([exe] + exporter_args, stderr=log)
        deadline = time.monotonic() + 30
        while True:
            if exporter.poll() is not None:
                raise RuntimeError(f"exporter exited {exporter.returncode}: "
                                   + open(log_path, encoding="utf-8", errors="replace").read()[-2000:])
            try:
                if http_get(f"http://127.0.0.1:{port}/-/ready", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("exporter not ready after 30 s")
            time.sleep(0.1)
        t_start = time.monotonic()
        sampler = Sampler(exporter.pid, port, args.sample_interval, stop)
        idle = IdleConnections(port, args.idle, stop)
        churn.start()
        idle.start()
        sampler.start()
        if args.idle:
            end = time.monotonic() + 30
            while idle.open_now < args.idle and time.monotonic() < end:
                time.sleep(0.1)
        print(f"soak: exporter pid {exporter.pid} on 127.0.0.1:{port}, "
              f"{idle.open_now} idle connections open", flush=True)

        try:
            with open(f"/proc/{exporter.pid}/environ", "rb") as f:
                env = dict(kv.split(b"=", 1) for kv in f.read(1 << 20).split(b"\0") if b"=" in kv)
            tunables = env.get(b"GLIBC_TUNABLES", b"").decode("utf-8", "replace")
        except OSError:
            tunables = ""
        # Warm-up 1: every worker thread serves scrapes (fresh connections go
        # to the idle workers in turn), round after round, until a round adds
        # less than 64 KiB of RSS: per-thread memory (stack pages a scrape
        # touches) is then all there before the baseline.
        sampler.phase = "warmup"
        spread = {"rounds": 0, "scrapes": 0, "bad": [], "rss": []}
        prev = rss_bytes(exporter.pid)[0]
        for rnd in range(args.spread_rounds):
            ok_n, bad = fresh_connection_scrapes(port, max_threads)
            spread["rounds"] += 1
            spread["scrapes"] += ok_n + len(bad)
            spread["bad"] += bad
            cur = rss_bytes(exporter.pid)[0]
            spread["rss"].append(cur)
            print(f"soak: warm-up round {rnd + 1}: {ok_n} fresh-connection scrapes, "
                  f"RSS {cur / MIB:.2f} MiB", flush=True)
            if rnd >= 1 and cur - prev < 64 * 1024:
                break
            prev = cur
        warm = None
        if args.warmup:
            warm = run_wrk(port, args.warmup, args.connections, args.threads,
                           args.max_seconds, lua, "/metrics")
            # Each wrk thread stops after its share: a few over the total.
            print(f"soak: warm-up {int(warm['requests'])} scrapes in {warm['wall']:.1f} s",
                  flush=True)
        sampler.phase = "run"
        rss_warm = sampler.sample()[0]
        mem_warm = memory_breakdown(exporter.pid)
        t_run = time.monotonic()
        done_warm = (int(warm["requests"]) if warm else 0) + spread["scrapes"]
        left = max(1, args.max_seconds - (warm["wall"] if warm else 0))
        main_run = run_wrk(port, max(1, args.requests - done_warm), args.connections,
                           args.threads, left, lua, "/metrics")
        rss_end = sampler.sample()[0]
        mem_end = memory_breakdown(exporter.pid)
        t_end = time.monotonic()
        print(f"soak: {int(main_run['requests'])} scrapes in {main_run['wall']:.1f} s", flush=True)

        status, body = http_get(f"http://127.0.0.1:{port}/api/v1/events?type=leak&name=self")
        self_leaks = len(json.loads(body)["events"]) if status == 200 else None
        status_all, body_all = http_get(f"http://127.0.0.1:{port}/api/v1/events?type=leak")
        all_leaks = json.loads(body_all)["events"] if status_all == 200 else []
        _, metrics = http_get(f"http://127.0.0.1:{port}/metrics")
        mtext = metrics.decode("utf-8", "replace")
        m = re.search(r'^memwatch_leak_events_total\{[^}]*name="self"[^}]*\} (\S+)', mtext, re.M)
        self_leak_metric = float(m.group(1)) if m else None
        m = re.search(r'^memwatch_heap_compactions_total\{[^}]*name="self"[^}]*\} (\S+)',
                      mtext, re.M)
        self_compactions = float(m.group(1)) if m else None
        stop.set()
        for t in (churn, idle, sampler):
            t.join(timeout=15)
        exit_code = children.stop(exporter)
    finally:
        stop.set()
        children.stop_all()
        log.close()

    run_samples = [s for s in sampler.samples if s[3] == "run"]
    rss_vals = [s[1] for s in run_samples] or [rss_warm, rss_end]
    thr_vals = [s[2] for s in run_samples] or [0]
    total = int(main_run["requests"]) + (int(warm["requests"]) if warm else 0) \
        + spread["scrapes"]
    failed = sum(int(main_run[k]) for k in ("connect", "read", "write", "timeout"))
    non200 = int(main_run["non200"])
    degraded = int(main_run["degraded"])
    failed += sum(1 for b in spread["bad"] if not b.isdigit())
    non200 += sum(1 for b in spread["bad"] if b.isdigit())
    degraded += sum(1 for b in spread["bad"] if b.startswith("200"))
    failed -= sum(1 for b in spread["bad"] if b.startswith("200"))
    if warm:
        failed += sum(int(warm[k]) for k in ("connect", "read", "write", "timeout"))
        non200 += int(warm["non200"])
        degraded += int(warm["degraded"])
    delta = rss_end - rss_warm
    checks = {
        "requests": total >= args.requests,
        "failed": failed == 0,
        "non200": non200 == 0,
        "degraded": degraded == 0,
        "rss": abs(delta) <= MIB,
        "self_leaks": self_leaks == 0,
        "probes": not sampler.probe_failures,
        "exit": exit_code == 0,
    }
    ok = all(checks.values())
    mach = machine()
    cmd = "scripts/soak " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    log_tail = open(log_path, encoding="utf-8", errors="replace").read().splitlines()
    warn_lines = [l for l in log_tail if "level=warn" in l or "level=error" in l]
    rate = main_run["requests"] / (main_run["duration_us"] / 1e6)
    mark = lambda c: "ok" if checks[c] else "**FAIL**"
    lines = [
        "# Reliability: soak test",
        "",
        f"`{cmd}` — run {started_at.strftime('%Y-%m-%d %H:%M UTC')} on "
        f"{mach['nproc']} CPUs ({mach['cpu']}), kernel {mach['kernel']}, "
        f"load average at the end {mach['load'][0]:.1f} (the machine was shared "
        "with other builds). Optimized build (`bazel build //exporter:memwatch_exporter`).",
        "",
        "## Setup",
        "",
        f"- exporter on 127.0.0.1:<free port>: `memwatch_exporter "
        + " ".join(shlex.quote(a) for a in exporter_args).replace(str(port), "PORT")
        .replace(tmp, "$TMP") + "`;",
        f"- `--web.max-threads={max_threads}` (connections + idle + 64: civetweb holds a "
        f"thread per open connection) and `--web.max-requests={max_requests}` (the default "
        "40 would answer 503 to part of 64 concurrent scrapes, by design)"
        + (f"; then the extra flags `{' '.join(args.exporter_flag)}` (the last value wins)"
           if args.exporter_flag else "") + ";",
        f"- churn: a new `mwsoak_churn` process (a copy of `sleep`, matched by "
        f"`comm`) every 0.25 s living 0.2–4 s — {churn.started} started; the "
        f"`--pidfile` target killed and restarted every 3 s — {churn.pidfile_restarts} "
        "restarts; three `--pid` targets that exit after 10 s, 40 s and 120 s;",
        f"- {args.idle} idle TCP connections (never send a byte) held open for the whole run: "
        f"the server closes each after its 5 s header timeout and the script reopens it — "
        f"{idle.opened} opened, {idle.closed_by_server} closed by the server, "
        f"{idle.connect_errors} connect errors;",
        f"- `/-/healthy` probed every {args.sample_interval:g} s on a fresh connection: "
        f"{sampler.probes} probes, {len(sampler.probe_failures)} failed, slowest "
        f"{sampler.probe_max * 1000:.0f} ms; RSS of the exporter read from "
        f"`/proc/<pid>/status` every {args.sample_interval:g} s;",
        f"- exporter environment `GLIBC_TUNABLES={tunables}` (set by the exporter itself, "
        "see the notes);",
        f"- warm-up, 1: rounds of {max_threads} `GET /metrics` on fresh connections (one "
        "per worker thread; civetweb hands a new connection to an idle worker), 16 at a "
        "time, until a round adds less than 64 KiB of RSS (at most "
        f"{args.spread_rounds} rounds): {spread['rounds']} rounds, {spread['scrapes']} "
        f"scrapes, {len(spread['bad'])} failed; RSS after each round "
        + " ".join(f"{r / MIB:.2f}" for r in spread["rss"]) + " MiB;",
        f"- warm-up, 2 and the measured run: wrk {args.threads} threads × "
        f"{args.connections} connections, keep-alive, `GET /metrics` (no gzip): the first "
        f"{args.warmup} scrapes are the warm-up, the latency figures are those of the rest "
        "(a Lua script stops each wrk thread after its share; all runs together capped at "
        f"{args.max_seconds} s). The baseline RSS is read when the warm-up is over, with "
        "no scrape in flight; the end RSS likewise after the last scrape.",
        "",
        "## Results",
        "",
        "| measure | value | check |",
        "|---|---|---|",
        f"| scrapes | {total} in all: {spread['scrapes']} + "
        f"{int(warm['requests']) if warm else 0} warm-up, then "
        f"{int(main_run['requests'])} in {main_run['duration_us'] / 1e6:.1f} s ({rate:.0f}/s) "
        f"| {mark('requests')} (≥ {args.requests}) |",
        f"| failed requests (connect/read/write/timeout) | {failed} | {mark('failed')} |",
        f"| non-200 answers | {non200} | {mark('non200')} |",
        f"| 200 answers with a failed or timed-out collector "
        f"(`memwatch_scrape_collector_success` 0) | {degraded} | {mark('degraded')} |",
        f"| latency p50 / p90 / p99 / p99.9 / max | {fmt_ms(main_run['p50_us'])} / "
        f"{fmt_ms(main_run['p90_us'])} / {fmt_ms(main_run['p99_us'])} / "
        f"{fmt_ms(main_run['p999_us'])} / {fmt_ms(main_run['max_us'])} | |",
        f"| RSS after warm-up | {rss_warm / MIB:.2f} MiB ({rss_warm} B) | |",
        f"| RSS at the end | {rss_end / MIB:.2f} MiB ({rss_end} B), "
        f"Δ {delta / 1024:+.0f} KiB | {mark('rss')} (within 1 MiB) |",
        f"| anonymous memory after warm-up | {fmt_breakdown(mem_warm)} | |",
        f"| anonymous memory at the end | {fmt_breakdown(mem_end)} | |",
        f"| RSS min / max during the run ({len(run_samples)} samples) | "
        f"{min(rss_vals) / MIB:.2f} / {max(rss_vals) / MIB:.2f} MiB | |",
        f"| exporter threads min / max | {min(thr_vals)} / {max(thr_vals)} | |",
        f"| leak events about itself (`/api/v1/events?type=leak&name=self`) | "
        f"{self_leaks} (metric `memwatch_leak_events_total{{name=\"self\"}}` = "
        f"{self_leak_metric if self_leak_metric is not None else 'absent'}; {self_compactions if self_compactions is not None else 'n/a'} "
        f"heap compactions seen) | {mark('self_leaks')} |",
        f"| leak events about any target | {len(all_leaks)} | |",
        f"| health probes during the run | {sampler.probes - len(sampler.probe_failures)}"
        f"/{sampler.probes} answered 200, slowest {sampler.probe_max * 1000:.0f} ms "
        f"| {mark('probes')} |",
        f"| exporter exit on SIGTERM | {exit_code} | {mark('exit')} |",
        f"| warn/error log lines | {len(warn_lines)} | |",
        "",
        f"Overall: **{'PASS' if ok else 'FAIL'}**.",
        "",
        "RSS samples over the measured run (MiB, every "
        f"{args.sample_interval:g} s): "
        + " ".join(f"{s[1] / MIB:.2f}" for s in run_samples[:: max(1, len(run_samples) // 40)]),
        "",
    ]
    if all_leaks:
        lines += ["Leak events seen:", "", "```"] + [json.dumps(e) for e in all_leaks[:10]] + ["```", ""]
    if warn_lines:
        lines += ["First warn/error log lines:", "", "```"] + warn_lines[:10] + ["```", ""]
    report = "\n".join(lines)
    print(report)
    if args.out:
        # Hand-written analysis below "## Notes" in the old report is kept.
        notes = ""
        try:
            with open(args.out, encoding="utf-8") as f:
                old = f.read()
            if "\n## Notes\n" in old:
                notes = old[old.index("\n## Notes\n") + 1:]
        except OSError:
            pass
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(report + ("\n" + notes if notes else ""))
        print(f"soak: wrote {args.out}")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
