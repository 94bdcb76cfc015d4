"""The process collector end to end on the checked-in fixture /proc tree.

Runs the built exporter with --path.procfs and --path.cgroupfs pointing at
tests/fixtures, so every value is known in advance (fixture pid 100 carries
the golden values of docs/semantics.md §1).

    python3 -m unittest tests.integration.test_process_fixture -v
"""

import json
import os
import unittest

from tests.lib import harness
from tests.lib.harness import Exporter, Processes, parse_metrics

FIXTURES = os.path.join(harness.REPO, "tests", "fixtures")
# The fixture is written for HZ=100 and 4 KiB pages (x86-64, arm64 defaults).
PAGE = os.sysconf("SC_PAGESIZE")
HZ = os.sysconf("SC_CLK_TCK")


def series(text, metric, **labels):
    for (n, ls), v in parse_metrics(text).items():
        if n == metric and all((k, str(x)) in ls for k, x in labels.items()):
            return v
    return None


@unittest.skipUnless(PAGE == 4096 and HZ == 100, "fixture assumes HZ=100, 4 KiB")
class FixtureTreeTest(unittest.TestCase):
    def setUp(self):
        self.procs = Processes()
        self.addCleanup(self.procs.stop_all)

    def start(self, cgroupfs, *args):
        return Exporter(self.procs, args=[
            f"--path.procfs={FIXTURES}/proc",
            f"--path.cgroupfs={FIXTURES}/{cgroupfs}", *args])

    def test_metrics_of_fixture_processes(self):
        exp = self.start("proc_cgroup_v2", "--pid=api=100,w=200,gone=999",
                         "--match=name=kw,comm=kworker/0:1-events")
        text = exp.metrics()
        want = {
            ("memwatch_target_up", "api"): 1,
            ("memwatch_target_up", "gone"): 0,
            ("memwatch_target_up", "kw"): 1,
            ("memwatch_process_resident_memory_bytes", "api"): 10240000,
            ("memwatch_process_resident_anon_bytes", "api"): 8192000,
            ("memwatch_process_oldest_start_time_seconds", "api"): 1700000010,
            ("memwatch_process_open_fds", "api"): 4,
            ("memwatch_process_max_fds", "api"): 1024,
            ("memwatch_process_worst_fd_ratio", "api"): 4 / 1024,
            ("memwatch_target_restarts_total", "api"): 0,
            ("memwatch_cgroup_memory_limit_bytes", "api"): 536870912,
            ("memwatch_cgroup_memory_usage_bytes", "api"): 104857600,
            ("memwatch_process_read_errors_total", "w"): 1,  # no io file
        }
        for (metric, name), value in want.items():
            self.assertEqual(series(text, metric, name=name), value,
                             f"{metric}{{name={name}}}")
        self.assertEqual(series(text, "memwatch_process_cpu_seconds_total",
                                name="api", mode="user"), 1.5)
        self.assertIsNone(series(text, "memwatch_process_resident_anon_bytes",
                                 name="w"))  # old kernel: no RssAnon
        self.assertIsNone(series(text, "memwatch_process_threads", name="gone"))
        self.assertEqual(series(text, "memwatch_scrape_collector_success",
                                collector="process"), 1)
        self.assertIn("# HELP memwatch_process_resident_memory_bytes", text)
        self.assertIn("# TYPE memwatch_process_cpu_seconds_total counter", text)

    def test_cgroup_v1_without_limit(self):
        exp = self.start("proc_cgroup_v1", "--pid=w=200")
        text = exp.metrics()
        self.assertIsNone(series(
            text, "memwatch_cgroup_memory_limit_bytes", name="w"))
        self.assertEqual(series(
            text, "memwatch_cgroup_memory_usage_bytes", name="w"),
            52428800)

    def test_usage_api_golden_values(self):
        # Any pid: usage's own semantics (404 for a missing one) under test.
        exp = self.start("proc_cgroup_v2", "--api.usage-any-pid")
        r = exp.get("/api/v1/usage?pid=100")
        self.assertEqual(r.status, 200, r.text)
        body = json.loads(r.text)
        self.assertAlmostEqual(body["cpu"], 2.2222222, places=6)
        self.assertAlmostEqual(body["cpuInfo"]["pcpuUser"], 1.6666667, places=6)
        self.assertAlmostEqual(body["cpuInfo"]["pcpuSystem"], 0.5555556,
                               places=6)
        self.assertEqual(body["memory"], 10240000)
        self.assertEqual(body["memoryInfo"]["vsize"], 1000000000)
        r = exp.get("/api/v1/usage?pid=999")
        self.assertEqual(r.status, 404)
        self.assertIn("999", json.loads(r.text)["error"])


if __name__ == "__main__":
    unittest.main()
