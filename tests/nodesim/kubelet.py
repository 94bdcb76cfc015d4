"""The node side of scripts/node-sim: runs as pid 1 of its own pid namespace
(so the node's /proc holds only the node's processes) and does the kubelet's
and the container runtime's jobs for the pods of its config: pod and
container cgroups, a pause sandbox per pod, the containers' processes, their
CRI logs, restarts with the kubelet's back-off (a new container id, the
restart count up, lastState terminated with reason OOMKilled when the kernel
killed it), pod deletion, and the PodList. It also runs the exporter with the
arguments it is given and the node-side measurements (floor.py).

    python3 -m tests.nodesim.kubelet CONFIG.json

Everything it does is appended to the config's events file (JSON lines) for
the cluster side (cluster.py) to read; its results go to the result file.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time

from tests.nodesim import cgroups, exporter, floor, podlist, runtime


class ContainerState:
    def __init__(self, spec):
        self.spec = spec
        self.cid = None
        self.rel = None
        self.proc = None
        self.started = None
        self.exited = None          # the terminated state once it exited
        self.last_terminated = None
        self.restart_count = 0
        self.restart_due = None     # monotonic time of the next start
        self.stop_deadline = None   # set while being stopped (no restart)
        self.crashes = 0


class PodState:
    def __init__(self, spec):
        self.spec = spec
        self.rel = cgroups.pod_path(spec["driver"], spec["qos"], spec["uid"])
        self.created = time.time()
        self.deleting = None
        self.pause = ContainerState({"name": "POD", "argv": [], "env": {}, "namespaced": False})
        self.containers = [ContainerState(c) for c in spec["containers"]]

    @property
    def key(self):
        return f"{self.spec['namespace']}/{self.spec['name']}"


def millis(q):
    return int(q[:-1]) if q.endswith("m") else int(float(q) * 1000)


def mib(q):
    return exporter.quantity_bytes(q)


class Kubelet:
    def __init__(self, cfg):
        self.cfg = cfg
        self.cg = cgroups.Cgroups(cfg["cgroup_manifest"])
        self.logs = runtime.LogShipper()
        self.events = open(cfg["events"], "a")
        self.pods = []
        self.version = 1
        self.dirty = True
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.known_pids = set()
        self.result = {"vm": [], "threads": {}}
        self.exporter = None

    def emit(self, ev, **kw):
        with self.lock:
            self.events.write(json.dumps({"ev": ev, "t": time.time(),
                                          "m": time.monotonic(), **kw}) + "\n")
            self.events.flush()

    def publish(self):
        if self.dirty:
            self.version += 1
            podlist.write(self.cfg["podlist"], self.pods, self.cfg["node_name"], self.version)
            self.dirty = False

    # -- containers -----------------------------------------------------------------
    def start_container(self, pod, c, sandbox=False):
        spec, prt = pod.spec, pod.spec["runtime"]
        c.cid = runtime.new_container_id()
        c.rel = pod.rel + "/" + cgroups.container_dir(spec["driver"], prt, c.cid)
        self.cg.create(c.rel)
        res = c.spec.get("resources", {})
        lim, req = res.get("limits", {}), res.get("requests", {})
        self.cg.limit(c.rel, memory=mib(lim["memory"]) if "memory" in lim else None,
                      cpu_millis=millis(lim["cpu"]) if "cpu" in lim else None,
                      cpu_shares=millis(req["cpu"]) * 1024 // 1000 if "cpu" in req else 2)
        env = dict(os.environ, **c.spec["env"], HOSTNAME=spec["name"])
        if sandbox:
            argv = [os.path.join(self.cfg["bin_dir"], "pause")]
            c.proc = runtime.start_process(argv, env, self.cg.procs_files(c.rel), False,
                                           subprocess.DEVNULL, subprocess.DEVNULL)
        else:
            log = os.path.join(self.cfg["sim_root"], "var", "log", "pods",
                               f"{spec['namespace']}_{spec['name']}_{spec['uid']}",
                               c.spec["name"], f"{c.restart_count}.log")
            c.proc = runtime.start_process(c.spec["argv"], env, self.cg.procs_files(c.rel),
                                           c.spec["namespaced"], subprocess.PIPE,
                                           subprocess.PIPE)
            self.logs.add(c.proc.stdout, "stdout", log)
            self.logs.add(c.proc.stderr, "stderr", log)
        self.known_pids.add(c.proc.pid)
        c.started, c.exited, c.restart_due = time.time(), None, None
        self.emit("container_started", pod=pod.key, container=c.spec["name"], cid=c.cid,
                  restart=c.restart_count, pid=c.proc.pid, sandbox=sandbox,
                  cgroup=c.rel)
        self.dirty = True

    def reap(self, pod, c):
        """c's process exited: record why, remove its cgroup, plan a restart."""
        for pid in self.cg.pids(c.rel):  # whatever it left behind
            runtime.signal_pids([pid], signal.SIGKILL)
        rc = c.proc.wait()
        oom = self.cg.oom_kills(c.rel)
        code = 137 if oom else (128 - rc if rc < 0 else rc)
        reason = "OOMKilled" if oom else ("Completed" if rc == 0 else "Error")
        c.exited = {"exitCode": code, "reason": reason, "startedAt": runtime.rfc3339(c.started),
                    "finishedAt": runtime.rfc3339(time.time()),
                    "containerID": f"{podlist.SCHEME[pod.spec['runtime']]}://{c.cid}"}
        self.emit("container_exited", pod=pod.key, container=c.spec["name"], cid=c.cid,
                  restart=c.restart_count, reason=reason, exit_code=code, oom_kills=oom,
                  stopping=c.stop_deadline is not None)
        self.known_pids.discard(c.proc.pid)
        self.cg.remove(c.rel)
        c.proc = None
        if c.stop_deadline is None and pod.deleting is None and c is not pod.pause:
            # the kubelet's back-off: 10 s doubling to 5 min
            c.restart_due = time.monotonic() + min(300, 10 * 2 ** c.crashes)
            c.crashes += 1
        self.dirty = True

    def restart(self, pod, c):
        c.last_terminated = c.exited
        c.restart_count += 1
        self.start_container(pod, c)

    def begin_stop(self, c, grace):
        if c.proc is None or c.stop_deadline is not None:
            return
        c.stop_deadline = time.monotonic() + grace
        runtime.signal_pids(self.cg.pids(c.rel) + [c.proc.pid], signal.SIGTERM)

    def poll(self, pod, c):
        if c.proc is not None and c.proc.poll() is not None:
            self.reap(pod, c)
        elif c.proc is not None and c.stop_deadline and time.monotonic() > c.stop_deadline:
            runtime.signal_pids(self.cg.pids(c.rel) + [c.proc.pid], signal.SIGKILL)
        elif c.proc is None and c.restart_due and time.monotonic() >= c.restart_due:
            self.restart(pod, c)

    # -- pods -----------------------------------------------------------------------
    def create_pod(self, spec):
        pod = PodState(spec)
        self.cg.create(pod.rel)
        lims = [c["resources"].get("limits", {}) for c in spec["containers"]]
        if all("memory" in lim for lim in lims):
            self.cg.limit(pod.rel, memory=sum(mib(lim["memory"]) for lim in lims))
        if all("cpu" in lim for lim in lims):
            self.cg.limit(pod.rel, cpu_millis=sum(millis(lim["cpu"]) for lim in lims))
        self.pods.append(pod)
        self.emit("pod_created", pod=pod.key, uid=spec["uid"], qos=spec["qos"],
                  driver=spec["driver"], cgroup=pod.rel)
        self.start_container(pod, pod.pause, sandbox=True)
        for c in pod.containers:
            self.start_container(pod, c)
        self.publish()
        return pod

    def delete_pod(self, pod):
        pod.deleting = time.time()
        self.emit("pod_deleting", pod=pod.key)
        self.dirty = True
        for c in pod.containers:
            c.restart_due = None
            self.begin_stop(c, self.cfg["grace"])

    def step_pod(self, pod):
        for c in pod.containers + [pod.pause]:
            self.poll(pod, c)
        if pod.deleting is not None:
            live = [c for c in pod.containers if c.proc is not None]
            if not live and pod.pause.proc is not None:
                self.begin_stop(pod.pause, 2)
            if not live and pod.pause.proc is None:
                self.emit("pod_exited", pod=pod.key)
                self.cg.remove(pod.rel)
                self.pods.remove(pod)
                self.dirty = True
                self.emit("pod_removed", pod=pod.key)

    def reap_orphans(self):
        """As pid 1, wait for orphans that are not our direct children's Popens
        (a container's pid 1 whose unshare died first)."""
        for d in os.listdir("/proc"):
            if not d.isdigit() or int(d) in self.known_pids:
                continue
            try:
                with open(f"/proc/{d}/stat") as f:
                    rest = f.read().rsplit(")", 1)[1].split()
                if rest[0] == "Z" and int(rest[1]) == os.getpid():
                    os.waitpid(int(d), os.WNOHANG)
            except (OSError, IndexError, ValueError, ChildProcessError):
                pass

    # -- the run --------------------------------------------------------------------
    def start_exporter(self):
        e = self.cfg["exporter"]
        log = open(os.path.join(self.cfg["sim_root"], "exporter.log"), "ab")
        self.exporter = subprocess.Popen(e["argv"], env=dict(os.environ, **e["env"]),
                                         stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                                         start_new_session=True)
        self.known_pids.add(self.exporter.pid)
        base = f"http://127.0.0.1:{e['port']}"
        exporter.wait_ready(base, self.exporter)
        self.emit("exporter_started", pid=self.exporter.pid, port=e["port"])
        return base

    def sample_exporter(self):
        hwm = exporter.status_kib(self.exporter.pid, "VmHWM")
        rss = exporter.status_kib(self.exporter.pid, "VmRSS")
        if hwm:
            self.result["vm"].append([time.time(), hwm, rss])

    def background(self, name, fn):
        def run():
            try:
                self.result[name] = fn()
            except Exception as e:  # reported, never fatal to the node
                self.result[name] = {"error": f"{type(e).__name__}: {e}"}
            self.emit(name + "_done", result=self.result[name])
        t = threading.Thread(target=run, name=name, daemon=True)
        t.start()
        self.result["threads"][name] = t

    def run(self):
        cfg = self.cfg
        try:
            base = self.start_exporter()
        except RuntimeError as e:
            with open(os.path.join(cfg["sim_root"], "exporter.log"), errors="replace") as f:
                tail = f.read()[-1500:]
            self.emit("exporter_failed", error=str(e), log=tail)
            self.shutdown()
            return
        t0 = time.monotonic()
        self.emit("node_started", t0=t0, exporter_pid=self.exporter.pid)
        self.publish()
        todo = list(cfg["pods"])
        next_start, last_sample, last_reap = t0, 0.0, 0.0
        deleted = False
        while not self.stop.is_set():
            now = time.monotonic()
            if now - t0 >= cfg["duration"]:
                break
            if self.exporter.poll() is not None:
                self.emit("exporter_exited", code=self.exporter.returncode)
                break
            if todo and now >= next_start:
                self.create_pod(todo.pop(0))
                next_start = now + cfg["start_spacing"]
            for pod in list(self.pods):
                self.step_pod(pod)
            if not deleted and cfg.get("delete_at") is not None and now - t0 >= cfg["delete_at"]:
                deleted = True
                for pod in self.pods:
                    if pod.spec.get("delete"):
                        self.delete_pod(pod)
            for name in ("measure", "heapdiff"):
                at = cfg.get(name, {}).get("at")
                if at is not None and now - t0 >= at and name not in self.result["threads"]:
                    fn = (lambda: floor.measure(cfg, base)) if name == "measure" else \
                        (lambda: floor.heapdiff_run(cfg, base, self.exporter.pid, self.stop))
                    self.background(name, fn)
            if now - last_sample >= 2:
                self.sample_exporter()
                last_sample = now
            if now - last_reap >= 2:
                self.reap_orphans()
                last_reap = now
            self.publish()
            time.sleep(0.1)
        self.shutdown()

    def shutdown(self):
        self.emit("node_stopping", load=round(os.getloadavg()[0], 1))
        self.stop.set()  # background measurements give up waiting
        for t in self.result["threads"].values():
            t.join(timeout=60)
        self.sample_exporter()
        for pod in self.pods:
            pod.deleting = pod.deleting or time.time()
            for c in pod.containers:
                c.restart_due = None
                self.begin_stop(c, 5)
        deadline = time.monotonic() + 30
        while self.pods and time.monotonic() < deadline:
            for pod in list(self.pods):
                self.step_pod(pod)
            time.sleep(0.05)
        if self.exporter and self.exporter.poll() is None:
            runtime.stop_process(self.exporter, lambda: [], 5)
        elif self.exporter:
            self.exporter.wait()
        self.result["exporter_exit"] = self.exporter.returncode if self.exporter else None
        self.result["pods_left"] = [p.key for p in self.pods]
        self.result.pop("threads")
        self.logs.close()
        with open(self.cfg["result"], "w") as f:
            json.dump(self.result, f)
        self.emit("node_stopped")


def main():
    with open(sys.argv[1]) as f:
        cfg = json.load(f)
    k = Kubelet(cfg)
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, lambda *_: k.stop.set())
    k.run()


if __name__ == "__main__":
    main()
