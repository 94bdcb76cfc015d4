"""From a finished run (the node's events and results, the webhook's alerts,
Prometheus' data) to the figures of issue 18's "Done when": per container
its alerts and the time from its start to its leak alert; the OOM kills; the
deleted pod's series after its processes exited, scrape by scrape; scrape
duration against the floor; the exporter's peak memory.
"""

import json
import re
import statistics

# "its leak alert": the first firing alert about a leak (MemwatchLeakDetected,
# the paging verdict, or MemwatchLeakEvent, memwatch's event)
LEAK_ALERT = re.compile(r"Leak")
LEAK_BOUND = 180.0      # "within 3 minutes of its start"
SCRAPES_BOUND = 2       # "gone within two scrapes after its processes exit"
FLOOR_BOUND = 1.5       # "scrape p50 <= 1.5x the bare reads"


def load_events(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def container_index(catalog):
    idx = {}
    for p in catalog:
        for c in p["containers"]:
            key = f"{p['namespace']}/{p['name']}/{c['name']}"
            idx[key] = {"key": key, "namespace": p["namespace"], "pod": p["name"],
                        "container": c["name"], "kind": c["kind"], "runtime": c["runtime"],
                        "role": c["role"], "leak_bytes_per_second": c["leak_bytes_per_second"],
                        "namespaced": c["namespaced"], "driver": p["driver"],
                        "cri": p["runtime"], "qos": p["qos"], "deleted": p["delete"],
                        "excluded": p["annotations"].get("memwatch.io/exclude") == "true",
                        "started": None, "starts": 0, "oom_kills": 0, "exits": [],
                        "alerts": []}
    return idx


def match(labels, idx):
    """(container key, labels carry namespace/pod/container) of an alert."""
    ns, pod, c = labels.get("namespace"), labels.get("pod"), labels.get("container")
    if ns and pod and c:
        key = f"{ns}/{pod}/{c}"
        if key in idx:
            return key, True
    name = labels.get("name", "")
    if name in idx:
        return name, False
    return None, False


def promql_regex(s):
    """s matched literally inside a PromQL regex string."""
    return "".join(f"[{ch}]" if ch in ".+*?()[]{}|^$" else ch for ch in s)


def quantiles(xs):
    if not xs:
        return {}
    xs = sorted(xs)
    q = lambda f: xs[min(len(xs) - 1, int(f * len(xs)))]  # noqa: E731
    return {"n": len(xs), "p50": statistics.median(xs), "p90": q(0.9), "max": xs[-1]}


def deleted_pod(cluster, job, instance, pod_key, t_exit, t_end):
    """Prometheus' scrapes of the exporter after the pod's processes exited,
    and which of them still carried a series of the pod."""
    ns, pod = pod_key.split("/", 1)
    start = t_exit - 120  # also: was the pod watched at all before?
    # successful scrapes only (up 1), until the sim began its teardown
    scrapes = sorted(t for pts in cluster.raw(f'up{{job="{job}",instance="{instance}"}}',
                                              start, t_end).values() for t, v in pts
                     if v == 1 and t <= t_end)
    after = [t for t in scrapes if t > t_exit]
    carried, names, before = set(), {}, 0
    for sel in (f'{{name=~"{promql_regex(pod_key)}/.*"}}',
                f'{{namespace="{ns}",pod="{pod}"}}'):
        for labels, pts in cluster.raw(sel, start, t_end).items():
            metric = dict(labels).get("__name__", "")
            if ":" in metric:
                continue  # a recording rule's output, not a scraped series
            before += sum(1 for t, _ in pts if t <= t_exit)
            for t, _ in pts:
                if t_exit < t <= t_end:
                    carried.add(round(t, 3))
                    names[metric] = max(names.get(metric, 0), t)
    with_series = [t for t in after if round(t, 3) in carried]
    first_without = next((i + 1 for i, t in enumerate(after) if round(t, 3) not in carried),
                         None)
    last = after[-1] if after else None
    still = sorted(m for m, t in names.items() if last is not None and t >= last - 1e-3)
    return {"pod": pod_key, "watched_before_exit": before > 0,
            "scrapes_after_exit": len(after),
            "scrapes_with_series": len(with_series),
            "gone_at_scrape": first_without,
            "still_present_at_end": still,
            "ok": before > 0 and first_without is not None
            and first_without <= SCRAPES_BOUND and not still}


def analyze(catalog, events, alerts, node_result, cluster, opts, setup):
    idx = container_index(catalog)
    t_node = next((e["t"] for e in events if e["ev"] == "node_started"), None)
    # the sim's own teardown (exporter stopped, pods gone) is not judged
    t_end = next((e["t"] for e in events if e["ev"] == "node_stopping"),
                 max((e["t"] for e in events), default=None))
    exited_pods = {}
    for e in events:
        key = f"{e.get('pod')}/{e.get('container')}"
        if e["ev"] == "container_started" and not e.get("sandbox") and key in idx:
            c = idx[key]
            c["starts"] += 1
            c["started"] = c["started"] or e["t"]
        elif e["ev"] == "container_exited" and key in idx:
            idx[key]["exits"].append(e["reason"])
            idx[key]["oom_kills"] += e["reason"] == "OOMKilled"
        elif e["ev"] == "pod_exited":
            exited_pods[e["pod"]] = e["t"]
    others = []
    late = [a for a in alerts if a["t"] > t_end]
    for a in (a for a in alerts if a["t"] <= t_end):
        key, labelled = match(a["labels"], idx)
        entry = {"alertname": a["labels"].get("alertname"), "status": a["status"],
                 "t": a["t"], "labels_ok": labelled, "severity": a["labels"].get("severity"),
                 "receiver_path": a["path"]}
        if key is None:
            others.append({**entry, "name": a["labels"].get("name", "")})
            continue
        c = idx[key]
        entry["after_s"] = round(a["t"] - c["started"], 1) if c["started"] else None
        c["alerts"].append(entry)
    for c in idx.values():
        leak = [a for a in c["alerts"] if LEAK_ALERT.search(a["alertname"] or "")
                and a["status"] == "firing"]
        leak.sort(key=lambda a: a["t"])
        c["leak_alert_after_s"] = leak[0]["after_s"] if leak else None
        c["leak_alert_labels_ok"] = leak[0]["labels_ok"] if leak else None
        c["leak_alert_name"] = leak[0]["alertname"] if leak else None
    # what the exporter saw, from Prometheus
    span = f"{int(t_end - t_node) + 60}s" if t_node and t_end else "1h"
    seen = {(r["metric"].get("namespace"), r["metric"].get("pod"), r["metric"].get("container"))
            for r in cluster.query(f"max_over_time(memwatch_target_info[{span}])", at=t_end)}
    sources = {}
    for r in cluster.query(f"max_over_time(memwatch_heap_compactions_total[{span}])", at=t_end):
        sources.setdefault(r["metric"].get("name"), set()).add(r["metric"].get("source"))
    oom_series = cluster.query(f'max_over_time(memwatch_cgroup_oom_kills_total[{span}])',
                               at=t_end)
    for c in idx.values():
        c["named_by_exporter"] = (c["namespace"], c["pod"], c["container"]) in seen
        c["sources"] = sorted(s for s in sources.get(c["key"], ()) if s)
        vals = [float(r["value"][1]) for r in oom_series
                if r["metric"].get("name") == c["key"] or
                (r["metric"].get("pod") == c["pod"] and
                 r["metric"].get("container") == c["container"])]
        c["exporter_oom_count"] = max(vals) if vals else None
    scrape = [v for pts in cluster.raw(f'scrape_duration_seconds{{job="{cluster.job}"}}',
                                       t_node, t_end).values() for _, v in pts]
    deleted = [deleted_pod(cluster, cluster.job, cluster.instance, k, t, t_end)
               for k, t in exited_pods.items()
               if any(c["deleted"] and k == f"{c['namespace']}/{c['pod']}"
                      for c in idx.values())]
    vm = node_result.get("vm", [])
    m = node_result.get("measure") or {}
    return {
        "containers": list(idx.values()), "other_alerts": others,
        "alerts_during_teardown": len(late),
        "deleted_pods": deleted, "prometheus_scrape_seconds": quantiles(scrape),
        "measure": m, "heapdiff": node_result.get("heapdiff"),
        "exporter_vmhwm_peak": max((v[1] for v in vm), default=None),
        "exporter_memory_limit": setup.memory_limit,
        "exporter_exit": node_result.get("exporter_exit"),
        "pods_left": node_result.get("pods_left"),
        "t_node_started": t_node, "t_end": t_end,
    }


def done_when(r):
    """The checks of issue 18's "Done when" that this run can judge."""
    cs = r["containers"]
    leakers = [c for c in cs if c["role"] == "leak"]
    leak_ok = [c for c in leakers if c["leak_alert_after_s"] is not None
               and c["leak_alert_after_s"] <= LEAK_BOUND and c["leak_alert_labels_ok"]]
    oom = [c for c in cs if c["role"] == "oom"]
    oom_alerted = [c for c in oom if any("oom" in (a["alertname"] or "").lower()
                                         and a["status"] == "firing" for a in c["alerts"])]
    steady_alerts = [(c["key"], a["alertname"]) for c in cs if c["role"] == "steady"
                     for a in c["alerts"] if a["status"] == "firing"]
    m = r["measure"] or {}
    hwm, lim = r["exporter_vmhwm_peak"], r["exporter_memory_limit"]
    return {
        "leak alerts within 3 min with namespace/pod/container":
            (len(leak_ok) == len(leakers) and bool(leakers), f"{len(leak_ok)}/{len(leakers)}"),
        "OOM kill alert arrived":
            (len(oom_alerted) == len(oom) and bool(oom), f"{len(oom_alerted)}/{len(oom)}"),
        "no alert for steady containers":
            (not steady_alerts, f"{len(steady_alerts)} alerts"),
        "deleted pod's series gone within 2 scrapes":
            (all(d["ok"] for d in r["deleted_pods"]) and bool(r["deleted_pods"]),
             ", ".join((f"gone at scrape {d['gone_at_scrape']}" if d["watched_before_exit"]
                        else "never watched") for d in r["deleted_pods"])
             or "no pod deleted"),
        "scrape p50 <= 1.5x floor":
            (m.get("ratio") is not None and m["ratio"] <= FLOOR_BOUND,
             f"{m['ratio']:.2f}x" if m.get("ratio") else "not measured"),
        "peak memory under the limit with a diff":
            (hwm is not None and lim is not None and hwm < lim
             and (r.get("heapdiff") or {}).get("get_status") == 200,
             f"{hwm / 2**20:.1f} MiB of {lim / 2**20:.0f} MiB" if hwm and lim else "n/a"),
    }
