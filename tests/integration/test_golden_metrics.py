"""The whole /metrics output of the exporter over the fixture /proc tree, diffed against
tests/golden/metrics.txt (node_exporter's end-to-end test is the model): every metric
change shows in review. Values that vary by run (collector durations, the git revision)
are normalised.

Regenerate after an intended change:

    MEMWATCH_UPDATE_GOLDEN=1 python3 -m unittest tests.integration.test_golden_metrics
"""

import difflib
import os
import re
import unittest

from tests.lib import harness

FIXTURES = os.path.join(harness.REPO, "tests", "fixtures")
GOLDEN = os.path.join(harness.REPO, "tests", "golden", "metrics.txt")
PAGE = os.sysconf("SC_PAGESIZE")
HZ = os.sysconf("SC_CLK_TCK")


def normalise(text):
    out = []
    for line in text.splitlines():
        # Durations vary; read errors grow with every scrape the test makes
        # while it waits (which files fail is what matters); the start time
        # stands for the last reload.
        if line.startswith(("memwatch_scrape_collector_duration_seconds{",
                            "memwatch_process_read_errors_total{",
                            "memwatch_exporter_config_last_reload_success_timestamp_seconds ")):
            line = re.sub(r" \S+$", " 0", line)
        line = re.sub(r'revision="[^"]*"', 'revision="REVISION"', line)
        out.append(line)
    return "\n".join(out) + "\n"


@unittest.skipUnless(PAGE == 4096 and HZ == 100, "fixture assumes HZ=100, 4 KiB")
class GoldenMetricsTest(unittest.TestCase):
    def test_metrics_match_the_golden_file(self):
        with harness.Processes() as procs:
            exp = harness.Exporter(procs, args=[
                f"--path.procfs={FIXTURES}/proc",
                f"--path.cgroupfs={FIXTURES}/proc_cgroup_v2",
                "--pid=api=100,w=200,gone=999",
                "--match=name=kw,comm=kworker/0:1-events"])
            # The memwatch sampler's first round has judged every target.
            def judged():
                t = exp.metrics()
                info = [l for l in t.splitlines()
                        if l.startswith("memwatch_target_info{")]
                done = (len(info) == 3 and
                        all('source="synthetic"' in l for l in info) and
                        'memwatch_gc_total{name="api"' in t)
                return t if done else None
            text = harness.wait_until(judged, timeout=20,
                                      what="memwatch to judge every target")
        got = normalise(text)
        if os.environ.get("MEMWATCH_UPDATE_GOLDEN"):
            with open(GOLDEN, "w") as f:
                f.write(got)
        with open(GOLDEN) as f:
            want = f.read()
        diff = "".join(difflib.unified_diff(
            want.splitlines(True), got.splitlines(True), "golden", "scrape"))
        self.assertEqual(diff, "", "the scrape differs from tests/golden/metrics.txt "
                         "(MEMWATCH_UPDATE_GOLDEN=1 regenerates it):\n" + diff)


if __name__ == "__main__":
    unittest.main()
