"""Hostile input and careless operators, against the real binary.

One test per hardening item (see docs/security.md): a 60 KB command line under
a cmdline matcher, /dev/zero and a FIFO as pidfile or config, bad flags, a
process whose comm is invalid UTF-8, and the usage API's pid policy. Every
wait polls with a deadline; nothing asserts on speed.

    python3 -m unittest tests.integration.test_hardening -v
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest
import uuid

from tests.lib import harness
from tests.lib.harness import Exporter, Processes, metric_value, wait_until

PY = sys.executable
EXPORTER = None  # resolved lazily so that import never fails

# A child that blocks on stdin so it lives as long as the test wants.
SLEEPER = "import sys; sys.stdin.readline()"

# A child that renames itself to the bytes of argv[1] (hex) with
# prctl(PR_SET_NAME), says so, then blocks.
RENAMER = r"""
import ctypes, sys
name = bytes.fromhex(sys.argv[1])
libc = ctypes.CDLL(None, use_errno=True)
PR_SET_NAME = 15
if libc.prctl(PR_SET_NAME, ctypes.c_char_p(name), 0, 0, 0) != 0:
    sys.exit("prctl failed")
print("renamed", flush=True)
sys.stdin.readline()
"""


def exporter_binary():
    return harness.binary("exporter/memwatch_exporter")


def run_exporter(args, stdin=None, timeout=30):
    """Runs the exporter to completion (it must exit by itself)."""
    return subprocess.run([exporter_binary(), *args], stdin=stdin,
                          capture_output=True, timeout=timeout)


class HardeningTest(unittest.TestCase):
    def setUp(self):
        self.procs = Processes()
        self.addCleanup(self.procs.stop_all)
        self.tmp = tempfile.mkdtemp(prefix="memwatch-harden-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def child(self, code, *args):
        return self.procs.start([PY, "-c", code, *args], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE)

    def assert_exit2(self, args, reason, stdin=None):
        r = run_exporter(args, stdin=stdin)
        err = r.stderr.decode(errors="replace")
        self.assertEqual(r.returncode, 2, f"{args}: rc {r.returncode}: {err}")
        self.assertIn(reason, err, f"{args}")

    # 1. A ~60 KB command line under cmdline= matchers: the scrape succeeds.
    def test_huge_cmdline_with_cmdline_matcher(self):
        marker = "mw-" + uuid.uuid4().hex[:12]
        big = self.child(SLEEPER, marker, "a" * 60000)
        # (a|aa)*b recursed once per character in std::regex and overflowed
        # the stack; RE2 is linear. `big` must be found by its head.
        exp = Exporter(self.procs, args=[
            f"--match=name=big,cmdline={marker} (a|b)*;"
            "name=evil,cmdline=(a|aa)*b$;name=evil2,cmdline=(a*)*c"])
        for _ in range(3):
            r = exp.get("/metrics")
            self.assertEqual(r.status, 200)
        text = r.text
        self.assertEqual(metric_value(text, "memwatch_target_up", name="big"), 1)
        self.assertEqual(
            metric_value(text, "memwatch_target_info", name="big",
                         pid=big.pid), 1)
        self.assertIsNotNone(
            metric_value(text, "memwatch_target_up", name="evil"))
        self.assertIsNone(exp.proc.poll())

    # 2. /dev/zero and a FIFO as pidfiles: counted skips, never a hang.
    def test_dev_zero_and_fifo_pidfiles(self):
        fifo = os.path.join(self.tmp, "app.pid")
        os.mkfifo(fifo)
        exp = Exporter(self.procs, args=[
            "--pidfile=zero=/dev/zero", f"--pidfile=fifo={fifo}"])
        r = exp.get("/metrics", timeout=10)
        self.assertEqual(r.status, 200)
        for name in ("zero", "fifo"):
            self.assertEqual(
                metric_value(r.text, "memwatch_target_up", name=name), 0)
            count = metric_value(r.text, "memwatch_target_pidfile_errors_total",
                                 name=name)
            self.assertIsNotNone(count, name)
            self.assertGreaterEqual(count, 1)
        self.assertEqual(exp.get("/-/healthy", timeout=10).status, 200)
        log = exp.log_text()
        self.assertIn("is a character device", log)
        self.assertIn("is a FIFO", log)
        # SIGTERM still stops it (the sampler thread is not stuck in open()).
        os.kill(exp.proc.pid, signal.SIGTERM)
        exp.proc.wait(timeout=10)
        self.assertEqual(exp.proc.returncode, 0, exp.log_text())

    def test_dev_zero_and_fifo_targets_config(self):
        fifo = os.path.join(self.tmp, "targets.yaml")
        os.mkfifo(fifo)
        self.assert_exit2(["--targets.config=/dev/zero"],
                          "is a character device, not a regular file")
        self.assert_exit2([f"--targets.config={fifo}"], "is a FIFO")
        big = os.path.join(self.tmp, "big.yaml")
        with open(big, "w") as f:
            f.write("#" * (2 << 20))
        self.assert_exit2([f"--targets.config={big}"], "larger than 1048576")

    def test_fifo_and_device_web_config(self):
        # An ifstream on a FIFO blocked the exporter at start, deaf to
        # SIGTERM; the bounded reader refuses it at once (run_exporter has a
        # deadline, so a hang fails the test instead of hanging it).
        fifo = os.path.join(self.tmp, "web.yml")
        os.mkfifo(fifo)
        self.assert_exit2([f"--web.config.file={fifo}"],
                          "is a FIFO, not a regular file")
        self.assert_exit2(["--web.config.file=/dev/zero"],
                          "is a character device, not a regular file")

    # 3. Careless flags: exit 2 with the reason.
    def test_bad_flags_exit_2(self):
        for args, reason in [
            (["--web.telemetry-path=/"], "landing page"),
            (["--web.telemetry-path=/-/healthy"], "reserved"),
            (["--web.telemetry-path=/-/ready"], "reserved"),
            (["--web.telemetry-path=/api/v1/usage"], "reserved"),
            (["--web.telemetry-path=metrics"], "must start with /"),
            (["--web.max-threads=65536"], "between 1 and 1024"),
            (["--web.max-threads=0"], "between 1 and 1024"),
            (["--path.procfs=/nonexistent"], "--path.procfs"),
            (["--memwatch.sample-interval=0"], "--memwatch.sample-interval"),
            (["--memwatch.events-buffer=-1"], "--memwatch.events-buffer"),
            (["--match=name=x,cmdline=a(?=b)"], "bad cmdline regex at column"),
            (["--match=name=x,cmdline=(a)\\1"], "bad cmdline regex at column"),
        ]:
            with self.subTest(args=args):
                self.assert_exit2(args, reason)

    def test_replay_refuses_garbage(self):
        self.assert_exit2(["replay", "--input", "/dev/zero"],
                          "not a regular file")
        with open("/dev/zero", "rb") as zero:
            self.assert_exit2(["replay", "--input", "-"], "line longer than",
                              stdin=zero)
        binary = os.path.join(self.tmp, "bin.csv")
        with open(binary, "wb") as f:
            f.write(b"time,bytes\n1,2\n\x00\x01\x02garbage\n")
        self.assert_exit2(["replay", "--input", binary], "control or NUL")
        good = os.path.join(self.tmp, "good.csv")
        with open(good, "w") as f:
            f.write("time,bytes\n1,100\n2,200\n")
        self.assertEqual(run_exporter(["replay", "--input", good]).returncode, 0)

    # 4. A comm of invalid UTF-8 does not poison the exposition.
    def test_invalid_utf8_comm_keeps_metrics_valid(self):
        if not shutil.which("promtool"):
            self.skipTest("promtool not installed")
        p = self.child(RENAMER, "fffe6d77")  # b"\xff\xfemw"
        self.assertEqual(p.stdout.readline().strip(), b"renamed")
        with open(f"/proc/{p.pid}/comm", "rb") as f:
            self.assertEqual(f.read().rstrip(b"\n"), b"\xff\xfemw")
        exp = Exporter(self.procs, args=[f"--pid=bad={p.pid}"])
        body = exp.get("/metrics").body
        body.decode("utf-8")  # strict: raises on invalid UTF-8
        self.assertIn('comm="\ufffd\ufffdmw"'.encode(), body)
        check = subprocess.run(["promtool", "check", "metrics"], input=body,
                               capture_output=True, timeout=30)
        self.assertEqual(check.returncode, 0,
                         check.stdout.decode() + check.stderr.decode())

    # 5. The usage API answers only for watched pids unless opened.
    def test_usage_api_refuses_unwatched_pids(self):
        watched = self.child(SLEEPER)
        other = self.child(SLEEPER)
        exp = Exporter(self.procs, args=[f"--pid=api={watched.pid}"])
        r = exp.get(f"/api/v1/usage?pid={watched.pid}")
        self.assertEqual(r.status, 200, r.text)
        for pid in (other.pid, 1, 4000000):
            r = exp.get(f"/api/v1/usage?pid={pid}")
            self.assertEqual(r.status, 403, r.text)
            self.assertIn("--api.usage-any-pid", r.text)
        exp.stop()
        opened = Exporter(self.procs, args=[f"--pid=api={watched.pid}",
                                            "--api.usage-any-pid"])
        self.assertEqual(opened.get(f"/api/v1/usage?pid={other.pid}").status,
                         200)

    def test_matcher_taking_other_users_processes_is_logged(self):
        if os.geteuid() != 0:
            self.skipTest("needs root to run the exporter as another user")
        # The exporter runs as nobody: root's child's /proc/<pid>/io is
        # unreadable to it. Bazel's output tree is private to root: copy.
        bindir = tempfile.mkdtemp(prefix="memwatch-bin-")
        self.addCleanup(shutil.rmtree, bindir, True)
        os.chmod(bindir, 0o755)
        binary = os.path.join(bindir, "memwatch_exporter")
        shutil.copy(exporter_binary(), binary)
        os.chmod(binary, 0o755)
        marker = "mw-" + uuid.uuid4().hex[:12]
        self.child(SLEEPER, marker)
        port = harness.free_port()
        log = os.path.join(bindir, "log")
        with open(log, "w") as logf:
            proc = self.procs.start(
                [binary, f"--web.listen-address=127.0.0.1:{port}",
                 f"--match=name=rootjob,cmdline={marker}"],
                stderr=logf, cwd="/", preexec_fn=lambda: os.setuid(65534))

        def text():
            with open(log, errors="replace") as f:
                return f.read()

        def ready():
            if proc.poll() is not None:
                raise AssertionError(f"exited {proc.returncode}: {text()}")
            return harness.get(f"http://127.0.0.1:{port}/-/ready",
                               timeout=2).status == 200

        wait_until(ready, what="exporter (as nobody) ready")
        self.assertIn("matcher includes processes of other users", text())
        self.assertIn("target=rootjob", text())


if __name__ == "__main__":
    unittest.main()
