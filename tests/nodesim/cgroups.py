"""Real cgroups in the kubelet's layout on this host's cgroup v1 hierarchies.

The kubelet's cgroupfs driver names a container's cgroup
`kubepods[/<qos>]/pod<uid>/<id>` (no QoS level for Guaranteed pods); the
systemd driver `kubepods.slice[/kubepods-<qos>.slice]/kubepods[-<qos>]-pod
<uid with _>.slice/<runtime prefix><id>.scope`. Both are made in every v1
hierarchy the kubelet sets limits in (memory, cpu, cpuacct, pids) and in the
v2 `unified` mount of a hybrid host, where runc and systemd also place them.

Every directory this module creates is first appended to a manifest file, so
that a run killed at any point can still be cleaned up from outside
(`remove_from_manifest`), bottom-up, once its processes are gone.
"""

import errno
import os
import time

ROOT = "/sys/fs/cgroup"
# the kubelet's hierarchies; "cpu,cpuacct" is how most hosts co-mount them
CANDIDATES = ("memory", "cpu,cpuacct", "cpu", "cpuacct", "pids", "unified")
QOS_ROOTS = ("kubepods/burstable", "kubepods/besteffort", "kubepods",
             "kubepods.slice/kubepods-burstable.slice",
             "kubepods.slice/kubepods-besteffort.slice", "kubepods.slice")
UNLIMITED_V1 = 9223372036854771712  # what v1 reads back for "no limit"


def pod_path(driver, qos, uid):
    """The pod's cgroup, relative to a hierarchy's root."""
    if driver == "cgroupfs":
        return "/".join(["kubepods"] + ([] if qos == "guaranteed" else [qos])
                        + [f"pod{uid}"])
    u = uid.replace("-", "_")  # '-' nests slices in systemd
    if qos == "guaranteed":
        return f"kubepods.slice/kubepods-pod{u}.slice"
    return f"kubepods.slice/kubepods-{qos}.slice/kubepods-{qos}-pod{u}.slice"


def container_dir(driver, runtime, cid):
    """The container's cgroup under its pod's, as containerd/CRI-O name it."""
    if driver == "systemd":
        return (f"cri-containerd-{cid}.scope" if runtime == "containerd"
                else f"crio-{cid}.scope")
    return cid if runtime == "containerd" else f"crio-{cid}"


def hierarchies(root=ROOT):
    """{name: mount dir} of the writable hierarchies to place containers in
    (one per real mount: a symlinked cpu -> cpu,cpuacct counts once)."""
    out, seen = {}, set()
    for name in CANDIDATES:
        d = os.path.join(root, name)
        real = os.path.realpath(d)
        if real in seen or not os.path.isfile(os.path.join(d, "cgroup.procs")):
            continue
        seen.add(real)
        out[name] = d
    return out


def probe_v1_memory(root=ROOT):
    """None when a v1 memory cgroup can be made, limited and removed here;
    else the reason it cannot."""
    mem = os.path.join(root, "memory")
    if not os.path.isfile(os.path.join(mem, "memory.limit_in_bytes")):
        return f"no cgroup v1 memory hierarchy at {mem}"
    d = os.path.join(mem, f"nodesim-probe-{os.getpid()}")
    try:
        os.mkdir(d)
        try:
            with open(os.path.join(d, "memory.limit_in_bytes"), "w") as f:
                f.write("67108864")
        finally:
            os.rmdir(d)
    except OSError as e:
        return f"cgroup v1 memory is not writable ({d}: {e.strerror})"
    return None


def _rmdir(path, attempts=50):
    """rmdir, retried while the kernel still holds exiting tasks (EBUSY)."""
    for _ in range(attempts):
        try:
            os.rmdir(path)
            return True
        except FileNotFoundError:
            return True
        except OSError as e:
            if e.errno != errno.EBUSY:
                return False
            time.sleep(0.1)
    return False


def remove_from_manifest(manifest, root=ROOT):
    """Removes every directory listed in `manifest` (deepest first) and the
    shared QoS levels when empty. Returns the paths that could not be removed
    (still holding processes, or another run's pods)."""
    try:
        with open(manifest) as f:
            paths = {line.strip() for line in f if line.strip()}
    except FileNotFoundError:
        paths = set()
    for h in hierarchies(root).values():
        paths.update(os.path.join(h, q) for q in QOS_ROOTS)
    left = []
    for p in sorted(paths, key=lambda p: (-p.count("/"), p)):
        if not p.startswith(root + "/") or not os.path.isdir(p):
            continue
        if not _rmdir(p, attempts=1 if any(p.endswith(q) for q in QOS_ROOTS) else 50):
            if not any(p.endswith(q) for q in QOS_ROOTS):
                left.append(p)
    return left


class Cgroups:
    """Creates, limits, joins and removes the sim's cgroups."""

    def __init__(self, manifest, root=ROOT):
        self.root = root
        self.manifest = manifest
        self.h = hierarchies(root)
        if "memory" not in self.h:
            raise RuntimeError(f"no cgroup v1 memory hierarchy under {root}")

    def _record(self, path):
        with open(self.manifest, "a") as f:
            f.write(path + "\n")

    def create(self, rel):
        """Makes rel (and missing parents) in every hierarchy."""
        for d in self.h.values():
            path = d
            for part in rel.split("/"):
                path = os.path.join(path, part)
                if not os.path.isdir(path):
                    self._record(path)
                    os.makedirs(path, exist_ok=True)

    def path(self, hierarchy, rel, name=""):
        return os.path.join(self.h[hierarchy], rel, name)

    def write(self, hierarchy, rel, name, value):
        """Writes a control file; False when the hierarchy or file is absent."""
        if hierarchy not in self.h:
            return False
        p = self.path(hierarchy, rel, name)
        if not os.path.exists(p):
            return False
        with open(p, "w") as f:
            f.write(str(value))
        return True

    def limit(self, rel, memory=None, cpu_millis=None, cpu_shares=None):
        """memory.limit_in_bytes, cpu.cfs_quota_us (100 ms period), cpu.shares."""
        if memory:
            self.write("memory", rel, "memory.limit_in_bytes", memory)
        cpu = "cpu,cpuacct" if "cpu,cpuacct" in self.h else "cpu"
        if cpu_millis:
            self.write(cpu, rel, "cpu.cfs_period_us", 100000)
            self.write(cpu, rel, "cpu.cfs_quota_us", cpu_millis * 100)
        if cpu_shares:
            self.write(cpu, rel, "cpu.shares", max(2, cpu_shares))

    def procs_files(self, rel):
        """The cgroup.procs files a process writes its pid to, to join rel."""
        return [os.path.join(d, rel, "cgroup.procs") for d in self.h.values()]

    def pids(self, rel):
        """Pids (in our pid namespace) in rel's memory cgroup; [] when gone."""
        try:
            with open(self.path("memory", rel, "cgroup.procs")) as f:
                return [int(x) for x in f.read().split()]
        except OSError:
            return []

    def oom_kills(self, rel):
        """memory.oom_control's oom_kill counter of rel (kernel >= 4.13)."""
        try:
            with open(self.path("memory", rel, "memory.oom_control")) as f:
                for line in f:
                    k, _, v = line.partition(" ")
                    if k == "oom_kill":
                        return int(v)
        except (OSError, ValueError):
            pass
        return 0

    def memory_stat(self, rel):
        """{key: value} of rel's memory.stat, {} when gone."""
        out = {}
        try:
            with open(self.path("memory", rel, "memory.stat")) as f:
                for line in f:
                    k, _, v = line.partition(" ")
                    out[k] = int(v)
        except (OSError, ValueError):
            pass
        return out

    def remove(self, rel):
        """rmdir rel in every hierarchy (its processes must be gone)."""
        ok = True
        for d in self.h.values():
            p = os.path.join(d, rel)
            if os.path.isdir(p):
                ok = _rmdir(p) and ok
        return ok
