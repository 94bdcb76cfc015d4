#!/usr/bin/env python3
"""detect-bench: how fast does memwatch_exporter report a leak, per runtime?

For each twin workload (tests/workloads/) it starts the workload with its
runtime's GC log enabled and a memwatch_exporter at DEFAULT flags watching it
(`--pid NAME=PID`, plus `--memwatch.gc-log=NAME=LOG` for runtimes with a GC
log), polls /api/v1/events?type=leak once a second, and records when the first
leak event of each source appears. The in-process reference applies memwatch's
rule (5 growing compactions, `replay --compactions` at default flags) to the
runtime's own heap-after-GC series: every Mark-Compact (Node), every GC (JVM,
Go), every gc.callbacks stop (CPython). Non-leaking twins run the whole window
and count false events. Results go to docs/detection.md (or --out).

A benchmark, not a test: never run by scripts/test. Python stdlib only.
"""

import argparse
import json
import os
import platform
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tests", "lib"))
sys.path.insert(0, os.path.join(REPO, "tests", "workloads"))
import harness  # noqa: E402
import workloads as wl  # noqa: E402

MAX_LOG = 256 << 20  # never read more than this of a GC log
MIB = 1 << 20
UNITS = {"B": 1, "K": 1 << 10, "M": MIB, "G": 1 << 30}
# CPython: allocated blocks -> bytes (pymalloc blocks of these small strings
# and tuples are 64-80 bytes; the reference only needs a consistent scale).
PY_BLOCK_BYTES = 64

NODE_RE = re.compile(
    r"\s(\d+(?:\.\d+)?) ms: (?:Mark-Compact|Mark-sweep)\b.*?"
    r"(\d+(?:\.\d+)?) \(\d+(?:\.\d+)?\) -> (\d+(?:\.\d+)?) \(")
JVM_RE = re.compile(
    r"^\[(\d+(?:\.\d+)?)s\].*?\bGC\((\d+)\) .*?"
    r"(\d+(?:\.\d+)?)([BKMG])->(\d+(?:\.\d+)?)([BKMG])\(\d+(?:\.\d+)?[BKMG]\)")
GO_RE = re.compile(r"^gc \d+ @(\d+(?:\.\d+)?)s .*?(\d+)->(\d+)->(\d+) MB")
PY_RE = re.compile(r"^(\d+(?:\.\d+)?),(\d+),(\d)$")


def read_bounded(path):
    try:
        with open(path, "rb") as f:
            return f.read(MAX_LOG).decode("utf-8", "replace")
    except OSError:
        return ""


def heap_after_series(kind, text):
    """[(seconds since the process started, heap bytes after the GC)]."""
    rows = []
    if kind == "node":
        for line in text.splitlines():
            m = NODE_RE.search(line)
            if m:
                rows.append((float(m.group(1)) / 1000, float(m.group(3)) * MIB))
    elif kind == "jvm":
        by_id = {}  # one row per GC id: Remark/Cleanup pauses share the id
        for line in text.splitlines():
            m = JVM_RE.search(line)
            if m:
                by_id[int(m.group(2))] = (
                    float(m.group(1)), float(m.group(5)) * UNITS[m.group(6)])
        rows = [by_id[k] for k in sorted(by_id)]
    elif kind == "go":
        for line in text.splitlines():
            m = GO_RE.search(line)
            if m:
                rows.append((float(m.group(1)), float(m.group(4)) * MIB))
    elif kind == "python":
        for line in text.splitlines():
            m = PY_RE.match(line.strip())
            if m:
                rows.append((float(m.group(1)),
                             float(m.group(2)) * PY_BLOCK_BYTES))
    rows.sort(key=lambda r: r[0])
    return rows


def reference(exporter, kind, log_path, out_csv):
    """(first leak time or None, leak events, compactions) by memwatch's rule."""
    rows = heap_after_series(kind, read_bounded(log_path))
    with open(out_csv, "w") as f:
        f.write("time,heap_after\n")
        for t, h in rows:
            f.write(f"{t:.3f},{h:.0f}\n")
    r = subprocess.run([exporter, "replay", "--compactions", "--no-stats",
                        "--input", out_csv], capture_output=True, text=True,
                       timeout=120)
    if r.returncode != 0:
        raise RuntimeError(f"replay of {out_csv} failed: {r.stderr.strip()}")
    first, leaks = None, 0
    for line in r.stdout.splitlines():
        try:
            j = json.loads(line)
        except ValueError:
            continue
        if j.get("event") == "leak":
            leaks += 1
            if first is None:
                first = float(j["time"])
    return first, leaks, len(rows)


class Run:
    """One workload, its GC log and the exporter watching it."""

    def __init__(self, w, procs, exporter, bin_dir, log_dir, window):
        self.w, self.procs, self.window = w, procs, window
        self.dir = os.path.join(log_dir, w.name)
        os.makedirs(self.dir)
        self.gc_log = os.path.join(self.dir, "gc.log") if w.gc_log else None
        argv, env, to_out, to_err = w.command(bin_dir, self.gc_log)
        if self.gc_log:
            open(self.gc_log, "w").close()  # exists before the exporter looks
        self._files = []
        out = err = subprocess.DEVNULL
        if to_out:
            out = self._open(self.gc_log)
        if to_err:
            err = self._open(self.gc_log)
        if not to_err:
            err = self._open(os.path.join(self.dir, "workload.stderr"))
        self.start = time.time()
        self.proc = procs.start(argv, env=env, stdout=out, stderr=err)
        self.port = harness.free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        cmd = [exporter, f"--web.listen-address=127.0.0.1:{self.port}",
               f"--pid={w.name}={self.proc.pid}"]
        if self.gc_log and w.exporter_reads_log:
            cmd.append(f"--memwatch.gc-log={w.name}={self.gc_log}")
        self.exporter_cmd = cmd
        self.exporter_log = os.path.join(self.dir, "exporter.log")
        self.exporter = procs.start(cmd, stderr=self._open(self.exporter_log))
        self.first = {}      # source -> seconds from workload start (polled)
        self.counts = {}     # source -> leak events seen
        self.sources = set()  # sources that produced any event
        self.exited = None   # workload exit (code, seconds) if it died early
        self.exporter_died = None  # exporter exit (code, seconds) if it did
        self.done = False

    def _open(self, path):
        f = open(path, "ab")
        self._files.append(f)
        return f

    def poll(self):
        now = time.time()
        if self.exporter.poll() is not None:
            # Killed from outside (a shared machine): keep what was measured,
            # mark the row, and let the other runs go on.
            self.exporter_died = (self.exporter.returncode, now - self.start)
            print(f"  {self.w.name}: exporter exited {self.exporter.returncode} "
                  f"at {now - self.start:.0f} s; see {self.exporter_log}",
                  file=sys.stderr, flush=True)
            self.done = True
            return True
        if self.exited is None and self.proc.poll() is not None:
            self.exited = (self.proc.returncode, now - self.start)
        try:
            for typ in ("leak", "stats"):
                r = harness.get(f"{self.base}/api/v1/events?type={typ}"
                                f"&name={self.w.name}", timeout=5)
                if r.status != 200:
                    continue
                events = json.loads(r.text).get("events", [])
                for e in events:
                    src = e.get("source", "?")
                    self.sources.add(src)
                if typ == "leak":
                    counts = {}
                    for e in events:
                        src = e.get("source", "?")
                        counts[src] = counts.get(src, 0) + 1
                        self.first.setdefault(src, now - self.start)
                    self.counts = counts
        except (OSError, ValueError):
            pass  # not listening yet, or busy: next poll
        elapsed = now - self.start
        if elapsed >= self.window:
            self.done = True
        elif self.w.leaking and "synthetic" in self.first and \
                self.sources <= set(self.first):
            self.done = True  # every source has reported: nothing left to time
        elif self.exited and elapsed > self.exited[1] + 10:
            self.done = True
        return self.done

    def finish(self):
        self.elapsed = time.time() - self.start
        self.procs.stop(self.exporter)
        self.procs.stop(self.proc)
        for f in self._files:
            f.close()


def fmt_s(x):
    return "—" if x is None else f"{x:.0f} s"


def machine():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({model}), Linux {platform.release()}"


def main():
    ap = argparse.ArgumentParser(
        prog="scripts/detect-bench",
        description="Time to first leak event of memwatch_exporter vs the "
                    "in-process reference, per runtime (see docs/detection.md).")
    ap.add_argument("--minutes", type=float, default=15,
                    help="window per workload (default 15)")
    ap.add_argument("--only", default="",
                    help="runtimes (node,jvm,go,python,c) or workload names")
    ap.add_argument("--jobs", type=int, default=0,
                    help="workloads run at once (default 0 = all)")
    ap.add_argument("--out", default=os.path.join(REPO, "docs", "detection.md"))
    ap.add_argument("--title", default="", help="a line under the heading")
    a = ap.parse_args()
    if a.minutes <= 0 or a.jobs < 0:
        ap.error("--minutes must be > 0 and --jobs >= 0")
    try:
        chosen = wl.select([s for s in a.only.split(",") if s])
        exporter = harness.binary("exporter/memwatch_exporter")
    except (ValueError, RuntimeError) as e:
        print(f"detect-bench: {e}", file=sys.stderr)
        return 2
    log_dir = tempfile.mkdtemp(prefix="detect-bench-")
    bin_dir = os.path.join(log_dir, "bin")
    os.makedirs(bin_dir)
    print(f"detect-bench: logs in {log_dir}", flush=True)
    wl.build(chosen, bin_dir)
    window = a.minutes * 60
    jobs = a.jobs or len(chosen)
    pending, running, finished = list(chosen), [], []
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    began = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    began += " (load average %.1f at start)" % os.getloadavg()[0]
    with harness.Processes() as procs:
        try:
            while (pending or running) and not stop:
                while pending and len(running) < jobs:
                    w = pending.pop(0)
                    running.append(Run(w, procs, exporter, bin_dir, log_dir, window))
                    print(f"  started {w.name} (pid {running[-1].proc.pid})", flush=True)
                    time.sleep(1)  # stagger start-ups on a small machine
                for r in list(running):
                    if r.poll():
                        r.finish()
                        running.remove(r)
                        finished.append(r)
                        print(f"  {r.w.name}: {r.counts or 'no'} leak events "
                              f"after {r.elapsed:.0f} s", flush=True)
                time.sleep(1)
        except KeyboardInterrupt:
            stop.append(1)
        for r in running:
            r.finish()
            finished.append(r)
    if stop:
        print("detect-bench: interrupted; partial results", file=sys.stderr)

    rows = []
    for r in sorted(finished, key=lambda r: chosen.index(r.w)):
        ref_t = ref_n = None
        ncomp = 0
        if r.gc_log:
            ref_t, ref_n, ncomp = reference(exporter, r.w.gc_log, r.gc_log,
                                            os.path.join(r.dir, "reference.csv"))
        sources = sorted(r.sources | set(r.first) | {"synthetic"})
        if r.gc_log and r.w.exporter_reads_log:
            sources = sorted(set(sources) | {"gc_log"})
        for src in sources:
            rows.append((r, src, r.first.get(src), r.counts.get(src, 0),
                         ref_t, ref_n, ncomp))
    write_doc(a, rows, began, exporter, log_dir)
    print(f"detect-bench: wrote {a.out}; exporter logs, GC logs and reference "
          f"series in {log_dir}", flush=True)
    return 0


def write_doc(a, rows, began, exporter, log_dir):
    version = subprocess.run([exporter, "--version"], capture_output=True,
                             text=True).stdout.strip()
    cmd = "scripts/detect-bench " + " ".join(shlex.quote(x) for x in sys.argv[1:])
    lines = [
        "# Leak detection speed, per runtime",
        "",
    ]
    if a.title:
        lines += [a.title, ""]
    lines += [
        "Produced by `scripts/detect-bench` (tests/bench/detect_bench.py): each twin",
        "workload of `tests/workloads/` runs with its runtime's GC log on and one",
        "memwatch_exporter at **default flags** watching it (`--pid NAME=PID`, plus",
        "`--memwatch.gc-log=NAME=LOG` where the runtime writes a GC log: Node",
        "`--trace-gc` stdout, JVM `-Xlog:gc:file=`, Go `GODEBUG=gctrace=1` stderr,",
        "CPython one line per `gc.callbacks` stop, used only for the reference).",
        "One row per exporter source (`synthetic` = sampled RssAnon; `gc_log` =",
        "the followed GC log, Node/JVM/Go; others as the exporter reports them).",
        "",
        "- **time to first event**: seconds from the workload's start until the",
        "  source's first leak event appears in `/api/v1/events?type=leak` (polled",
        "  every second); `none in N s` when it never did;",
        "- **reference**: memwatch's in-process rule (5 growing compactions,",
        "  `memwatch_exporter replay --compactions` at default flags) on the",
        "  runtime's own heap-after-GC series: every Mark-Compact (Node), every GC",
        "  (JVM, Go: heap after, 1 MB resolution), every `gc.callbacks` stop",
        f"  (CPython: allocated blocks × {PY_BLOCK_BYTES} B), seconds from the process",
        "  start on the runtime's clock; `—` when the runtime has no GC (C);",
        "- **ratio**: time to first event / reference;",
        "- **false events**: leak events of the source on a non-leaking twin during",
        "  the whole window (the reference's own count in brackets).",
        "",
        "| workload | leaks | source | time to first event | reference | ratio | false events | GCs in reference |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r, src, first, count, ref_t, ref_n, ncomp in rows:
        window = f"none in {r.elapsed:.0f} s"
        if r.w.leaking:
            t = fmt_s(first) if first is not None else window
            ref = fmt_s(ref_t) if ref_t is not None else (
                "none" if r.gc_log else "—")
            if first is not None and ref_t:
                ratio = f"{first / ref_t:.1f}"
            elif ref_t:
                ratio = f"> {r.elapsed / ref_t:.1f}"  # the window bounds it
            else:
                ratio = "—"
            false = "—"
        else:
            t = "—"
            ref = "—"
            ratio = "—"
            false = str(count) + (f" ({ref_n})" if r.gc_log else "")
            if count:
                false += f", first at {first:.0f} s"
        note = ""
        if r.exited:
            note = f" (exited {r.exited[0]} at {r.exited[1]:.0f} s)"
        if r.exporter_died:
            note += (f" (exporter exited {r.exporter_died[0]} at "
                     f"{r.exporter_died[1]:.0f} s)")
        lines.append(f"| {r.w.name}{note} | {'yes' if r.w.leaking else 'no'} | "
                     f"{src} | {t} | {ref} | {ratio} | {false} | "
                     f"{ncomp if r.gc_log else '—'} |")
    lines += [
        "",
        "Workloads:",
        "",
    ]
    seen = set()
    for r, *_ in rows:
        if r.w.name not in seen:
            seen.add(r.w.name)
            lines.append(f"- `{r.w.name}`: {r.w.note}.")
    lines += [
        "",
        f"- machine: {machine()}",
        f"- date: {began}; window {a.minutes:g} min per non-leaking twin "
        "(leaking twins stop once every source reported)",
        f"- exporter: {version}",
        f"- command: `` {cmd} ``",
        "- the machine was shared with other builds while this ran; times are",
        "  dominated by the detector's cycles, not by CPU, but treat ±1 cycle as noise.",
        "",
    ]
    with open(a.out, "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
