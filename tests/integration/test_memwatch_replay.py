"""`memwatch_exporter replay` as a user runs it: exit codes, JSON lines, summary."""

import json
import os
import subprocess
import unittest

from tests.lib import harness

FIXTURES = os.path.join(harness.REPO, "tests", "fixtures", "memwatch")


def replay(*args, stdin=None):
    p = subprocess.run([harness.binary("exporter/memwatch_exporter"), "replay", *args],
                       input=stdin, capture_output=True, timeout=60)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


class ReplayTest(unittest.TestCase):
    def test_golden_compactions(self):
        code, out, err = replay("--input", os.path.join(FIXTURES, "golden_compactions.csv"),
                                "--compactions")
        self.assertEqual(code, 0, err)
        lines = [json.loads(l) for l in out.splitlines()]
        leaks = [l for l in lines if l["event"] == "leak"]
        self.assertEqual([(l["start"], l["end"], l["growth"]) for l in leaks],
                         [(10, 60, 5000000), (60, 110, 5000000)])
        self.assertEqual(leaks[0]["reason"],
                         "heap growth over 5 consecutive GCs (50s) - 343.32 mb/hr")
        self.assertEqual(lines[-1]["event"], "summary")
        self.assertEqual(lines[-1]["leak_events"], 2)

    def test_samples_from_stdin_with_options(self):
        with open(os.path.join(FIXTURES, "leak_samples.csv"), "rb") as f:
            data = f.read()
        code, out, err = replay("--input", "-", "--leak-gcs=3", "--no-stats", stdin=data)
        self.assertEqual(code, 0, err)
        summary = json.loads(out.splitlines()[-1])
        self.assertEqual(summary["leak_gcs"], 3)
        self.assertGreater(summary["leak_events"], 0)
        self.assertNotIn('"stats"', out)

    def test_bad_line_exits_2_with_line_number(self):
        code, out, err = replay("--input", os.path.join(FIXTURES, "bad_line.csv"))
        self.assertEqual(code, 2)
        self.assertIn("bad_line.csv:4:", err)

    def test_usage_errors_exit_2(self):
        for args in ([], ["--input"], ["--input", "/nonexistent.csv"],
                     ["--input", "x", "--leak-gcs", "zero"], ["--bogus"]):
            code, _, err = replay(*args)
            self.assertEqual(code, 2, args)
            self.assertTrue(err.strip(), args)


if __name__ == "__main__":
    unittest.main()
