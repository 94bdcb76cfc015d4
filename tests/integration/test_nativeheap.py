"""Native allocations by stack (collectors/nativeheap) on real processes.

The driver `nativeheap_trace` attaches eBPF uprobes to a child's glibc malloc
and prints the stacks holding the most unfreed bytes as HeapDiff JSON. The
child is tests/workloads/cpp/leaky_cache.cc, built here with g++
-fno-omit-frame-pointer (stacks are walked by frame pointers):

- `leak`: LeakyCache::Insert keeps 4 KiB entries (operator new) and
  leaky_function 1 KiB blocks (malloc); Insert must be the top stack,
  with about the bytes it allocated in the window (also sampled 1 in 16, and
  when the child runs in its own pid and mount namespace).
- `free`: the twin frees what it allocates; nothing significant is left.
- a child that exits mid-trace: a clear process_exited error, no hang; with
  --report-exited its stacks at exit are still named.
- a statically linked child: the 409-style unsupported_target error.
- SIGINT to the driver mid-window: a cancelled answer at once.
- a pid that does not exist: 404.

Skipped, with the reason, only when this machine cannot load BPF programs
(no CAP_BPF/CAP_PERFMON/CAP_SYS_ADMIN, no uprobes).
"""

import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from tests.lib import harness

WORKLOAD = os.path.join(harness.REPO, "tests", "workloads", "cpp",
                        "leaky_cache.cc")
ENTRY = 4096        # bytes per Insert
RATE = 1000         # Inserts per second
WINDOW = 2.0        # seconds traced


def run_trace(pid, seconds=WINDOW, *extra, timeout=60):
    """Runs the driver; returns (exit code, parsed JSON or None, seconds)."""
    start = time.monotonic()
    p = subprocess.run([harness.binary("collectors/nativeheap/nativeheap_trace"),
                        "--pid", str(pid), "--seconds", str(seconds), *extra],
                       capture_output=True, text=True, timeout=timeout)
    elapsed = time.monotonic() - start
    try:
        body = json.loads(p.stdout) if p.stdout.strip() else None
    except ValueError:
        body = None
    return p.returncode, body, elapsed, p.stderr


class NativeHeapTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if shutil.which("g++") is None:
            raise unittest.SkipTest("g++ is not installed")
        cls.tmp = tempfile.mkdtemp(prefix="nativeheap_test_")
        cls.dynamic = os.path.join(cls.tmp, "leaky_cache")
        cls.static = os.path.join(cls.tmp, "leaky_cache_static")
        base = ["g++", "-O2", "-fno-omit-frame-pointer", WORKLOAD]
        subprocess.run(base + ["-o", cls.dynamic], check=True)
        subprocess.run(base + ["-static", "-o", cls.static], check=True)
        cls.procs = harness.Processes()
        cls.skip_reason = cls.bpf_unavailable()

    @classmethod
    def tearDownClass(cls):
        cls.procs.stop_all()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def bpf_unavailable(cls):
        """The reason BPF cannot be used here, or None."""
        child = cls.start_child_of(cls.procs, [cls.dynamic, "free", "100"])
        code, body, _, stderr = run_trace(child.pid, 0)
        cls.procs.stop(child)
        if code == 1 and body and body.get("kind") in ("bpf_permission",
                                                       "bpf_unavailable"):
            return body["error"]
        if code != 0:
            raise AssertionError(f"probe trace failed: {code} {body} {stderr}")
        return None

    @staticmethod
    def start_child_of(procs, argv):
        p = procs.start(argv, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
        line = p.stdout.readline()
        if line.strip() != b"ready":
            raise AssertionError(f"workload did not start: {line!r}")
        return p

    def setUp(self):
        if self.skip_reason:
            self.skipTest("BPF is not available here: " + self.skip_reason)

    @staticmethod
    def kill_quietly(pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def start_child(self, *args):
        return self.start_child_of(self.procs, [self.dynamic, *args])

    def assert_leak_on_top(self, body, min_bytes):
        details = body["change"]["details"]
        self.assertTrue(details, body)
        top = details[0]
        self.assertIn("LeakyCache::Insert", top["what"], details[:3])
        self.assertIn("main", top["what"])
        self.assertGreaterEqual(top["size_bytes"], min_bytes, top)
        self.assertEqual(top["-"], 0)
        self.assertEqual(body["by"], "stack")
        self.assertEqual(body["trace"]["allocations_dropped"], 0)

    def test_leaking_function_is_the_top_stack(self):
        child = self.start_child("leak", str(RATE))
        code, body, _, stderr = run_trace(child.pid)
        self.assertEqual(code, 0, (body, stderr))
        # At least a quarter of what it allocated in the window: a busy
        # machine slows the child, never inflates what it leaks.
        self.assert_leak_on_top(body, RATE * ENTRY * WINDOW / 4)
        top = body["change"]["details"][0]
        self.assertGreaterEqual(top["+"], RATE * WINDOW / 4)
        self.assertEqual(top["size_bytes"], top["+"] * ENTRY)
        # The same number of 1 KiB blocks through malloc itself, second.
        second = body["change"]["details"][1]
        self.assertIn("leaky_function <- main", second["what"])
        self.assertEqual(second["size_bytes"], second["+"] * 1024)
        self.assertGreaterEqual(second["+"], RATE * WINDOW / 4)
        self.procs.stop(child)

    def test_sampled_one_in_16_still_finds_it(self):
        child = self.start_child("leak", str(RATE))
        code, body, _, stderr = run_trace(child.pid, 3, "--sample-every", "16")
        self.assertEqual(code, 0, (body, stderr))
        self.assertEqual(body["trace"]["sample_every"], 16)
        self.assert_leak_on_top(body, RATE * ENTRY * 3 / 8)
        # Scaled: every detail is a multiple of 16 allocations.
        self.assertEqual(body["change"]["details"][0]["+"] % 16, 0)
        self.procs.stop(child)

    def test_twin_that_frees_shows_nothing_significant(self):
        child = self.start_child("free", str(RATE))
        code, body, _, stderr = run_trace(child.pid)
        self.assertEqual(code, 0, (body, stderr))
        # It allocated ~10 MB in the window; at most its 8-entry ring is live.
        self.assertLess(body["after"]["size_bytes"], 256 * 1024, body)
        for d in body["change"]["details"]:
            self.assertLess(d["size_bytes"], 64 * 1024, d)
        self.assertGreater(body["trace"]["frees_matched"], RATE * WINDOW / 4)
        self.procs.stop(child)

    def test_process_exiting_mid_trace_is_a_clear_error(self):
        child = self.start_child("leak", str(RATE), "1")
        code, body, elapsed, stderr = run_trace(child.pid, 30)
        self.assertEqual(code, 1, (body, stderr))
        self.assertEqual(body["kind"], "process_exited", body)
        self.assertEqual(body["status"], 409)
        self.assertIn("exited during the trace", body["error"])
        # The window is cut short (the driver's own exit then waits for the
        # kernel to remove the probes, a few seconds at most).
        self.assertLess(elapsed, 20)
        child.wait(timeout=10)

    def test_stacks_of_an_exited_process_are_still_named(self):
        child = self.start_child("leak", str(RATE), "1.5")
        code, body, _, stderr = run_trace(child.pid, 30, "--report-exited")
        self.assertEqual(code, 0, (body, stderr))
        self.assertTrue(body["trace"]["exited"])
        self.assert_leak_on_top(body, RATE * ENTRY * 1.5 / 4)
        child.wait(timeout=10)

    def test_cancelled_trace_answers_at_once(self):
        child = self.start_child("leak", "100")
        tracer = self.procs.start(
            [harness.binary("collectors/nativeheap/nativeheap_trace"),
             "--pid", str(child.pid), "--seconds", "60"],
            stdout=subprocess.PIPE)
        self.assertIn(b"tracing pid", tracer.stderr.readline())
        tracer.send_signal(signal.SIGINT)
        # The answer comes before the kernel has removed the probes (which
        # the driver's exit then waits for): read it, with a deadline.
        ready, _, _ = select.select([tracer.stdout], [], [], 10)
        self.assertTrue(ready, "no answer within 10 s of SIGINT")
        body = json.loads(tracer.stdout.readline())
        self.assertEqual(body["kind"], "cancelled", body)
        self.assertEqual(tracer.wait(timeout=30), 1)
        self.procs.stop(child)

    def test_statically_linked_program_is_refused(self):
        p = self.start_child_of(self.procs, [self.static, "leak", "10"])
        code, body, _, stderr = run_trace(p.pid, 1)
        self.assertEqual(code, 1, (body, stderr))
        self.assertEqual(body["kind"], "unsupported_target", body)
        self.assertEqual(body["status"], 409)
        self.assertIn("statically linked", body["error"])
        self.procs.stop(p)

    def test_unknown_pid_is_404(self):
        p = subprocess.Popen(["true"])
        p.wait()
        code, body, _, _ = run_trace(p.pid, 1)
        self.assertEqual(code, 1)
        self.assertEqual(body["status"], 404, body)

    @unittest.skipUnless(shutil.which("unshare"), "unshare is not installed")
    def test_process_in_its_own_pid_and_mount_namespace(self):
        wrapper = self.procs.start(
            ["unshare", "--pid", "--mount", "--fork", "--mount-proc",
             "--kill-child", self.dynamic, "leak", str(RATE)],
            stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
        self.assertEqual(wrapper.stdout.readline().strip(), b"ready")
        def children():
            with open(f"/proc/{wrapper.pid}/task/{wrapper.pid}/children") as f:
                return f.read().split()
        children = harness.wait_until(children, what="the namespaced child")
        pid = int(children[0])
        # Stopping unshare kills its child (--kill-child); if unshare dies
        # first anyway, the leaking child must not outlive the test.
        self.addCleanup(self.kill_quietly, pid)
        with open(f"/proc/{pid}/status") as f:
            status = f.read()
        self.assertRegex(status, r"NSpid:\s+%d\s+1\n" % pid)
        code, body, _, stderr = run_trace(pid)
        self.assertEqual(code, 0, (body, stderr))
        self.assert_leak_on_top(body, RATE * ENTRY * WINDOW / 4)
        self.procs.stop(wrapper)


if __name__ == "__main__":
    unittest.main()


class StackDiffApiTest(unittest.TestCase):
    """by=stack through the real exporter's /api/v1/heapdiff: off unless
    --heapdiff.native-stacks; with it, POST starts the window and GET names
    the leaking function."""

    # The workload builds and the BPF probe, with this class's own temp dir
    # (the descriptors, not NativeHeapTest's bound methods).
    setUpClass = NativeHeapTest.__dict__["setUpClass"]
    tearDownClass = NativeHeapTest.__dict__["tearDownClass"]
    bpf_unavailable = NativeHeapTest.__dict__["bpf_unavailable"]
    start_child_of = NativeHeapTest.__dict__["start_child_of"]

    def setUp(self):
        if self.skip_reason:
            self.skipTest("BPF is not available here: " + self.skip_reason)
        self.exp_procs = harness.Processes()
        self.addCleanup(self.exp_procs.stop_all)

    def post(self, exp, query):
        return harness.http("POST", f"{exp.base}/api/v1/heapdiff?{query}")

    def test_off_by_default_then_names_the_leak(self):
        child = self.start_child_of(self.exp_procs, [self.dynamic, "leak",
                                                     str(RATE)])
        off = harness.Exporter(self.exp_procs, args=[f"--pid=leaky={child.pid}",
                                                     "--web.enable-admin-api"])
        r = self.post(off, "name=leaky&by=stack")
        self.assertEqual(r.status, 409, r.text)
        self.assertIn("--heapdiff.native-stacks", r.text)
        self.exp_procs.stop(off.proc)

        exp = harness.Exporter(self.exp_procs, args=[
            f"--pid=leaky={child.pid}", "--web.enable-admin-api",
            "--heapdiff.native-stacks"])
        self.assertEqual(self.post(exp, "name=leaky&by=stack&sample_every=0").status,
                         400)
        r = self.post(exp, "name=leaky&by=stack")
        self.assertEqual(r.status, 200, r.text)
        started = json.loads(r.text)
        time.sleep(WINDOW)  # the window: allocations made in it are traced
        r = exp.get("/api/v1/heapdiff/" + started["id"], timeout=60)
        self.assertEqual(r.status, 200, r.text)
        body = json.loads(r.text)
        top = body["change"]["details"][0]
        self.assertIn("LeakyCache::Insert", top["what"], body["change"]["details"][:3])
        self.assertEqual(exp.get("/api/v1/heapdiff/" + started["id"]).status, 410)
