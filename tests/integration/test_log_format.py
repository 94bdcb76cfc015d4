"""--log.format: every line the exporter writes is in the chosen format."""

import json
import subprocess
import unittest

from tests.lib import harness


class LogFormatTest(unittest.TestCase):
    def setUp(self):
        self.procs = harness.Processes()

    def tearDown(self):
        self.procs.stop_all()

    def _lines(self, *args):
        exp = harness.Exporter(self.procs, args=args)
        exp.get("/metrics")
        self.assertEqual(exp.stop(), 0)
        lines = [l for l in exp.log_text().splitlines() if l.strip()]
        self.assertTrue(lines, "the exporter logged nothing")
        return lines

    def test_json_every_line_is_one_object(self):
        for line in self._lines("--log.format=json", "--log.level=debug"):
            obj = json.loads(line)
            self.assertIsInstance(obj, dict, line)
            self.assertEqual(list(obj)[:3], ["ts", "level", "msg"], line)
            self.assertIn(obj["level"], {"debug", "info", "warn", "error"})

    def test_logfmt_is_the_default(self):
        for line in self._lines():
            self.assertRegex(line, r"^ts=\S+ level=(debug|info|warn|error) msg=")

    def test_bad_format_exits_2_with_one_line(self):
        for value in ("text", "JSON", ""):
            p = subprocess.run(
                [harness.binary("exporter/memwatch_exporter"),
                 f"--log.format={value}",
                 f"--web.listen-address=127.0.0.1:{harness.free_port()}"],
                capture_output=True, timeout=30)
            self.assertEqual(p.returncode, 2, (value, p.stderr))
            err = p.stderr.decode().strip()
            self.assertEqual(len(err.splitlines()), 1, err)
            self.assertIn("--log.format", err)


if __name__ == "__main__":
    unittest.main()
