"""Every HotSpot collector from perf data, live (issue 20): one exporter at
default flags watches, by --pid, JDK 17 JVMs running ZGC, Shenandoah and
Epsilon (tests/workloads/java, no flag in the apps). ZGC's and Shenandoah's
cycles become compactions of source hsperfdata; Epsilon is said to have no
collections and falls back to sampled memory; every judged series carries
the paging verdict gauge (0 here). About a minute.
"""

import os
import shutil
import tempfile
import unittest

from tests.lib import harness
from tests.workloads import workloads as wl

DEADLINE = 120.0
CASES = ["jvm-zgc-stress", "jvm-shenandoah-stress", "jvm-epsilon-steady"]


class ConcurrentGcLiveTest(unittest.TestCase):
    def setUp(self):
        self.procs = harness.Processes()
        self.addCleanup(self.procs.stop_all)
        self.tmp = tempfile.mkdtemp(prefix="memwatch-cgc-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)

    def test_zgc_shenandoah_epsilon(self):
        chosen = wl.select(CASES)
        wl.build(chosen, self.tmp)
        pids = {}
        for w in chosen:
            argv, env, _, _ = w.command(self.tmp)
            pids[w.name] = self.procs.start(argv, env=env).pid
        exp = harness.Exporter(
            self.procs, args=[f"--pid={n}={p}" for n, p in pids.items()] +
            ["--memwatch.log-stats=false"])

        def compactions(name):
            return harness.metric_value(
                exp.metrics(), "memwatch_heap_compactions_total", name=name,
                source="hsperfdata") or 0

        def ready():
            return (compactions("jvm-zgc-stress") >= 3 and
                    compactions("jvm-shenandoah-stress") >= 3 and
                    "no collections" in exp.log_text())

        try:
            harness.wait_until(ready, timeout=DEADLINE, interval=2.0,
                               what="ZGC and Shenandoah cycles as compactions, "
                                    "Epsilon said to have none")
        finally:
            print("concurrent gc: zgc %s, shenandoah %s compactions; log:\n%s" % (
                compactions("jvm-zgc-stress"),
                compactions("jvm-shenandoah-stress"),
                "\n".join(l for l in exp.log_text().splitlines()
                          if "target source" in l)))
        metrics = exp.metrics()
        for name in ("jvm-zgc-stress", "jvm-shenandoah-stress"):
            self.assertIsNotNone(harness.metric_value(
                metrics, "memwatch_target_info", name=name,
                source="hsperfdata"), name)
            # The verdict gauge is there, at 0, for every judged series.
            self.assertEqual(harness.metric_value(
                metrics, "memwatch_leak_verdict", name=name,
                source="hsperfdata"), 0)
            # The stress twins do not leak: no growth signal either.
            self.assertEqual(harness.metric_value(
                metrics, "memwatch_leak_events_total", name=name,
                source="hsperfdata"), 0, exp.log_text()[-3000:])
        # Epsilon: judged by sampled memory, the reason in the log.
        self.assertIsNotNone(harness.metric_value(
            metrics, "memwatch_target_info", name="jvm-epsilon-steady",
            source="synthetic"))
        self.assertIn("Epsilon: no collections", exp.log_text())


if __name__ == "__main__":
    unittest.main()
