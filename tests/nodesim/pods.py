"""What runs on the simulated node: pods, their containers, and the catalog of
a full (`--containers N`) or short node.

Containers run the twin workloads of tests/workloads/ (validated leaking and
non-leaking programs in C, Go, Java, Node and Python) plus go/leak_churn.go.
Node containers run with --trace-gc and Go ones with GODEBUG=gctrace=1, so
their CRI logs carry GC lines; JVMs keep their perf data (hsperfdata) in
/tmp, which for a container in its own mount namespace is reachable only
through /proc/<pid>/root.
"""

import os
import random
import sys
import uuid

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
WL = os.path.join(REPO, "tests", "workloads")
MIB = 1024 * 1024


def _kinds(bin_dir):
    """kind -> (runtime, image, argv, env, leak bytes/s)."""
    py = sys.executable  # the interpreter itself: the pid must be Python
    java = ["java", "-XX:MaxRAMPercentage=75", "-cp", os.path.join(bin_dir, "java")]
    gctrace = {"GODEBUG": "gctrace=1"}
    return {
        "c-leak": lambda rate=512 * 1024: (
            "c", "example.com/c-leak", [os.path.join(bin_dir, "leak"), str(rate)], {}, rate),
        "c-sawtooth": lambda period=30, peak=32: (
            "c", "example.com/c-sawtooth",
            [os.path.join(bin_dir, "sawtooth"), str(period), str(peak)], {}, 0),
        "c-warmup": lambda: (
            "c", "example.com/c-warmup", [os.path.join(bin_dir, "warmup"), "100", "15"], {}, 0),
        "python-leak": lambda: (
            "python", "example.com/python-leak",
            [py, os.path.join(WL, "python", "leak.py")], {}, 640 * 1024),
        "python-steady": lambda: (
            "python", "example.com/python-steady",
            [py, os.path.join(WL, "python", "steady.py")], {}, 0),
        "node-leak": lambda: (
            "node", "example.com/node-leak",
            ["node", "--trace-gc", os.path.join(WL, "node", "leak.js")], {}, 1280 * 1024),
        "node-steady": lambda: (
            "node", "example.com/node-steady",
            ["node", "--trace-gc", os.path.join(WL, "node", "steady.js")], {}, 0),
        "go-leak-churn": lambda rate=MIB, garbage=4 * MIB: (
            "go", "example.com/go-leak-churn",
            [os.path.join(bin_dir, "go-leak-churn"), str(rate), str(garbage)], gctrace, rate),
        "go-steady": lambda: (
            "go", "example.com/go-steady",
            [os.path.join(bin_dir, "go-leak-churn"), "0", str(640 * 1024)], gctrace, 0),
        # G1 in a fixed 256 MB heap, as detect-bench's fast twin (-Xmx256m on a
        # large host gets G1): a young GC every ~15 s. In a 512 MiB container
        # the JVM would pick Serial and grow its heap from 8 MB, collecting
        # every 30-100 s, too rarely for 5 growing compactions in 3 minutes.
        # It dies of OutOfMemoryError after ~6 minutes and is restarted.
        "jvm-leak": lambda gclog=False: (
            "jvm", "example.com/jvm-leak",
            ["java", "-XX:+UseG1GC", "-Xms256m", "-Xmx256m"] + (["-Xlog:gc"] if gclog else [])
            + java[2:] + ["Leak"], {}, 640 * 1024),
        "jvm-steady": lambda gclog=False: (
            "jvm", "example.com/jvm-steady",
            java[:1] + (["-Xlog:gc"] if gclog else []) + java[1:] + ["Steady"], {}, 0),
    }


def runtimes_needed(pods):
    return {c["runtime"] for p in pods for c in p["containers"]}


def container(kinds, name, kind, role, memory=None, cpu=None, requests_only=False,
              namespaced=False, **kw):
    """One container spec. memory (MiB)/cpu (millicores) are its limits, also
    its requests unless requests_only (then requests, no limits)."""
    runtime, image, argv, env, rate = kinds[kind](**kw)
    res = {}
    if memory or cpu:
        q = {}
        if memory:
            q["memory"] = f"{memory}Mi"
        if cpu:
            q["cpu"] = f"{cpu}m"
        res = {"requests": dict(q)} if requests_only else {"limits": q, "requests": dict(q)}
    return {"name": name, "kind": kind, "role": role, "runtime": runtime, "image": image,
            "argv": argv, "env": env, "leak_bytes_per_second": rate, "resources": res,
            "namespaced": namespaced}


def qos_class(containers):
    """Kubernetes' QoS rule: Guaranteed when every container's cpu and memory
    requests equal limits, BestEffort when none has any, else Burstable."""
    if all(not c["resources"] for c in containers):
        return "besteffort"
    for c in containers:
        lim, req = c["resources"].get("limits", {}), c["resources"].get("requests", {})
        if set(lim) != {"cpu", "memory"} or lim != req:
            return "burstable"
    return "guaranteed"


def pod(rng, namespace, app, containers, driver="cgroupfs", runtime="containerd",
        annotations=None, delete=False):
    suffix = "".join(rng.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(5))
    rs = "".join(rng.choice("0123456789abcdef") for _ in range(9))
    return {"namespace": namespace, "name": f"{app}-{rs}-{suffix}", "app": app,
            "uid": str(uuid.uuid4()), "driver": driver, "runtime": runtime,
            "annotations": annotations or {}, "containers": containers,
            "qos": qos_class(containers), "delete": delete}


def short_catalog(bin_dir, seed=1):
    """One leaker, one steady, one that its limit OOM-kills, one pod deleted
    mid-run (a JVM in its own pid and mount namespaces)."""
    k, rng = _kinds(bin_dir), random.Random(seed)
    return [
        pod(rng, "shop", "cart", [container(k, "cart", "c-leak", "leak", memory=512,
                                            cpu=500, requests_only=True, namespaced=True,
                                            rate=2 * MIB)]),
        pod(rng, "shop", "web", [container(k, "web", "python-steady", "steady",
                                           memory=128, cpu=200)],
            driver="systemd", runtime="cri-o"),
        pod(rng, "batch", "resizer", [container(k, "resizer", "c-leak", "oom", memory=64,
                                                rate=4 * MIB)],
            driver="systemd"),
        pod(rng, "search", "api", [container(k, "api", "jvm-steady", "steady", memory=512,
                                             cpu=1000, requests_only=True,
                                             namespaced=True)],
            runtime="cri-o", delete=True),
    ]


# Steady pod shapes cycled to fill a full node: (app, [(container, kind, MiB, kw)]).
SHAPES = [
    ("web", [("web", "node-steady", 256, {})]),
    ("orders", [("orders", "jvm-steady", 512, {})]),
    ("inventory", [("inventory", "go-steady", 128, {}),
                   ("metrics-agent", "python-steady", 128, {})]),
    ("resize", [("resize", "c-sawtooth", 128, {"period": 30})]),
    ("mailer", [("mailer", "python-steady", 128, {})]),
    ("gateway", [("gateway", "node-steady", 256, {}), ("proxy", "go-steady", 128, {})]),
    ("billing", [("billing", "jvm-steady", 512, {"gclog": True})]),
    ("cache", [("cache", "c-warmup", 256, {})]),
    ("reports", [("reports", "c-sawtooth", 128, {"period": 60})]),
]
NAMESPACES = ["shop", "payments", "search", "media", "batch"]


def full_catalog(bin_dir, containers=100, seed=1):
    """`containers` containers: 7 leakers at 0.5-2 MiB/s, one OOM-killed by its
    limit, a pod deleted mid-run, a kube-system pod, a pod annotated
    memwatch.io/exclude, the rest steady; pods alternate cgroupfs/systemd
    drivers, containerd/CRI-O ids and the three QoS classes, and about a third
    of the containers run in their own pid and mount namespaces."""
    k, rng = _kinds(bin_dir), random.Random(seed)
    c = lambda *a, **kw: container(k, *a, **kw)  # noqa: E731
    fixed = [
        pod(rng, "shop", "cart", [c("cart", "c-leak", "leak", memory=2048, cpu=500,
                                    requests_only=True, namespaced=True, rate=2 * MIB),
                                  c("log-shipper", "python-steady", "steady", memory=128)]),
        pod(rng, "payments", "ledger", [c("ledger", "jvm-leak", "leak", memory=512, cpu=1000,
                                          namespaced=True)], driver="systemd"),
        pod(rng, "search", "indexer", [c("indexer", "go-leak-churn", "leak", memory=2048,
                                         namespaced=True, rate=MIB // 2)], runtime="cri-o"),
        pod(rng, "media", "thumbnails", [c("thumbnails", "node-leak", "leak", memory=1536,
                                           requests_only=True)],
            driver="systemd", runtime="cri-o"),
        pod(rng, "batch", "etl", [c("etl", "python-leak", "leak")]),
        pod(rng, "shop", "recommender", [c("recommender", "c-leak", "leak", memory=1024,
                                           cpu=250)]),
        pod(rng, "payments", "fraud", [c("fraud", "jvm-leak", "leak", memory=512,
                                         gclog=True)], driver="systemd"),
        pod(rng, "batch", "resizer", [c("resizer", "c-leak", "oom", memory=192, rate=MIB)]),
        pod(rng, "search", "suggest", [c("suggest", "jvm-steady", "steady", memory=512,
                                         namespaced=True),
                                       c("metrics-agent", "python-steady", "steady",
                                         memory=128)], delete=True),
        pod(rng, "kube-system", "coredns", [c("coredns", "go-steady", "steady", memory=170,
                                              cpu=100)], driver="systemd"),
        pod(rng, "media", "transcoder", [c("transcoder", "python-steady", "steady", memory=128)],
            annotations={"memwatch.io/exclude": "true"}),
    ]
    n = sum(len(p["containers"]) for p in fixed)
    if containers < n:
        raise ValueError(f"--containers must be at least {n} for a full node")
    steady, i = [], 0
    while n < containers:
        app, shape = SHAPES[i % len(SHAPES)]
        shape = shape[:containers - n]
        qos = i % 3  # 0 guaranteed, 1 burstable, 2 best effort
        cs = []
        for name, kind, mib, kw in shape:
            ns = kind.startswith("jvm") and i % 2 == 0 or (n + len(cs)) % 3 == 0
            if qos == 0:
                cs.append(c(name, kind, "steady", memory=mib, cpu=500, namespaced=ns, **kw))
            elif qos == 1:  # a memory limit, a cpu request only
                cs.append(c(name, kind, "steady", memory=mib, namespaced=ns, **kw))
                cs[-1]["resources"]["requests"]["cpu"] = "100m"
            else:
                cs.append(c(name, kind, "steady", namespaced=ns, **kw))
        steady.append(pod(rng, NAMESPACES[i % len(NAMESPACES)], f"{app}{i // len(SHAPES) or ''}",
                          cs, driver="systemd" if i % 3 == 2 else "cgroupfs",
                          runtime="cri-o" if i % 4 == 3 else "containerd"))
        n += len(cs)
        i += 1
    # leakers spread through the start order, not all first
    out, step = [], max(1, len(steady) // len(fixed))
    for j, p in enumerate(fixed):
        out.append(p)
        out.extend(steady[j * step:(j + 1) * step])
    out.extend(steady[len(fixed) * step:])
    return out
