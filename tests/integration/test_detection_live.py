"""Leak detection on real runtimes, each source with a leaking and a steady twin.

One exporter at DEFAULT memwatch flags watches, by --pid, real processes built from
tests/workloads/: a JVM (judged by its perf data, no flag in the app), Node with
--trace-gc and Go with gctrace (their GC logs bound to the target by name), and a C
program and CPython without GC data (sampled memory). Every leaking twin must raise a
leak event from the expected source before the deadline; no steady twin may raise
one over the same window. Detection times are printed (docs/detection.md has the
benchmark with in-process reference times); nothing here asserts speed beyond the
deadline.
"""

import json
import os
import shutil
import tempfile
import time
import unittest

from tests.lib import harness
from tests.workloads import workloads as wl

DEADLINE = 300.0

# (workload, GC log wanted, expected source)
CASES = [
    ("jvm-leak-xmx256m", False, "hsperfdata"),
    ("jvm-steady-xmn2m", False, "hsperfdata"),
    ("node-leak", True, "gc_log"),
    ("node-steady", True, "gc_log"),
    ("go-leak", True, "gc_log"),
    ("go-steady", True, "gc_log"),
    ("c-leak", False, "synthetic"),
    ("c-sawtooth-30s", False, "synthetic"),
    ("python-leak", False, "synthetic"),
    ("python-steady", False, "synthetic"),
]


class DetectionLiveTest(unittest.TestCase):
    def setUp(self):
        self.procs = harness.Processes()
        self.addCleanup(self.procs.stop_all)
        self.tmp = tempfile.mkdtemp(prefix="memwatch-detect-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)

    def start_workloads(self):
        chosen = {w.name: w for w in wl.select([c[0] for c in CASES])}
        wl.build(list(chosen.values()), self.tmp)
        pids, logs = {}, {}
        for name, want_log, _ in CASES:
            w = chosen[name]
            log = os.path.join(self.tmp, name + ".gc.log") if want_log else None
            argv, env, out, err = w.command(self.tmp, log)
            sink = open(log, "ab") if log and (out or err) else None
            if sink:
                self.addCleanup(sink.close)
            p = self.procs.start(argv, env=env,
                                 stdout=sink if out else None,
                                 stderr=sink if err else subprocess_devnull())
            pids[name] = p.pid
            if log:
                logs[name] = log
        return pids, logs

    def test_leaks_found_and_twins_quiet(self):
        pids, logs = self.start_workloads()
        args = [f"--pid={n}={p}" for n, p in pids.items()]
        if logs:
            args.append("--memwatch.gc-log=" +
                        ",".join(f"{n}={p}" for n, p in logs.items()))
        args.append("--memwatch.log-stats=false")
        start = time.monotonic()
        exp = harness.Exporter(self.procs, args=args)
        leaking = {n for n, _, _ in CASES if wl.select([n])[0].leaking}
        first = {}

        def poll():
            body = json.loads(exp.get("/api/v1/events?type=leak").text)
            for e in body["events"]:
                first.setdefault(e["name"], (time.monotonic() - start, e))
            return leaking <= set(first)

        try:
            harness.wait_until(poll, timeout=DEADLINE, interval=2.0,
                               what="a leak event from every leaking twin")
        finally:
            for name, _, source in CASES:
                got = first.get(name)
                print(f"detection: {name:18} expected source {source:10} "
                      + (f"first event after {got[0]:5.0f}s from {got[1]['source']}"
                         if got else "no event"))
        for name, _, source in CASES:
            if name in leaking:
                self.assertEqual(first[name][1]["source"], source, name)
            else:
                self.assertNotIn(name, first,
                                 f"{name} raised a leak event: {first.get(name)}\n"
                                 + exp.log_text()[-3000:])
        # The runtime and the source are shown on memwatch_target_info.
        metrics = exp.metrics()
        for name, _, source in CASES:
            self.assertIsNotNone(
                harness.metric_value(metrics, "memwatch_target_info",
                                     name=name, source=source), name)


def subprocess_devnull():
    import subprocess
    return subprocess.DEVNULL


if __name__ == "__main__":
    unittest.main()
