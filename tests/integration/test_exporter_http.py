"""The real memwatch_exporter binary over real HTTP on a free loopback port."""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import unittest

from tests.lib import harness


class ExporterHttpTest(harness.ExporterTestCase):

    def test_metrics_content_type_and_self_metrics(self):
        r = self.exp.get("/metrics")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.headers["content-type"],
                         "text/plain; version=0.0.4; charset=utf-8")
        self.assertNotIn("content-encoding", r.headers)
        for name in ("memwatch_exporter_build_info", "process_cpu_seconds_total",
                     "process_resident_memory_bytes", "process_virtual_memory_bytes",
                     "process_open_fds", "process_max_fds",
                     "process_start_time_seconds"):
            self.assertIsNotNone(harness.metric_value(r.text, name), name)
        self.assertEqual(
            harness.metric_value(r.text, "memwatch_exporter_build_info",
                                 version="0.1.0"), 1)

    def test_collector_meta_metrics_for_every_enabled_collector(self):
        text = self.exp.metrics()
        page = self.exp.get("/").text
        for name in ("process", "memwatch"):
            if f"<li>{name}</li>" not in page:
                continue
            self.assertEqual(harness.metric_value(
                text, "memwatch_scrape_collector_success", collector=name), 1)
            self.assertIsNotNone(harness.metric_value(
                text, "memwatch_scrape_collector_duration_seconds", collector=name))

    def test_gzip_when_accepted(self):
        r = self.exp.get("/metrics", headers={"Accept-Encoding": "gzip"})
        self.assertEqual(r.status, 200)
        self.assertEqual(r.headers.get("content-encoding"), "gzip")
        self.assertIn("memwatch_exporter_build_info", r.text)  # decompressed

    def test_landing_page_and_health(self):
        r = self.exp.get("/")
        self.assertEqual(r.status, 200)
        self.assertTrue(r.headers["content-type"].startswith("text/html"))
        self.assertIn('href="/metrics"', r.text)
        self.assertIn("0.1.0", r.text)
        for path, body in (("/-/healthy", "Healthy"), ("/-/ready", "Ready")):
            r = self.exp.get(path)
            self.assertEqual(r.status, 200, path)
            self.assertIn(body, r.text)

    def test_unknown_path_404_wrong_method_405(self):
        self.assertEqual(self.exp.get("/nope").status, 404)
        r = harness.http("POST", self.exp.base + "/metrics")
        self.assertEqual(r.status, 405)
        self.assertIn("GET", r.headers.get("allow", ""))
        self.assertEqual(harness.http("DELETE", self.exp.base + "/-/ready").status,
                         405)

    def test_promtool_check_metrics_is_clean(self):
        promtool = shutil.which("promtool")
        self.assertIsNotNone(promtool, "promtool missing (apt install prometheus)")
        text = self.exp.get("/metrics").text
        p = subprocess.run([promtool, "check", "metrics"], input=text.encode(),
                           capture_output=True, timeout=60)
        out = (p.stdout + p.stderr).decode()
        self.assertEqual(p.returncode, 0, out)
        self.assertEqual(out.strip(), "", out)


class ExporterLifecycleTest(unittest.TestCase):
    def setUp(self):
        self.procs = harness.Processes()
        self.addCleanup(self.procs.stop_all)
        self.bin = harness.binary("exporter/memwatch_exporter")

    def run_bin(self, *args):
        return subprocess.run([self.bin, *args], capture_output=True, timeout=30)

    def test_sigterm_exits_zero(self):
        exp = harness.Exporter(self.procs)
        self.assertEqual(exp.get("/metrics").status, 200)
        self.assertEqual(self.procs.stop(exp.proc, signal.SIGTERM), 0)
        self.assertIn("stopped", exp.log_text())

    def test_sigint_exits_zero(self):
        exp = harness.Exporter(self.procs)
        self.assertEqual(self.procs.stop(exp.proc, signal.SIGINT), 0)

    def test_port_in_use_says_so(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen()
            port = s.getsockname()[1]
            p = self.run_bin(f"--web.listen-address=127.0.0.1:{port}")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(b"Address already in use", p.stderr)

    def test_bad_flags_exit_2_with_one_line(self):
        for args in (["--no-such-flag"], ["--web.listen-address=nonsense"],
                     ["--log.level=loud"], ["--collector.nosuch"],
                     ["--web.max-threads=abc"], ["stray"],
                     ["--targets.read-threads=0"], ["--targets.read-threads=65"]):
            p = self.run_bin(*args)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
            err = p.stderr.decode().strip()
            self.assertTrue(err, args)
            self.assertEqual(len(err.splitlines()), 1, (args, err))

    def test_help_explains_every_flag_and_version(self):
        p = self.run_bin("--help")
        self.assertEqual(p.returncode, 0)
        out = p.stdout.decode()
        for flag in ("--web.listen-address", "--web.telemetry-path", "--log.level",
                     "--path.procfs"):
            self.assertIn(flag, out)
        # Every flag line is followed by a non-empty description line.
        lines = out.splitlines()
        for i, line in enumerate(lines):
            if line.startswith("  --"):
                self.assertTrue(lines[i + 1].strip(), line)
        p = self.run_bin("--version")
        self.assertEqual(p.returncode, 0)
        self.assertIn(b"0.1.0", p.stdout)

    def test_custom_telemetry_path_and_disabled_collectors(self):
        page = harness.Exporter(self.procs).get("/").text
        disable = [f"--no-collector.{c}" for c in ("process", "memwatch", "heapdiff")
                   if f"<li>{c}</li>" in page]
        exp = harness.Exporter(self.procs,
                               args=["--web.telemetry-path=/m", *disable])
        self.assertEqual(exp.get("/metrics").status, 404)
        text = exp.get("/m").text
        self.assertIn("memwatch_exporter_build_info", text)
        self.assertNotIn("memwatch_scrape_collector_success{", text)


if __name__ == "__main__":
    unittest.main()
