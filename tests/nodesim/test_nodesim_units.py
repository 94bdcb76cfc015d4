"""Units of scripts/node-sim on plain inputs (seconds; no cgroups, no root):
the kubelet's cgroup names, the DaemonSet arguments mapped to this host, the
strace plan of a scrape, CRI log lines, container statuses and QoS classes.

    python3 -m unittest tests.nodesim.test_nodesim_units -v
"""

import os
import re
import shutil
import subprocess
import tempfile
import textwrap
import time
import unittest

from tests.lib import harness
from tests.nodesim import cgroups, exporter, floor, podlist, pods, runtime

def read(path):
    with open(path) as f:
        return f.read()


UID = "1e3f5c2a-8b7d-4c1e-9f00-0123456789ab"
CID = "ab" * 32


class CgroupNames(unittest.TestCase):
    def test_cgroupfs_driver(self):
        self.assertEqual(cgroups.pod_path("cgroupfs", "burstable", UID),
                         f"kubepods/burstable/pod{UID}")
        self.assertEqual(cgroups.pod_path("cgroupfs", "guaranteed", UID), f"kubepods/pod{UID}")
        self.assertEqual(cgroups.container_dir("cgroupfs", "containerd", CID), CID)
        self.assertEqual(cgroups.container_dir("cgroupfs", "cri-o", CID), f"crio-{CID}")

    def test_systemd_driver(self):
        u = UID.replace("-", "_")
        self.assertEqual(cgroups.pod_path("systemd", "besteffort", UID),
                         "kubepods.slice/kubepods-besteffort.slice/"
                         f"kubepods-besteffort-pod{u}.slice")
        self.assertEqual(cgroups.pod_path("systemd", "guaranteed", UID),
                         f"kubepods.slice/kubepods-pod{u}.slice")
        self.assertEqual(cgroups.container_dir("systemd", "containerd", CID),
                         f"cri-containerd-{CID}.scope")
        self.assertEqual(cgroups.container_dir("systemd", "cri-o", CID), f"crio-{CID}.scope")

    def test_container_ids_are_64_hex(self):
        ids = {runtime.new_container_id() for _ in range(20)}
        self.assertEqual(len(ids), 20)
        for i in ids:
            self.assertRegex(i, r"^[0-9a-f]{64}$")


MANIFEST = """\
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: memwatch-exporter}
spec:
  template:
    spec:
      containers:
        - name: memwatch-exporter
          args:
            - --web.listen-address=0.0.0.0:9747
            - --path.procfs=/host/proc
            - --path.cgroupfs=/host/sys/fs/cgroup
            - --path.pod-logs=/host/var/log/pods
            - --memwatch.gc-log=x=/host/proc/1/root/tmp/gc.log
            - --kubernetes.node-name=$(NODE_NAME)
            - --match=name=node,comm=node
          env:
            - {name: NODE_NAME, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}
            - {name: GOGC, value: "50"}
          resources: {limits: {memory: 96Mi}}
          volumeMounts:
            - {name: proc, mountPath: /host/proc}
            - {name: cgroup, mountPath: /host/sys/fs/cgroup}
            - {name: logs, mountPath: /host/var/log/pods}
            - {name: cfg, mountPath: /etc/memwatch}
      volumes:
        - {name: proc, hostPath: {path: /proc}}
        - {name: cgroup, hostPath: {path: /sys/fs/cgroup}}
        - {name: logs, hostPath: {path: /var/log/pods}}
        - {name: cfg, configMap: {name: memwatch}}
"""


class DaemonSetArgs(unittest.TestCase):
    def setup_for(self, text, drop=(), extra=(), drop_unknown=True):
        d = tempfile.mkdtemp(prefix="nodesim-units-")
        self.addCleanup(shutil.rmtree, d, True)
        path = os.path.join(d, "ds.yaml")
        with open(path, "w") as f:
            f.write(text)
        return exporter.ExporterSetup(harness.binary("exporter/memwatch_exporter"), path,
                                      "/var/tmp/sim", "worker-9", 4321,
                                      "http://127.0.0.1:1", drop, extra, drop_unknown)

    def test_host_paths_env_and_owned_flags(self):
        s = self.setup_for(MANIFEST, drop=["--match"], extra=["--match=name=x,comm=y"])
        self.assertEqual(s.mapped_args[:5], [
            "--path.procfs=/proc", "--path.cgroupfs=/sys/fs/cgroup",
            "--path.pod-logs=/var/tmp/sim/var/log/pods",
            "--memwatch.gc-log=x=/proc/1/root/tmp/gc.log",
            "--kubernetes.node-name=worker-9"])
        self.assertIn("--web.listen-address=127.0.0.1:4321", s.args)
        self.assertNotIn("--web.listen-address=0.0.0.0:9747", s.args)
        self.assertIn("--kubernetes.token-file=", s.args)
        self.assertEqual(s.args[-1], "--match=name=x,comm=y")
        self.assertNotIn("--match=name=node,comm=node", s.args)
        self.assertEqual(s.env, {"NODE_NAME": "worker-9", "GOGC": "50"})
        self.assertEqual(s.memory_limit, 96 * 2**20)

    def test_flags_the_binary_does_not_know(self):
        # (without --path.pod-logs, which some binaries know and some do not)
        base = MANIFEST.replace("            - --path.pod-logs=/host/var/log/pods\n", "")
        text = base.replace("--match=name=node,comm=node", "--no-such.flag=1")
        with self.assertRaisesRegex(RuntimeError, "--no-such.flag=1"):
            self.setup_for(text, drop_unknown=False)
        s = self.setup_for(text)
        self.assertNotIn("--no-such.flag=1", s.args)
        self.assertTrue(any("--no-such.flag=1 left out" in n for n in s.notes), s.notes)
        # collectors are flags too, with their --no- form
        text = base.replace("--match=name=node,comm=node", "--no-collector.heapdiff")
        s = self.setup_for(text, drop_unknown=False)
        self.assertIn("--no-collector.heapdiff", s.args)

    def test_the_shipped_daemonset(self):
        s = self.setup_for(read(os.path.join(exporter.MANIFEST, "daemonset.yaml")))
        self.assertIn("--path.procfs=/proc", s.args)
        self.assertIn("--path.cgroupfs=/sys/fs/cgroup", s.args)
        self.assertEqual(s.env["NODE_NAME"], "worker-9")
        self.assertTrue(s.memory_limit)

    def test_quantities(self):
        self.assertEqual(exporter.quantity_bytes("64Mi"), 64 * 2**20)
        self.assertEqual(exporter.quantity_bytes("1G"), 10**9)
        with self.assertRaises(ValueError):
            exporter.quantity_bytes("12 parsecs")


TRACE = """\
7 100.000100 openat(AT_FDCWD</w>, "/proc", O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_DIRECTORY) = 4</proc>
7 100.000200 newfstatat(4</proc>, "", {st_mode=S_IFDIR|0555, ...}, AT_EMPTY_PATH) = 0
7 100.000300 openat(AT_FDCWD</w>, "/proc/12/stat", O_RDONLY|O_CLOEXEC) = 5</proc/12/stat>
8 100.000400 openat(5</proc/12>, "status", O_RDONLY <unfinished ...>
7 100.000500 newfstatat(AT_FDCWD</w>, "/proc/12/fd", {st_mode=S_IFDIR|0500, ...}, 0) = 0
7 100.000600 newfstatat(AT_FDCWD</w>, "/sys/fs/cgroup/memory/a/memory.limit_in_bytes", {...}, 0) = 0
7 100.000700 openat(AT_FDCWD</w>, "/sys/fs/cgroup/memory/a/memory.limit_in_bytes", O_RDONLY) = 6</x>
7 100.000800 readlink("/proc/12/exe", "/usr/bin/sleep", 4095) = 14
7 100.000850 openat(AT_FDCWD</w>, "/sys/fs/cgroup/memory/b", O_RDONLY|O_CLOEXEC|O_PATH|O_DIRECTORY) = 7</sys/fs/cgroup/memory/b>
7 100.000860 openat(7</sys/fs/cgroup/memory/b>, "memory.stat", O_RDONLY|O_CLOEXEC) = 8</x>
9 100.000900 newfstatat(AT_FDCWD</w>, "/.htpasswd", 0x7f, 0) = -1 ENOENT (No such file)
7 200.000000 openat(AT_FDCWD</w>, "/proc/13/stat", O_RDONLY) = 5</proc/13/stat>
"""


class ScrapePlan(unittest.TestCase):
    def test_reads_in_the_window_under_the_roots(self):
        plan = floor.parse_trace(TRACE.splitlines(), 100.0, 101.0, ["/proc", "/sys/fs/cgroup"])
        self.assertEqual(plan, [
            ("list", "/proc"), ("read", "/proc/12/stat"), ("read", "/proc/12/status"),
            ("stat", "/proc/12/fd"),
            ("read", "/sys/fs/cgroup/memory/a/memory.limit_in_bytes"),
            ("readlink", "/proc/12/exe"),
            # a directory held open (O_PATH) is a path walk, not a listing
            ("stat", "/sys/fs/cgroup/memory/b"),
            ("read", "/sys/fs/cgroup/memory/b/memory.stat")])
        s = floor.summarize(plan)
        self.assertEqual((s["pids"], s["cgroup_dirs"], s["ops"]), (1, 2, 8))


class CriLog(unittest.TestCase):
    def test_lines_and_partials(self):
        d = tempfile.mkdtemp(prefix="nodesim-units-")
        self.addCleanup(shutil.rmtree, d, True)
        path = os.path.join(d, "c", "0.log")
        shipper = runtime.LogShipper()
        long = "x" * (runtime.MAX_LINE + 10)
        p = subprocess.Popen(["sh", "-c", f"echo one; echo two >&2; printf '{long}\\nlast'"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        shipper.add(p.stdout, "stdout", path)
        shipper.add(p.stderr, "stderr", path)
        p.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not (
                os.path.exists(path) and read(path).endswith("F last\n")):
            time.sleep(0.05)
        shipper.close()
        lines = read(path).splitlines()
        ts = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z "
        for line in lines:
            self.assertRegex(line, ts + r"(stdout|stderr) [FP] ")
        body = [line.split(" ", 3)[1:] for line in lines]
        self.assertIn(["stdout", "F", "one"], body)
        self.assertIn(["stderr", "F", "two"], body)
        self.assertIn(["stdout", "P", "x" * runtime.MAX_LINE], body)
        self.assertIn(["stdout", "F", "x" * 10], body)
        self.assertEqual(body[-1], ["stdout", "F", "last"])


class Status(unittest.TestCase):
    def test_restarted_after_an_oom_kill(self):
        class C:  # the kubelet's ContainerState, as podlist reads it
            spec = {"name": "w", "image": "img"}
            cid, proc, exited, restart_due, restart_count = CID, object(), None, None, 1
            started = 1.7e9
            last_terminated = {"exitCode": 137, "reason": "OOMKilled"}
        st = podlist.container_status(C, "cri-o")
        self.assertEqual(st["containerID"], f"cri-o://{CID}")
        self.assertEqual(st["restartCount"], 1)
        self.assertIn("running", st["state"])
        self.assertEqual(st["lastState"]["terminated"]["reason"], "OOMKilled")
        C.proc, C.restart_due = None, 5.0
        self.assertEqual(podlist.container_status(C, "cri-o")["state"]["waiting"]["reason"],
                         "CrashLoopBackOff")

    def test_qos(self):
        k = pods._kinds("/bin")
        g = pods.container(k, "a", "c-leak", "leak", memory=64, cpu=100)
        b = pods.container(k, "a", "c-leak", "leak", memory=64)
        e = pods.container(k, "a", "c-leak", "leak")
        self.assertEqual(pods.qos_class([g]), "guaranteed")
        self.assertEqual(pods.qos_class([g, b]), "burstable")
        self.assertEqual(pods.qos_class([e]), "besteffort")
        self.assertEqual(pods.qos_class([e, g]), "burstable")

    def test_catalogs(self):
        full = pods.full_catalog("/bin", 100)
        self.assertEqual(sum(len(p["containers"]) for p in full), 100)
        roles = [c["role"] for p in full for c in p["containers"]]
        self.assertEqual(roles.count("oom"), 1)
        self.assertEqual(len({p["uid"] for p in full}), len(full))
        self.assertEqual({p["driver"] for p in full}, {"cgroupfs", "systemd"})
        short = pods.short_catalog("/bin")
        self.assertEqual(sorted(c["role"] for p in short for c in p["containers"]),
                         ["leak", "oom", "steady", "steady"])
        self.assertTrue(all(re.fullmatch(r"[a-z0-9-]+", p["name"]) for p in full + short))


if __name__ == "__main__":
    unittest.main()
