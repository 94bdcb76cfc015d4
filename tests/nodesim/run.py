"""scripts/node-sim: one node's worth of Kubernetes on this machine, with no
cluster, and the exporter measured on it (issue 18, part 6).

    scripts/node-sim --containers 100 --minutes 15   # the full run -> docs/kubernetes-node.md
    scripts/node-sim --short --json OUT.json         # a few containers, ~2 minutes

The cluster side (cluster.py: API server, Prometheus, Alertmanager, webhook)
runs here; the node side (kubelet.py: cgroups, pause sandboxes, containers,
the exporter) runs as pid 1 of a new pid and mount namespace made with
`unshare`, so that the node's /proc holds the node's processes only and the
kernel kills every one of them if the run dies. Cgroups are removed
bottom-up from their manifest, whatever happened. Exit codes: 0 the run
completed (see its checks), 1 it failed, 77 cgroup v1 memory is not writable.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from tests.lib.harness import Processes
from tests.nodesim import analyze, cgroups, cluster, exporter, pods, report
from tests.workloads import workloads as wl

REPO = pods.REPO
HERE = os.path.dirname(os.path.abspath(__file__))
SKIP = 77
WORK_BASE = "/var/tmp"
# short mode: the exporter's memwatch judges within seconds and re-lists pods
# every 2 s (the e2e test's settings); the DaemonSet's own args stay as they are
SHORT_EXPORTER_ARGS = ["--memwatch.warmup=5", "--memwatch.min-cycle=1",
                       "--memwatch.max-cycle=3", "--memwatch.min-growth=2097152",
                       "--kubernetes.refresh-interval=2"]


def parse(argv):
    ap = argparse.ArgumentParser(prog="scripts/node-sim", description=__doc__.split("\n")[0])
    ap.add_argument("--short", action="store_true",
                    help="a few containers for ~2 minutes with short intervals (the test)")
    ap.add_argument("--containers", type=int, default=100)
    ap.add_argument("--minutes", type=float)
    ap.add_argument("--manifest", default=exporter.MANIFEST,
                    help="kustomization dir or manifest file holding the DaemonSet")
    ap.add_argument("--exporter-arg", action="append", default=[],
                    help="appended to the DaemonSet's args (repeatable)")
    ap.add_argument("--exporter-drop-arg", action="append", default=[],
                    help="DaemonSet arg (--flag, or --flag=value) to leave out (repeatable)")
    ap.add_argument("--drop-unknown-args", action="store_true",
                    help="leave out DaemonSet args the exporter's --help does not list")
    ap.add_argument("--scrape-interval"), ap.add_argument("--evaluation-interval")
    ap.add_argument("--group-wait"), ap.add_argument("--group-interval")
    ap.add_argument("--no-measure", action="store_true", help="no floor/heapdiff measurement")
    ap.add_argument("--doc", help="append the run to this markdown file "
                    "(default docs/kubernetes-node.md for a full run)")
    ap.add_argument("--json", help="write the results as JSON here")
    ap.add_argument("--workdir", help="run directory (default: a new temp dir)")
    ap.add_argument("--keep", action="store_true", help="keep the run directory")
    ap.add_argument("--force", action="store_true", help="skip the free-memory check")
    o = ap.parse_args(argv)
    if o.short:
        o.minutes = o.minutes or 2
        for k, v in (("scrape_interval", "1s"), ("evaluation_interval", "1s"),
                     ("group_wait", "1s"), ("group_interval", "1s")):
            setattr(o, k, getattr(o, k) or v)
        o.exporter_arg = SHORT_EXPORTER_ARGS + o.exporter_arg
    else:
        o.minutes = o.minutes or 15
        if o.doc is None:
            o.doc = os.path.join(REPO, "docs", "kubernetes-node.md")
    return o


def build(catalog, bin_dir):
    """The workloads the catalog needs (go-leak's build is go-leak-churn), plus
    pause and the floor program."""
    need = pods.runtimes_needed(catalog)
    picks = {"jvm": "jvm-leak-default", "go": "go-leak", "c": "c-leak"}
    wl.build([w for w in wl.WORKLOADS if w.name in {picks[r] for r in need if r in picks}
              | {"c-leak"}], bin_dir)
    for name in ("pause", "floor"):
        subprocess.run(["gcc", "-O2", "-o", os.path.join(bin_dir, name),
                        os.path.join(HERE, name + ".c")], check=True)


# resident MiB of one container of a runtime at rest, and what some kinds add
# (2.6 GB measured for the 100 containers of a full run at rest)
BASE_MIB = {"jvm": 60, "node": 45, "python": 12, "go": 10, "c": 3}
EXTRA_MIB = {"c-sawtooth": 32, "c-warmup": 100}


def memory_check(catalog, seconds):
    """Refuses a run that would take more than 70% of the available memory:
    every container at rest plus each leak for the whole run (up to its limit)."""
    need = 0
    for p in catalog:
        for c in p["containers"]:
            grow = c["leak_bytes_per_second"] * seconds
            lim = c["resources"].get("limits", {}).get("memory")
            if lim:
                grow = min(grow, exporter.quantity_bytes(lim))
            need += (BASE_MIB[c["runtime"]] + EXTRA_MIB.get(c["kind"], 0)) * 2**20 + grow
    with open("/proc/meminfo") as f:
        avail = next(int(line.split()[1]) * 1024 for line in f
                     if line.startswith("MemAvailable:"))
    if need > 0.7 * avail:
        raise RuntimeError(f"the run needs about {need / 2**30:.1f} GiB, "
                           f"{avail / 2**30:.1f} GiB available (--force to run anyway)")
    return need


def kubelet_pid(unshare_pid):
    try:
        with open(f"/proc/{unshare_pid}/task/{unshare_pid}/children") as f:
            kids = f.read().split()
        return int(kids[0]) if kids else None
    except OSError:
        return None


def exporter_version(binary):
    r = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30)
    return (r.stdout + r.stderr).strip().splitlines()[0] if r.stdout + r.stderr else "?"


def run(o):
    if os.geteuid() != 0:
        raise RuntimeError("scripts/node-sim needs root (cgroups, namespaces)")
    binary = os.path.join(os.environ.get("MEMWATCH_BAZEL_BIN", os.path.join(REPO, "bazel-bin")),
                          "exporter", "memwatch_exporter")
    if not os.access(binary, os.X_OK):
        raise RuntimeError(f"{binary} is not built (bazel build //exporter:memwatch_exporter)")
    # not under /tmp: a container in its own mount namespace gets a private
    # /tmp, which would hide the run's binaries from it
    workdir = os.path.abspath(o.workdir or tempfile.mkdtemp(prefix="nodesim-", dir=WORK_BASE))
    if workdir == "/tmp" or workdir.startswith("/tmp/"):
        raise RuntimeError(f"--workdir {workdir}: not under /tmp (containers get their own /tmp)")
    os.makedirs(workdir, exist_ok=True)
    manifest = os.path.join(workdir, "cgroups.created")
    procs, node, stop = Processes(), None, []
    prev = {s: signal.signal(s, lambda *_: stop.append(1)) for s in (signal.SIGINT,
                                                                       signal.SIGTERM)}
    try:
        bin_dir = os.path.join(workdir, "bin")
        os.makedirs(bin_dir, exist_ok=True)
        catalog = (pods.short_catalog(bin_dir) if o.short
                   else pods.full_catalog(bin_dir, o.containers))
        duration = o.minutes * 60
        if not o.force:
            memory_check(catalog, duration)
        build(catalog, bin_dir)
        node_name, port = "sim-worker-1", cluster.free_port()
        c = None
        c = cluster.Cluster(workdir, procs, o, node_name, f"127.0.0.1:{port}")
        setup = exporter.ExporterSetup(binary, o.manifest, workdir, node_name, port,
                                       f"http://127.0.0.1:{c.api_port}",
                                       o.exporter_drop_arg, o.exporter_arg,
                                       o.drop_unknown_args)
        deleted = [p for p in catalog if p["delete"]]
        leak_jvm = [f"{p['namespace']}/{p['name']}/{x['name']}" for p in catalog
                    for x in p["containers"] if x["role"] == "leak"]
        cfg = {"node_name": node_name, "sim_root": workdir, "bin_dir": bin_dir,
               "podlist": c.podlist, "events": os.path.join(workdir, "events.jsonl"),
               "result": os.path.join(workdir, "node-result.json"),
               "cgroup_manifest": manifest, "pods": catalog, "duration": duration,
               "start_spacing": 1.0 if o.short else 0.5, "grace": 5,
               "delete_at": (50 if o.short else 0.45 * duration) if deleted else None,
               "floor_bin": os.path.join(bin_dir, "floor"),
               "exporter": {"argv": setup.argv(), "env": setup.env, "port": port}}
        if not o.no_measure and shutil.which("strace"):
            cfg["measure"] = {"at": 40 if o.short else 0.35 * duration, "rounds": 21}
        if not o.no_measure:
            cfg["heapdiff"] = {"at": 60 if o.short else 0.6 * duration,
                               "target": next((k for k in leak_jvm if "ledger" in k),
                                              leak_jvm[0]), "seconds": 10}
        cfg_path = os.path.join(workdir, "config.json")
        with open(cfg_path, "w") as f:
            json.dump(cfg, f)
        print(f"node-sim: {sum(len(p['containers']) for p in catalog)} containers in "
              f"{len(catalog)} pods for {o.minutes:g} min; run dir {workdir}", file=sys.stderr)
        print(f"node-sim: exporter {' '.join(setup.argv())}", file=sys.stderr)
        for n in setup.notes:
            print(f"node-sim: note: {n}", file=sys.stderr)
        if stop:
            raise KeyboardInterrupt
        load_start = os.getloadavg()[0]
        log = open(os.path.join(workdir, "node.log"), "ab")
        node = procs.start(["unshare", "--pid", "--mount", "--fork", "--mount-proc",
                            "--kill-child", sys.executable, "-m", "tests.nodesim.kubelet",
                            cfg_path], cwd=REPO, env=dict(os.environ, PYTHONPATH=REPO),
                           stdout=log, stderr=log, start_new_session=True)
        deadline, termed = time.monotonic() + duration + 240, None
        while node.poll() is None:
            if (stop or time.monotonic() > deadline) and termed is None:
                pid = kubelet_pid(node.pid)
                if pid:
                    os.kill(pid, signal.SIGTERM)
                termed = time.monotonic()
            if termed and (time.monotonic() - termed > 90 or len(stop) > 1):
                node.kill()
            time.sleep(0.5)
        if stop:
            raise KeyboardInterrupt
        events = analyze.load_events(cfg["events"])
        failed = [e for e in events if e["ev"] == "exporter_failed"]
        if failed:
            raise RuntimeError(f"{failed[0]['error']}: {failed[0]['log'].strip()}")
        with open(cfg["result"]) as f:
            node_result = json.load(f)
        r = analyze.analyze(catalog, events, c.webhook.snapshot(), node_result, c, o, setup)
        r["exporter_version"] = exporter_version(binary)
        r["load_start"] = round(load_start, 1)
        r["load_end"] = next((e.get("load") for e in events if e["ev"] == "node_stopping"), None)
        r["exporter_args"] = setup.args
        r["manifest_args"] = setup.manifest_args
        r["notes"] = setup.notes
        r["rules_loaded"] = c.rules_loaded()
        r["api_requests"] = sum(1 for _ in open(c.api_requests)) if os.path.exists(
            c.api_requests) else 0
        checks = analyze.done_when(r)
        r["checks"] = {k: {"ok": ok, "detail": v} for k, (ok, v) in checks.items()}
        return r, report.section(r, o, setup, checks)
    finally:
        if node is not None and node.poll() is None:
            node.kill()  # --kill-child: the node's pid 1 dies, the kernel kills the rest
            node.wait()
        procs.stop_all()
        left = cgroups.remove_from_manifest(manifest)
        if left:
            print(f"node-sim: cgroups left (still busy): {left}", file=sys.stderr)
        if not o.keep and not o.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
        elif not o.keep:
            for name in os.listdir(workdir):  # a given workdir stays, emptied
                p = os.path.join(workdir, name)
                shutil.rmtree(p, ignore_errors=True) if os.path.isdir(p) else os.remove(p)
        for s, h in prev.items():
            signal.signal(s, h)


def main(argv=None):
    o = parse(argv)
    reason = cgroups.probe_v1_memory() if os.geteuid() == 0 else "not root"
    if reason:
        print(f"node-sim: skipped: {reason}", file=sys.stderr)
        return SKIP
    try:
        r, text = run(o)
    except KeyboardInterrupt:
        print("node-sim: interrupted; everything stopped and removed", file=sys.stderr)
        return 130
    except (RuntimeError, subprocess.CalledProcessError, OSError) as e:
        print(f"node-sim: failed: {e}", file=sys.stderr)
        return 1
    if o.json:
        with open(o.json, "w") as f:
            json.dump(r, f, indent=1, default=sorted)
    if o.doc:
        report.write(o.doc, text)
    print(text)
    return 0
