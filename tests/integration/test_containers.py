"""--targets.containers end to end, on real cgroups of this machine.

The test lays out cgroups the way the kubelet's cgroupfs driver and runc do on
a v1 host (/sys/fs/cgroup/memory/kubepods/burstable/pod<uid>/<64-hex id>, the
same path in the cpu hierarchy and in the hybrid host's unified/ mount), starts
real processes in them (each writes its own pid to cgroup.procs before it
execs, so it is born there), serves their PodList from the fake API server
(tests/integration/fake_kube_api.py) and checks what the built exporter makes
of them. Other engineers' containers may exist on the machine: assertions only
concern this test's pods. Cgroups are removed bottom-up (processes killed
first) even when a test fails.

    python3 -m unittest tests.integration.test_containers -v
"""

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid

from tests.lib import harness
from tests.lib.harness import Exporter, Processes, parse_metrics

CGROUP = "/sys/fs/cgroup"
FAKE_API = os.path.join(os.path.dirname(__file__), "fake_kube_api.py")
LEAK_SRC = os.path.join(harness.REPO, "tests", "fixtures", "hsperf", "Leak.java")
MIB = 1 << 20

# Joins the cgroups named in argv[1] (',' list of cgroup.procs files), then
# execs the rest: the process is born in its container.
ENTER = ("import os, sys\n"
         "for p in sys.argv[1].split(','):\n"
         "    with open(p, 'w') as f: f.write(str(os.getpid()))\n"
         "os.execvp(sys.argv[2], sys.argv[2:])\n")
SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)"]
BUSY = [sys.executable, "-c", "while True: pass"]


def v1_memory_writable():
    return (os.geteuid() == 0 and
            os.access(f"{CGROUP}/memory/memory.limit_in_bytes", os.W_OK))


def hierarchies():
    """The hierarchies a container cgroup is made in (runc's hybrid layout)."""
    out = ["memory"]
    for cpu in ("cpu,cpuacct", "cpu"):
        if os.path.exists(f"{CGROUP}/{cpu}/cpu.cfs_period_us"):
            out.append(cpu)
            break
    if os.path.exists(f"{CGROUP}/unified/cgroup.controllers"):
        out.append("unified")
    return out


class Node:
    """This test's pods and containers as real cgroups and processes."""

    def __init__(self, procs):
        self.procs = procs
        self.created = []  # directories made, in order
        self.by_container = {}  # container id -> [Popen]

    def _mkdirs(self, rel):
        for h in hierarchies():
            path = CGROUP + "/" + h
            for part in rel.split("/"):
                path += "/" + part
                if not os.path.isdir(path):
                    os.mkdir(path)
                    self.created.append(path)

    def container(self, pod_uid, cid, argv, limit=None, cpu_quota_us=None,
                  **popen):
        rel = f"kubepods/burstable/pod{pod_uid}/{cid}"
        self._mkdirs(rel)
        if limit is not None:
            with open(f"{CGROUP}/memory/{rel}/memory.limit_in_bytes", "w") as f:
                f.write(str(limit))
        if cpu_quota_us is not None:
            cpu = [h for h in hierarchies() if h.startswith("cpu")][0]
            with open(f"{CGROUP}/{cpu}/{rel}/cpu.cfs_quota_us", "w") as f:
                f.write(str(cpu_quota_us))
        joins = ",".join(f"{CGROUP}/{h}/{rel}/cgroup.procs" for h in hierarchies())
        p = self.procs.start([sys.executable, "-c", ENTER, joins, *argv], **popen)
        self.by_container.setdefault(cid, []).append(p)
        harness.wait_until(lambda: self.pids(pod_uid, cid), timeout=10,
                           what=f"process in container {cid[:12]}")
        return p

    def pids(self, pod_uid, cid):
        path = f"{CGROUP}/memory/kubepods/burstable/pod{pod_uid}/{cid}/cgroup.procs"
        try:
            with open(path) as f:
                return [int(x) for x in f.read().split()]
        except FileNotFoundError:
            return []

    def remove(self, pod_uid, cid):
        """What the runtime does when a container ends: its processes are
        gone, then its cgroups are removed."""
        for p in self.by_container.pop(cid, []):
            self.procs.stop(p, sig=signal.SIGKILL)
        rel = f"kubepods/burstable/pod{pod_uid}/{cid}"
        for h in hierarchies():
            self._rmdir(f"{CGROUP}/{h}/{rel}")

    def _rmdir(self, path):
        deadline = time.monotonic() + 10
        while os.path.isdir(path):
            try:
                with open(path + "/cgroup.procs") as f:
                    for pid in f.read().split():
                        try:
                            os.kill(int(pid), signal.SIGKILL)
                        except ProcessLookupError:
                            pass
                os.rmdir(path)
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def cleanup(self):
        for ps in self.by_container.values():
            for p in ps:
                self.procs.stop(p, sig=signal.SIGKILL)
        errors = []
        for path in reversed(self.created):
            try:
                self._rmdir(path)
            except OSError as e:  # a parent others use (kubepods): theirs
                if "kubepods/burstable/pod" in path:
                    errors.append(f"{path}: {e}")
        if errors:
            raise AssertionError("cgroups left behind: " + "; ".join(errors))


def pod_item(ns, name, uid, containers, annotations=None):
    return {"metadata": {"namespace": ns, "name": name, "uid": uid,
                         "annotations": annotations or {}},
            "status": {"containerStatuses": [
                {"name": n, "containerID": "containerd://" + cid,
                 "restartCount": 0}
                for n, cid in containers.items()]}}


def names_in(text):
    """{target name: set of metric names that carry it}."""
    out = {}
    for (metric, labels), _ in parse_metrics(text).items():
        name = dict(labels).get("name")
        if name is not None:
            out.setdefault(name, set()).add(metric)
    return out


def value(text, metric, name, **labels):
    return harness.metric_value(text, metric, name=name, **labels)


@unittest.skipUnless(v1_memory_writable(),
                     "needs root and a writable cgroup v1 memory hierarchy")
class ContainersTest(unittest.TestCase):
    def setUp(self):
        self.procs = Processes()
        self.addCleanup(self.procs.stop_all)
        self.node = Node(self.procs)
        self.addCleanup(self.node.cleanup)
        self.tmp = tempfile.mkdtemp(prefix="memwatch-containers-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.podlist = os.path.join(self.tmp, "podlist.json")
        self.pods = []
        self.write_podlist()
        self.pod_logs = os.path.join(self.tmp, "pods")
        os.mkdir(self.pod_logs)

    def write_podlist(self):
        tmp = self.podlist + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"kind": "PodList", "apiVersion": "v1",
                       "metadata": {"resourceVersion": "1"},
                       "items": self.pods}, f)
        os.replace(tmp, self.podlist)

    def start(self, *extra):
        port = harness.free_port()
        token = os.path.join(self.tmp, "token")
        with open(token, "w") as f:
            f.write("t")
        api = self.procs.start([sys.executable, FAKE_API, "--port", str(port),
                                "--document", self.podlist, "--requests",
                                os.path.join(self.tmp, "requests.jsonl")])

        def listening():
            if api.poll() is not None:
                raise AssertionError(f"fake API exited {api.returncode}")
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        harness.wait_until(listening, timeout=10, what="fake API")
        return Exporter(self.procs, args=[
            "--targets.containers",
            f"--path.cgroupfs={CGROUP}",
            f"--path.pod-logs={self.pod_logs}",
            "--collector.kubernetes",
            f"--kubernetes.api-url=http://127.0.0.1:{port}",
            "--kubernetes.node-name=node-1",
            f"--kubernetes.token-file={token}",
            "--kubernetes.ca-file=",
            "--kubernetes.refresh-interval=2", *extra])

    @staticmethod
    def new_pod(name):
        """A pod UID and a pod name of this run."""
        return str(uuid.uuid4()), f"{name}-{secrets.token_hex(3)}"

    def test_one_target_per_container_named_filtered_and_as_the_kernel_says(self):
        ua, pod_a = self.new_pod("cart")
        ub, pod_b = self.new_pod("optout")
        uc, pod_c = self.new_pod("other")
        app, side, sandbox = (secrets.token_hex(32) for _ in range(3))
        x, y = secrets.token_hex(32), secrets.token_hex(32)
        pause = os.path.join(self.tmp, "pause")
        os.symlink(shutil.which("sleep"), pause)  # comm "pause", like k8s'
        self.node.container(ua, sandbox, [pause, "600"])
        self.node.container(ua, app, SLEEPER, limit=256 * MIB)
        self.node.container(ua, side, BUSY, cpu_quota_us=10000)  # 0.1 CPU
        self.node.container(ub, x, SLEEPER)
        self.node.container(uc, y, SLEEPER)
        self.pods = [
            pod_item("mwit-shop", pod_a, ua, {"app": app, "side": side}),
            pod_item("mwit-shop", pod_b, ub, {"x": x},
                     {"memwatch.io/exclude": "true"}),
            pod_item("mwit-skip", pod_c, uc, {"y": y}),
        ]
        self.write_podlist()
        exp = self.start("--targets.containers.namespaces-exclude=mwit-skip")
        app_name = f"mwit-shop/{pod_a}/app"
        side_name = f"mwit-shop/{pod_a}/side"
        seen = set()

        def named():
            text = exp.metrics()
            names = names_in(text)
            seen.update(names)
            ok = (app_name in names and side_name in names and
                  not {x[:12], y[:12]} & set(names))
            return text if ok else None
        text = harness.wait_until(named, timeout=20, what="named containers")
        names = names_in(text)
        # The sandbox never was a target, by name or by id.
        self.assertNotIn(sandbox[:12], seen)
        self.assertFalse([n for n in names if pod_a in n and n not in
                          (app_name, side_name)], names.keys())
        # Opted out by annotation, left out by namespace.
        self.assertFalse([n for n in names if pod_b in n or pod_c in n])
        info = [dict(ls) for (m, ls), _ in parse_metrics(text).items()
                if m == "memwatch_target_info" and dict(ls)["name"] == app_name]
        self.assertEqual(len(info), 1)
        self.assertEqual((info[0]["namespace"], info[0]["pod"],
                          info[0]["container"]), ("mwit-shop", pod_a, "app"))
        self.assertEqual([int(info[0]["pid"])], self.node.pids(ua, app))
        # A container target says so (the alert rules never call it down).
        self.assertEqual(harness.metric_value(
            text, "memwatch_target_up", name=app_name, discovery="container"), 1)

        # Memory as the kernel's files say it, read right after the scrape.
        mem = f"{CGROUP}/memory/kubepods/burstable/pod{ua}/{app}"
        self.assertEqual(
            value(text, "memwatch_cgroup_memory_limit_bytes", app_name),
            256 * MIB)
        with open(mem + "/memory.usage_in_bytes") as f:
            usage = int(f.read())
        with open(mem + "/memory.stat") as f:
            stat = dict(line.split() for line in f)
        working_set = max(0, usage - int(stat["total_inactive_file"]))
        self.assertAlmostEqual(
            value(text, "memwatch_cgroup_memory_usage_bytes", app_name),
            usage, delta=MIB)
        self.assertAlmostEqual(
            value(text, "memwatch_cgroup_memory_working_set_bytes", app_name),
            working_set, delta=MIB)
        self.assertEqual(value(text, "memwatch_cgroup_oom_kills_total",
                               app_name), 0)
        # Unlimited sidecar: no limit series (not the pod's, not a sum).
        self.assertIsNone(
            value(text, "memwatch_cgroup_memory_limit_bytes", side_name))
        if "unified" in hierarchies():
            self.assertIsNotNone(value(
                text, "memwatch_cgroup_memory_pressure_waiting_seconds_total",
                app_name))

        # The busy sidecar runs into its 0.1 CPU quota.
        cpu = [h for h in hierarchies() if h.startswith("cpu")][0]
        text = harness.wait_until(
            lambda: (lambda t: t if (value(
                t, "memwatch_cgroup_cpu_throttled_periods_total", side_name)
                or 0) >= 5 else None)(exp.metrics()),
            timeout=15, what="throttled periods")
        with open(f"{CGROUP}/{cpu}/kubepods/burstable/pod{ua}/{side}/cpu.stat") as f:
            cpu_stat = dict(line.split() for line in f)
        throttled = value(text, "memwatch_cgroup_cpu_throttled_periods_total",
                          side_name)
        self.assertLessEqual(throttled, int(cpu_stat["nr_throttled"]))
        self.assertGreater(value(
            text, "memwatch_cgroup_cpu_throttled_seconds_total", side_name), 0)
        self.assertGreaterEqual(value(
            text, "memwatch_cgroup_cpu_periods_total", side_name), throttled)

    def test_removed_container_goes_and_restarted_one_keeps_its_name(self):
        uid, pod = self.new_pod("web")
        web, worker = secrets.token_hex(32), secrets.token_hex(32)
        self.node.container(uid, web, SLEEPER)
        self.node.container(uid, worker, SLEEPER)
        self.pods = [pod_item("mwit-web", pod, uid, {"web": web,
                                                     "worker": worker})]
        self.write_podlist()
        exp = self.start()
        web_name, worker_name = f"mwit-web/{pod}/web", f"mwit-web/{pod}/worker"
        harness.wait_until(
            lambda: {web_name, worker_name} <= set(names_in(exp.metrics())),
            timeout=20, what="both containers named")

        self.node.remove(uid, worker)
        first = names_in(exp.metrics())  # the first scrape after
        self.assertFalse({m for m in first.get(worker_name, set())
                          if m.startswith(("memwatch_target", "memwatch_process",
                                           "memwatch_cgroup"))},
                         "process and cgroup series at the first scrape")
        # The memwatch collector's series follow at its next resolution (its
        # sampler sees the processes gone within a second): all gone within
        # two scrapes at a 5 s interval.
        second = harness.wait_until(
            lambda: (lambda n: n if worker_name not in n else None)(
                names_in(exp.metrics())),
            timeout=10, what="every series of the removed container gone")
        self.assertIn(web_name, second)

        # web is restarted: a new container id in the same pod.
        old_pid = self.node.pids(uid, web)
        self.node.remove(uid, web)
        web2 = secrets.token_hex(32)
        self.node.container(uid, web2, SLEEPER)
        self.pods = [pod_item("mwit-web", pod, uid, {"web": web2})]
        self.write_podlist()
        new_pid = self.node.pids(uid, web2)
        self.assertNotEqual(old_pid, new_pid)
        seen = set()

        def restarted():
            text = exp.metrics()
            seen.update(names_in(text))
            return harness.metric_value(text, "memwatch_target_info",
                                        name=web_name, pid=new_pid[0])
        harness.wait_until(restarted, timeout=20, what="web under its name")
        self.assertNotIn(web2[:12], seen)  # its pod was known: never its id

    def test_oom_kill_counts_though_the_cgroup_is_removed_at_once(self):
        uid, pod = self.new_pod("hog")
        hog = secrets.token_hex(32)
        p = self.node.container(
            uid, hog,
            [sys.executable, "-c",
             "import sys; sys.stdin.readline(); b = b'x' * (256 << 20)"],
            limit=64 * MIB, stdin=subprocess.PIPE)
        self.pods = [pod_item("mwit-oom", pod, uid, {"hog": hog})]
        self.write_podlist()
        exp = self.start("--log.level=debug")
        name = f"mwit-oom/{pod}/hog"
        harness.wait_until(
            lambda: value(exp.metrics(), "memwatch_cgroup_oom_kills_total",
                          name) == 0,
            timeout=20, what="the container with no OOM kill yet")
        # The OOM watcher (its own clock, 1 s) registers the cgroup.
        harness.wait_until(lambda: hog in exp.log_text(), timeout=10,
                           what="the OOM watcher watching the container")
        p.stdin.write(b"go\n")
        p.stdin.flush()
        self.assertEqual(p.wait(timeout=20), -signal.SIGKILL)
        self.node.remove(uid, hog)  # the runtime removes it right away
        text = exp.metrics()
        self.assertEqual(value(text, "memwatch_cgroup_oom_kills_total", name),
                         1)
        self.assertGreaterEqual(
            value(text, "memwatch_cgroup_oom_events_total", name), 1)
        # Shown in that one scrape only; the memwatch collector's series go at
        # its next resolution (within two scrapes at a 5 s interval).
        after = names_in(exp.metrics()).get(name, set())
        self.assertFalse({m for m in after if m.startswith("memwatch_cgroup")},
                         after)
        harness.wait_until(lambda: name not in names_in(exp.metrics()),
                           timeout=10, what="every series of the killed one gone")

    def test_vanishing_processes_are_not_read_errors(self):
        churn = os.path.join(self.tmp, "mwchurn")
        os.symlink(shutil.which("sleep"), churn)
        spawner = self.procs.start([sys.executable, "-c", (
            "import subprocess, sys\n"
            "while True:\n"
            "    ps = [subprocess.Popen([sys.argv[1], '0.00%d' % i])"
            " for i in range(1, 9)]\n"
            "    [p.wait() for p in ps]\n"), churn])
        exp = Exporter(self.procs, args=["--match=name=churn,comm=mwchurn",
                                         "--no-collector.memwatch"])
        seen = 0
        for _ in range(60):
            text = exp.metrics()
            seen += sum(1 for l in text.splitlines()
                        if l.startswith("memwatch_target_info{")
                        and 'name="churn"' in l)
            self.assertIsNone(harness.metric_value(
                text, "memwatch_process_read_errors_total", name="churn"),
                [l for l in text.splitlines() if "read_errors" in l])
        self.assertIsNone(spawner.poll())
        self.assertGreater(seen, 10, "the scrapes did see the churning processes")

    @unittest.skipUnless(shutil.which("java") and shutil.which("javac") and
                         shutil.which("unshare"), "java, javac, unshare")
    def test_jvm_in_its_own_pid_and_mount_namespace_uses_perf_data(self):
        # Not under /tmp: the container gets a /tmp of its own.
        classes = tempfile.mkdtemp(prefix="memwatch-jvm-", dir="/var/tmp")
        self.addCleanup(shutil.rmtree, classes, True)
        subprocess.run(["javac", "-d", classes, LEAK_SRC], check=True)
        uid, pod = self.new_pod("jvm")
        cid = secrets.token_hex(32)
        # As in a pod: pid 1 of its own namespace, a private /tmp.
        self.node.container(uid, cid, [
            "unshare", "--pid", "--mount", "--fork", "sh", "-c",
            "mount -t tmpfs tmpfs /tmp && exec java -Xmx64m -cp " + classes +
            " Leak 0 100 1024"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.pods = [pod_item("mwit-jvm", pod, uid, {"app": cid})]
        self.write_podlist()
        exp = self.start()
        name = f"mwit-jvm/{pod}/app"
        harness.wait_until(
            lambda: harness.metric_value(exp.metrics(), "memwatch_target_info",
                                         name=name, source="hsperfdata"),
            timeout=30, what="the JVM judged by its perf data")
        text = exp.metrics()
        self.assertIsNotNone(harness.metric_value(
            text, "memwatch_jvm_memory_used_bytes", name=name))

    def test_container_log_with_gc_lines_becomes_its_gc_log_source(self):
        uid, pod = self.new_pod("api")
        cid = secrets.token_hex(32)
        script = ("const keep = []; setInterval(() => { let g = [];"
                  " for (let i = 0; i < 20000; i++) g.push({i});"
                  " keep.push(g.length); }, 20);")
        p = self.node.container(uid, cid, ["node", "--trace-gc", "-e", script],
                                stdout=subprocess.PIPE)
        log_dir = os.path.join(self.pod_logs, f"mwit-node_{pod}_{uid}", "api")
        os.makedirs(log_dir)
        log = os.path.join(log_dir, "0.log")
        open(log, "w").close()

        def cri_writer():  # what containerd does with the container's stdout
            with open(log, "a") as out:
                for line in p.stdout:
                    ns = time.time_ns()
                    ts = time.strftime("%Y-%m-%dT%H:%M:%S",
                                       time.gmtime(ns // 10**9))
                    out.write(f"{ts}.{ns % 10**9:09d}Z stdout F "
                              f"{line.decode(errors='replace').rstrip()}\n")
                    out.flush()
        threading.Thread(target=cri_writer, daemon=True).start()
        self.pods = [pod_item("mwit-node", pod, uid, {"api": cid})]
        self.write_podlist()
        exp = self.start()
        name = f"mwit-node/{pod}/api"
        harness.wait_until(
            lambda: harness.metric_value(exp.metrics(), "memwatch_target_info",
                                         name=name, source="gc_log"),
            timeout=30, what="the container's CRI log adopted as gc_log")
        self.assertGreater(harness.metric_value(
            exp.metrics(), "memwatch_gc_log_lines_total", name=name,
            outcome="record"), 0)


if __name__ == "__main__":
    unittest.main()
