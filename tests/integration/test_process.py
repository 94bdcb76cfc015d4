"""The process collector against real processes (issue 3).

Runs the built //exporter:memwatch_exporter (see tests/lib/harness.py) on a
free loopback port, watching children this test starts. Every wait polls with
a deadline; nothing asserts on speed.

    python3 -m unittest tests.integration.test_process -v
"""

import json
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
MIB = 1024 * 1024

# A child that burns `seconds` of its own CPU time, prints its getrusage
# (user, system) and then blocks on stdin so the exporter can still read it.
BURN = r"""
import resource, sys
target = float(sys.argv[1])
def used():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
x = 0
while used() < target:
    for i in range(10000):
        x += i
r = resource.getrusage(resource.RUSAGE_SELF)
print(f"{r.ru_utime} {r.ru_stime}", flush=True)
sys.stdin.readline()
"""

# A child that, on each line read, allocates and touches the MiB it was told.
ALLOC = r"""
import sys
keep = []
print("ready", flush=True)
for line in sys.stdin:
    n = int(line) * 1024 * 1024
    b = bytearray(n)
    for i in range(0, n, 4096):
        b[i] = 1
    keep.append(b)
    print("done", flush=True)
"""

SLEEPER = "import sys, time; time.sleep(600)"


def child(procs, code, *args):
    p = procs.start([PY, "-c", code, *map(str, args)],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    return p


class ProcessCollectorTest(unittest.TestCase):
    def setUp(self):
        self.procs = Processes()
        self.addCleanup(self.procs.stop_all)

    def value(self, exporter, metric, **labels):
        return metric_value(exporter.metrics(), metric, **labels)

    def test_cpu_seconds_match_the_childs_getrusage(self):
        p = child(self.procs, BURN, 1.0)
        user, system = map(float, p.stdout.readline().split())
        exp = Exporter(self.procs, args=[f"--pid=burn={p.pid}"])
        text = exp.metrics()
        got_user = metric_value(text, "memwatch_process_cpu_seconds_total",
                                name="burn", mode="user")
        got_sys = metric_value(text, "memwatch_process_cpu_seconds_total",
                               name="burn", mode="system")
        self.assertIsNotNone(got_user, text)
        err = (got_user + got_sys) - (user + system)
        sys.stderr.write(
            f"\ncpu seconds: exporter {got_user + got_sys:.3f} "
            f"(user {got_user:.2f}, system {got_sys:.2f}), getrusage "
            f"{user + system:.3f} (user {user:.3f}, system {system:.3f}), "
            f"error {err:+.3f} s\n")
        # Ticks are 10 ms; the child runs a few instructions after getrusage.
        self.assertLess(abs(err), 0.05)
        self.assertAlmostEqual(got_user, user, delta=0.05)

    def test_resident_memory_grows_by_what_the_child_touches(self):
        p = child(self.procs, ALLOC)
        self.assertEqual(p.stdout.readline().strip(), b"ready")
        exp = Exporter(self.procs, args=[f"--pid=alloc={p.pid}"])
        before = self.value(exp, "memwatch_process_resident_memory_bytes",
                            name="alloc")
        anon_before = self.value(exp, "memwatch_process_resident_anon_bytes",
                                 name="alloc")
        p.stdin.write(b"64\n")
        p.stdin.flush()
        self.assertEqual(p.stdout.readline().strip(), b"done")
        after = self.value(exp, "memwatch_process_resident_memory_bytes",
                           name="alloc")
        anon_after = self.value(exp, "memwatch_process_resident_anon_bytes",
                                name="alloc")
        grown = (after - before) / MIB
        sys.stderr.write(f"\nresident grew {grown:.2f} MiB for 64 MiB touched "
                         f"(anon {(anon_after - anon_before) / MIB:.2f})\n")
        self.assertGreater(grown, 64 * 0.9)
        self.assertLess(grown, 64 * 1.25)
        self.assertGreater((anon_after - anon_before) / MIB, 64 * 0.9)
        peak = self.value(exp, "memwatch_process_resident_memory_peak_bytes",
                          name="alloc")
        self.assertGreaterEqual(peak, after)

    def test_exited_process_is_down_and_scrape_still_succeeds(self):
        p = child(self.procs, SLEEPER)
        exp = Exporter(self.procs, args=[f"--pid=gone={p.pid}"])
        wait_until(lambda: self.value(exp, "memwatch_target_up",
                                      name="gone") == 1, what="target up")
        self.procs.stop(p)  # also reaps it: no zombie left
        wait_until(lambda: self.value(exp, "memwatch_target_up",
                                      name="gone") == 0, what="target down")
        r = exp.get("/metrics")
        self.assertEqual(r.status, 200)
        self.assertIsNone(metric_value(r.text, "memwatch_process_threads",
                                       name="gone"))
        self.assertEqual(metric_value(r.text, "memwatch_target_restarts_total",
                                      name="gone"), 0)

    def test_unreaped_zombie_counts_as_exited(self):
        p = child(self.procs, SLEEPER)
        exp = Exporter(self.procs, args=[f"--pid=z={p.pid}"])
        wait_until(lambda: self.value(exp, "memwatch_target_up", name="z") == 1,
                   what="target up")
        os.kill(p.pid, signal.SIGKILL)  # not waited for: a zombie remains
        wait_until(lambda: self.value(exp, "memwatch_target_up", name="z") == 0,
                   what="zombie reported down")

    def test_restart_is_picked_up_by_a_matcher(self):
        marker = f"memwatch-test-{uuid.uuid4().hex[:12]}"
        first = child(self.procs, SLEEPER, marker)
        exp = Exporter(self.procs,
                       args=[f"--match=name=svc,cmdline={marker}$"])
        info = lambda pid: self.value(exp, "memwatch_target_info", name="svc",
                                      pid=pid)
        wait_until(lambda: info(first.pid) == 1, what="first process matched")
        cpu_before = (self.value(exp, "memwatch_process_cpu_seconds_total",
                                 name="svc", mode="user") +
                      self.value(exp, "memwatch_process_cpu_seconds_total",
                                 name="svc", mode="system"))
        self.procs.stop(first)
        wait_until(lambda: self.value(exp, "memwatch_target_up",
                                      name="svc") == 0, what="down after exit")
        second = child(self.procs, SLEEPER, marker)
        wait_until(lambda: info(second.pid) == 1, what="restart matched")
        text = exp.metrics()
        self.assertEqual(metric_value(text, "memwatch_target_up",
                                      name="svc"), 1)
        # The one process was replaced by another: one restart.
        self.assertEqual(metric_value(text, "memwatch_target_restarts_total",
                                      name="svc"), 1)
        self.assertIsNone(metric_value(text, "memwatch_target_info",
                                       name="svc", pid=first.pid))
        cpu_after = (metric_value(text, "memwatch_process_cpu_seconds_total",
                                  name="svc", mode="user") +
                     metric_value(text, "memwatch_process_cpu_seconds_total",
                                  name="svc", mode="system"))
        self.assertGreaterEqual(cpu_after, cpu_before)  # never goes down

    def test_pidfile_is_followed_across_a_restart(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        pidfile = os.path.join(tmp, "app.pid")
        first = child(self.procs, SLEEPER)
        with open(pidfile, "w") as f:
            f.write(f"{first.pid}\n")
        exp = Exporter(self.procs, args=[f"--pidfile={pidfile}"])
        info = lambda pid: self.value(exp, "memwatch_target_info", name="app",
                                      pid=pid)
        wait_until(lambda: info(first.pid) == 1, what="pidfile's process")
        self.procs.stop(first)
        second = child(self.procs, SLEEPER)
        with open(pidfile, "w") as f:
            f.write(f"{second.pid}\n")
        wait_until(lambda: info(second.pid) == 1, what="new pid from pidfile")
        self.assertEqual(self.value(exp, "memwatch_target_restarts_total",
                                    name="app"), 1)

    def test_targets_config_file(self):
        marker = f"memwatch-cfg-{uuid.uuid4().hex[:12]}"
        p = child(self.procs, SLEEPER, marker)
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        config = os.path.join(tmp, "targets.yaml")
        with open(config, "w") as f:
            f.write("targets:\n"
                    f"  - name: cfg\n    cmdline: '{marker}$'\n"
                    f"  - {{name: bypid, pid: {p.pid}}}\n")
        exp = Exporter(self.procs, args=[f"--targets.config={config}"])
        text = exp.metrics()
        self.assertEqual(metric_value(text, "memwatch_target_info", name="cfg",
                                      pid=p.pid), 1)
        self.assertEqual(metric_value(text, "memwatch_target_up", name="bypid"),
                         1)

    def test_matcher_never_matches_the_exporter_itself(self):
        # The marker is in the exporter's own command line, and nowhere else.
        marker = f"memwatch-self-{uuid.uuid4().hex[:12]}"
        exp = Exporter(self.procs, args=[f"--match=name=me,cmdline={marker}"])
        self.assertEqual(self.value(exp, "memwatch_target_up", name="me"), 0)
        with_self = Exporter(self.procs,
                             args=["--self", f"--match=name=me,cmdline={marker}"])
        text = with_self.metrics()
        self.assertEqual(metric_value(text, "memwatch_target_up", name="me"), 1)
        self.assertEqual(metric_value(text, "memwatch_target_info", name="me",
                                      pid=with_self.proc.pid), 1)
        self.assertEqual(metric_value(text, "memwatch_target_up", name="self"),
                         1)

    def test_usage_api(self):
        p = child(self.procs, SLEEPER)
        # Any pid: usage's own semantics (404 for a missing one) under test;
        # the default policy is in test_hardening.
        exp = Exporter(self.procs, args=["--api.usage-any-pid",
                                         "--web.enable-admin-api"])
        r = exp.get(f"/api/v1/usage?pid={p.pid}&keepHistory=true")
        self.assertEqual(r.status, 200, r.text)
        body = json.loads(r.text)
        self.assertGreater(body["memory"], 0)
        self.assertEqual(body["memory"], body["memoryInfo"]["rss"])
        for k in ("pcpu", "pcpuUser", "pcpuSystem", "cpuTime"):
            self.assertIn(k, body["cpuInfo"])
        r = exp.get(f"/api/v1/usage?pid={p.pid}&keepHistory=true")
        self.assertTrue(json.loads(r.text)["fromHistory"])
        r = exp.get("/api/v1/usage?pid=4194303")
        if r.status != 200:  # that pid is almost surely free
            self.assertEqual(r.status, 404)
            self.assertIn("4194303", json.loads(r.text)["error"])
        self.assertEqual(exp.get("/api/v1/usage?pid=abc").status, 400)
        self.assertEqual(exp.get("/api/v1/usage").status, 400)
        r = harness.http("DELETE", exp.base + f"/api/v1/usage/history?pid={p.pid}")
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(json.loads(r.text)["cleared"], 1)

    def test_lookup_command(self):
        p = child(self.procs, SLEEPER)
        exe = harness.binary("exporter/memwatch_exporter")
        out = subprocess.run([exe, "lookup", "--pid", str(p.pid)],
                             capture_output=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(json.loads(out.stdout)["pid"], p.pid)
        out = subprocess.run([exe, "lookup", "--pid", "4194303"],
                             capture_output=True, timeout=30)
        self.assertIn(out.returncode, (0, 1))
        if out.returncode == 1:
            self.assertIn(b"4194303", out.stderr)

    def test_bad_target_config_exits_2_with_position(self):
        exe = harness.binary("exporter/memwatch_exporter")
        port = harness.free_port()
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        config = os.path.join(tmp, "targets.yaml")
        with open(config, "w") as f:
            f.write("targets:\n  - name: api\n    colour: red\n")
        for args, where in (
                (["--match=name=x,cmdline=a(b"], b"column"),
                (["--pid=api=abc"], b"column"),
                ([f"--targets.config={config}"], b"targets.yaml:3:5"),
        ):
            p = self.procs.start([exe, f"--web.listen-address=127.0.0.1:{port}",
                                  *args])
            try:
                code = p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.procs.stop(p)
                self.fail(f"{args} was accepted: the exporter must call "
                          "targets::ValidateTargetFlags() and exit 2")
            err = p.stderr.read()
            self.assertEqual(code, 2, err)
            self.assertIn(where, err)


if __name__ == "__main__":
    unittest.main()
