"""HotSpot's dynamic attach from outside (collectors/jvmattach) against real JVMs.

Runs //collectors/jvmattach:jvm_histo (our own attach client, no JDK tool) on
tests/workloads/java/ClassLeak.java (compiled with javac here), which keeps N
more `ClassLeak$LeakedWidget` objects on each "leak N" line:

- the leaked class is the top grower of the class diff, with at least the
  leaked count, and the JDK's own `jcmd` (the reference) counts the same;
- the same with the JVM in its own pid and mount namespace (`unshare`) with a
  private /tmp: the listener's socket is reachable only through
  /proc/<pid>/root, and its pid inside is 1;
- a JVM started with -XX:+DisableAttachMechanism gets 409 with the reason and
  is never signalled (no thread dump in its output); the same flag hidden from
  us (an options file, no perf data) gets 504 with a hint after the deadline;
- a listener that never answers (JVM stopped) gets 504 after the deadline;
- a JVM that dies mid-attach gets 404 "exited during the attach", no hang;
- a process that is not a JVM gets 409 and is left alone; no pid gets 404.

    python3 -m unittest tests.integration.test_jvmattach -v
"""

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from tests.lib import harness
from tests.lib.harness import Processes, wait_until

SRC = os.path.join(harness.REPO, "tests", "workloads", "java", "ClassLeak.java")
WIDGET = "ClassLeak$LeakedWidget"


def histo(pid, *args, timeout=60):
    """Runs jvm_histo; returns (exit code, its JSON, seconds)."""
    start = time.monotonic()
    r = subprocess.run([harness.binary("collectors/jvmattach/jvm_histo"),
                        "--pid", str(pid), *args],
                       capture_output=True, text=True, timeout=timeout)
    seconds = time.monotonic() - start
    try:
        out = json.loads(r.stdout)
    except ValueError:
        raise AssertionError(f"jvm_histo said {r.stdout!r} {r.stderr!r}")
    return r.returncode, out, seconds


def read(path):
    with open(path) as f:
        return f.read()


def children(pid):
    return [int(p) for p in read(f"/proc/{pid}/task/{pid}/children").split()]


def jcmd_count(pid, cls):
    """Instances of cls in the JDK's own `jcmd GC.class_histogram`."""
    out = subprocess.run(["jcmd", str(pid), "GC.class_histogram"],
                         capture_output=True, text=True, timeout=60).stdout
    m = re.search(r"^\s*\d+:\s+(\d+)\s+\d+\s+" + re.escape(cls) + r"\s*$",
                  out, re.M)
    return int(m.group(1)) if m else 0


class Jvm:
    """ClassLeak (wrapped in e.g. unshare when `wrap` is given), on stdin."""

    def __init__(self, procs, classes, *jvm_opts, wrap=None, env=None):
        java = ["java", "-Xmx256m", *jvm_opts, "-cp", classes, "ClassLeak"]
        self.proc = procs.start(wrap(java) if wrap else java, env=env,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                text=True)
        assert self.proc.stdout.readline().strip() == "ready"
        self.pid = self.proc.pid

    def command(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline().strip()


class JvmAttachTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="memwatch-jvmattach-")
        # For the namespaced JVM, whose /tmp is a private tmpfs.
        cls.outside_tmp = tempfile.mkdtemp(prefix="memwatch-jvmattach-",
                                           dir="/var/tmp")
        subprocess.run(["javac", "-d", cls.tmp, SRC], check=True)
        for f in os.listdir(cls.tmp):
            shutil.copy(os.path.join(cls.tmp, f), cls.outside_tmp)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)
        shutil.rmtree(cls.outside_tmp, ignore_errors=True)

    def setUp(self):
        self.procs = Processes()
        self.addCleanup(self.procs.stop_all)

    def diff_after_leak(self, pid, jvm, count):
        saved = os.path.join(self.tmp, f"before-{pid}.txt")
        code, out, _ = histo(pid, "--save", saved)
        self.assertEqual(code, 0, out)
        self.assertEqual(jvm.command(f"leak {count}"), f"leaked {count}")
        code, diff, _ = histo(pid, "--before", saved, "--top", "5")
        self.assertEqual(code, 0, diff)
        return diff

    def assert_top_grower(self, diff, count):
        top = diff["change"]["details"][0]
        self.assertEqual(top["what"], WIDGET, diff)
        self.assertGreaterEqual(top["+"], count)
        self.assertGreaterEqual(top["size_bytes"], count * 16)
        self.assertEqual(diff["by"], "class")

    def test_leaked_class_is_the_top_grower(self):
        jvm = Jvm(self.procs, self.tmp)
        diff = self.diff_after_leak(jvm.pid, jvm, 30000)
        self.assert_top_grower(diff, 30000)
        self.assertEqual(jcmd_count(jvm.pid, WIDGET), 30000)  # the reference
        # The trigger file is gone from the JVM's cwd and /tmp.
        leftovers = [f for d in (f"/proc/{jvm.pid}/cwd", f"/proc/{jvm.pid}/root/tmp")
                     for f in os.listdir(d) if f.startswith(".attach_pid")]
        self.assertEqual(leftovers, [])

    def test_jvm_in_its_own_pid_and_mount_namespace(self):
        def wrap(java):
            script = "mount -t tmpfs memwatch-test /tmp && exec " + " ".join(java)
            return ["unshare", "--pid", "--mount", "--fork", "--kill-child",
                    "--mount-proc", "sh", "-c", script]
        outer = Jvm(self.procs, self.outside_tmp, wrap=wrap)
        pid = wait_until(lambda: children(outer.pid)[0],
                         what="the JVM under unshare")
        self.assertRegex(read(f"/proc/{pid}/status"), r"NSpid:\s+%d\s+1\n" % pid)
        diff = self.diff_after_leak(pid, outer, 20000)
        self.assert_top_grower(diff, 20000)
        # Its listener is in its private /tmp only.
        self.assertTrue(os.path.exists(f"/proc/{pid}/root/tmp/.java_pid1"))
        self.assertFalse(os.path.exists(f"/tmp/.java_pid{pid}"))

    def test_disable_attach_mechanism_is_409_with_the_reason(self):
        jvm = Jvm(self.procs, self.tmp, "-XX:+DisableAttachMechanism")
        code, out, _ = histo(jvm.pid)
        self.assertEqual(code, 1)
        self.assertEqual(out["status"], 409, out)
        self.assertIn("the JVM was started with -XX:+DisableAttachMechanism",
                      out["error"])
        # Not signalled: a SIGQUIT would have printed a thread dump.
        self.assertEqual(jvm.command("leak 1"), "leaked 1")
        jvm.command("exit")
        self.assertNotIn("Full thread dump", jvm.proc.stdout.read())

    def test_hidden_disable_attach_is_504_with_a_hint(self):
        flags = os.path.join(self.tmp, "flags")
        with open(flags, "w") as f:
            f.write("+DisableAttachMechanism\n")
        jvm = Jvm(self.procs, self.tmp, f"-XX:Flags={flags}",
                  "-XX:-UsePerfData")
        code, out, seconds = histo(jvm.pid, "--start-timeout", "1")
        self.assertEqual(out["status"], 504, out)
        self.assertIn("DisableAttachMechanism", out["error"])
        self.assertLess(seconds, 30)

    def test_listener_that_never_answers_is_504(self):
        jvm = Jvm(self.procs, self.tmp)
        self.assertEqual(histo(jvm.pid)[0], 0)  # its listener runs now
        os.kill(jvm.pid, signal.SIGSTOP)
        try:
            code, out, seconds = histo(jvm.pid, "--timeout", "2")
        finally:
            os.kill(jvm.pid, signal.SIGCONT)
        self.assertEqual(out["status"], 504, out)
        self.assertIn("did not answer", out["error"])
        self.assertLess(seconds, 30)

    def test_jvm_that_exits_mid_attach(self):
        jvm = Jvm(self.procs, self.tmp)
        self.assertEqual(histo(jvm.pid)[0], 0)
        os.kill(jvm.pid, signal.SIGSTOP)
        client = self.procs.start(
            [harness.binary("collectors/jvmattach/jvm_histo"), "--pid",
             str(jvm.pid), "--timeout", "60"], stdout=subprocess.PIPE,
            text=True)

        def connected():
            # The helper child has handed over the socket and is gone.
            fds = os.listdir(f"/proc/{client.pid}/fd")
            return not children(client.pid) and any(
                os.readlink(f"/proc/{client.pid}/fd/{fd}").startswith("socket:")
                for fd in fds)
        wait_until(connected, timeout=20, what="jvm_histo connected")
        os.kill(jvm.pid, signal.SIGKILL)
        out, _ = client.communicate(timeout=20)
        out = json.loads(out)
        self.assertEqual(out["status"], 404, out)
        self.assertIn("exited during the attach", out["error"])
        self.assertIn("of its answer", out["error"])  # after connecting

    def test_not_a_jvm_and_no_process(self):
        sleeper = self.procs.start(["sleep", "60"])
        code, out, _ = histo(sleeper.pid)
        self.assertEqual(out["status"], 409, out)
        self.assertIn("is not a JVM", out["error"])
        self.assertIsNone(sleeper.poll())  # never signalled
        dead = self.procs.start(["true"])
        dead.wait()
        code, out, _ = histo(dead.pid)
        self.assertEqual(out["status"], 404, out)


if __name__ == "__main__":
    unittest.main()


class ClassDiffThroughTheExporterTest(unittest.TestCase):
    """by=class as the exporter serves it: the API (POST then GET, behind
    --web.enable-admin-api), and a JVM target's leak events under
    --memwatch.leak-diff=class."""

    @classmethod
    def setUpClass(cls):
        JvmAttachTest.setUpClass.__func__(cls)
        subprocess.run(["javac", "-d", cls.tmp, os.path.join(
            harness.REPO, "tests", "workloads", "java", "Leak.java")], check=True)

    @classmethod
    def tearDownClass(cls):
        JvmAttachTest.tearDownClass.__func__(cls)

    def setUp(self):
        self.procs = Processes()
        self.addCleanup(self.procs.stop_all)

    def test_api_diff_by_class(self):
        jvm = Jvm(self.procs, self.tmp)
        exp = harness.Exporter(self.procs, args=[f"--pid=jvm={jvm.pid}",
                                                 "--web.enable-admin-api"])
        url = f"{exp.base}/api/v1/heapdiff?name=jvm&by=class"
        r = harness.http("POST", url)
        self.assertEqual(r.status, 200, r.text)
        started = json.loads(r.text)
        self.assertTrue(started["id"].startswith("class-"))
        # A second histogram of the same JVM within a minute is refused.
        again = harness.http("POST", url)
        self.assertEqual(again.status, 429, again.text)
        self.assertIn("at most one per pid", again.text)
        self.assertEqual(jvm.command("leak 20000"), "leaked 20000")
        r = exp.get("/api/v1/heapdiff/" + started["id"], timeout=120)
        self.assertEqual(r.status, 200, r.text)
        diff = json.loads(r.text)
        self.assertEqual(diff["by"], "class")
        top = diff["change"]["details"][0]
        self.assertEqual(top["what"], WIDGET, diff["change"]["details"][:3])
        self.assertGreaterEqual(top["+"], 20000)

    def test_leak_event_of_a_jvm_carries_its_class_diff(self):
        # Leak.java keeps a 64 KiB byte[] every 100 ms; a small young
        # generation makes collections (and so compactions) frequent.
        java = self.procs.start(["java", "-Xmx256m", "-Xmn4m", "-cp", self.tmp,
                                 "Leak"])
        exp = harness.Exporter(self.procs, args=[
            f"--pid=jvm={java.pid}", "--memwatch.leak-diff=class",
            "--memwatch.leak-gcs=3"])

        def leak_with_class_diff():
            r = exp.get("/api/v1/events?name=jvm&type=leak")
            for e in json.loads(r.text)["events"]:
                d = e.get("class_diff")
                if d and "error" not in d:
                    return e
            return None
        event = wait_until(leak_with_class_diff, timeout=180, interval=1,
                           what="a leak event of the JVM with a class diff")
        self.assertEqual(event["source"], "hsperfdata")
        top = event["class_diff"]["change"]["details"][0]
        self.assertEqual(top["what"], "[B", event["class_diff"]["change"])
        self.assertGreaterEqual(top["+"], 10)
        self.assertIn("diff", event)  # by mapping as well
