"""The real exporter watches the real demo (demo/memwatch_demo).

Leak mode: a leak event in /api/v1/events and memwatch_leak_events_total >= 1
within LEAK_BOUND seconds. --no-leak mode: still 0 after the same number of
compactions the leak case needed at most (observed over NO_LEAK_WINDOW seconds).

Fast settings keep each case well under a minute: the demo ticks every 100 ms,
retains 8 MiB/s and collects its garbage every second; the exporter samples every
0.1 s, closes a cycle every 2 s, and counts growth above 2 MiB (above the sampling
error: at most 0.1 s x 13 MiB/s of garbage). A leak then needs about
warm-up 2 s + 6 cycles x 2 s = 14 s; the bounds leave room for a loaded machine.
"""

import json
import select
import time
import unittest

from tests.lib import harness

LEAK_BOUND = 45.0
NO_LEAK_WINDOW = 30.0

EXPORTER_FLAGS = [
    "--memwatch.sample-interval=0.1",
    "--memwatch.min-cycle=2",
    "--memwatch.max-cycle=10",
    "--memwatch.warmup=2",
    "--memwatch.min-growth=2097152",
    "--collector.process",
]

DEMO_FLAGS = ["--rate=8M", "--garbage=512K", "--gc-every=10", "--tick-ms=100"]


def value(text, metric, **labels):
    """One series of the demo target."""
    return harness.metric_value(text, metric,
                                **{"name": "demo", "source": "synthetic", **labels})


def leak_total(exp):
    return value(exp.metrics(), "memwatch_leak_events_total")


def compactions(exp):
    return value(exp.metrics(), "memwatch_heap_compactions_total") or 0


class MemwatchDemoTest(unittest.TestCase):
    def setUp(self):
        self.procs = harness.Processes()
        self.addCleanup(self.procs.stop_all)

    def start(self, *demo_args):
        demo = self.procs.start([harness.binary("demo/memwatch_demo"), *DEMO_FLAGS,
                                 *demo_args])
        exp = harness.Exporter(self.procs, args=[f"--pid=demo={demo.pid}",
                                                 *EXPORTER_FLAGS])
        return demo, exp

    def test_leak_mode_reports_a_leak(self):
        demo, exp = self.start()
        started = time.monotonic()
        try:
            harness.wait_until(lambda: (leak_total(exp) or 0) >= 1,
                               timeout=LEAK_BOUND, interval=0.25,
                               what="memwatch_leak_events_total{name=demo} >= 1")
        except AssertionError:
            print("\nexporter log:\n" + exp.log_text()[-6000:])
            raise
        elapsed = time.monotonic() - started
        r = exp.get("/api/v1/events?name=demo&type=leak")
        self.assertEqual(r.status, 200)
        events = json.loads(r.text)["events"]
        self.assertGreaterEqual(len(events), 1)
        e = events[0]
        self.assertEqual((e["event"], e["name"], e["source"]),
                         ("leak", "demo", "synthetic"))
        self.assertGreater(e["growth"], 0)
        self.assertLess(e["start"], e["end"])
        self.assertRegex(e["reason"],
                         r"^heap growth over 5 consecutive GCs \(\d+s\) - [-\d.]+ "
                         r"(mb|kb|bytes)/hr$")
        # The stats lines of the same target are served too, and `since` filters.
        stats = json.loads(exp.get("/api/v1/events?name=demo&type=stats").text)
        self.assertGreaterEqual(len(stats["events"]), 6)
        later = json.loads(exp.get(f"/api/v1/events?since={e['end'] + 1e6}").text)
        self.assertEqual(later["events"], [])
        self.assertEqual(exp.get("/api/v1/events?since=soon").status, 400)
        text = exp.metrics()
        self.assertGreater(value(text, "memwatch_leak_last_growth_bytes"), 0)
        self.assertGreater(value(text, "memwatch_gc_total", kind="full"), 0)
        self.assertIsNone(demo.poll())
        print(f"\nmemwatch demo: leak event after {elapsed:.1f}s "
              f"(bound {LEAK_BOUND:.0f}s)")

    def test_no_leak_mode_stays_quiet(self):
        demo, exp = self.start("--no-leak")
        # Judged, not merely unobserved: as many compactions as a leak needs, and
        # then the whole window.
        harness.wait_until(lambda: compactions(exp) >= 7, timeout=LEAK_BOUND,
                           interval=0.25, what="7 compactions of the demo")
        deadline = time.monotonic() + NO_LEAK_WINDOW
        while time.monotonic() < deadline:
            self.assertEqual(leak_total(exp), 0)
            time.sleep(0.5)
        self.assertEqual(json.loads(
            exp.get("/api/v1/events?type=leak").text)["events"], [])
        self.assertGreater(value(
            exp.metrics(), "memwatch_gc_total", kind="full"), 5)
        self.assertIsNone(demo.poll())

    def test_demo_exits_cleanly_on_sigterm(self):
        demo = self.procs.start([harness.binary("demo/memwatch_demo"), *DEMO_FLAGS])
        # Its first line is printed once the signal handlers are in place.
        ready, _, _ = select.select([demo.stderr], [], [], 10.0)
        self.assertTrue(ready, "demo printed nothing within 10s")
        self.assertIn(b"memwatch_demo pid=", demo.stderr.readline())
        self.assertEqual(self.procs.stop(demo), 0)


if __name__ == "__main__":
    unittest.main()
