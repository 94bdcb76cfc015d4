"""docs/kubernetes-node.md: one section per run, newest first, below the
page's fixed introduction (kept as it is; the sim only inserts runs)."""

import datetime
import os

MARK = "<!-- node-sim runs: newest first; scripts/node-sim inserts below -->"


def _cpu_line(m):
    """The CPU time beside the wall times: the exporter reads on several
    threads (--targets.read-threads), the floor on one."""
    if not m.get("cpu_scrape") or not m.get("cpu_floor"):
        return ""
    return (f" CPU time per scrape: {m['cpu_scrape'] * 1000:.1f} ms (a twin without "
            f"the memwatch sampler, mean of {m['cpu_scrapes']} scrapes) vs "
            f"{m['cpu_floor'] * 1000:.1f} ms per floor pass: "
            f"{m['cpu_scrape'] / m['cpu_floor']:.2f}x.")


def _mib(b):
    return f"{b / 2**20:.1f} MiB" if b else "—"


def _s(x):
    return f"{x:.0f} s" if x is not None else "—"


def _rate(c):
    r = c["leak_bytes_per_second"]
    return f"{r / 2**20:.2f} MiB/s" if r else "—"


def _alerts(c):
    fired = [a for a in c["alerts"] if a["status"] == "firing"]
    if not fired:
        return "none"
    seen, out = set(), []
    for a in fired:
        if a["alertname"] in seen:
            continue
        seen.add(a["alertname"])
        lab = "" if a["labels_ok"] else " (no pod labels)"
        out.append(f"{a['alertname']} at {_s(a['after_s'])}{lab}")
    return "; ".join(out)


def section(r, opts, setup, checks):
    date = datetime.datetime.fromtimestamp(r["t_node_started"] or 0).strftime("%Y-%m-%d %H:%M")
    cs = r["containers"]
    dur = (r["t_end"] - r["t_node_started"]) if r["t_node_started"] else 0
    lines = [f"### {date}: {len(cs)} containers, {dur / 60:.1f} minutes", ""]
    lines += [f"- exporter: `{r.get('exporter_version', '?')}`, arguments (from the "
              f"DaemonSet{', with overrides' if opts.exporter_arg or opts.exporter_drop_arg else ''}): "
              f"`{' '.join(setup.args)}`"]
    if setup.notes:
        lines += [f"- note: {n}" for n in setup.notes]
    lines += [f"- Prometheus: scrape {opts.scrape_interval or 'as shipped (15s)'}, evaluation "
              f"{opts.evaluation_interval or 'as shipped (15s)'}; Alertmanager: group_wait "
              f"{opts.group_wait or 'as shipped (30s)'}",
              f"- pods: {len({(c['namespace'], c['pod']) for c in cs})} (+1 pause each); "
              f"{sum(c['namespaced'] for c in cs)} containers in their own pid+mount "
              f"namespaces; machine: {os.cpu_count()} CPUs, load average "
              f"{r.get('load_start', '?')} at the start, {r.get('load_end', '?')} at the end "
              f"(other work on the machine included)", ""]
    lines += ["| Done when | result | |", "|---|---|---|"]
    lines += [f"| {k} | {'yes' if ok else '**no**'} | {v} |" for k, (ok, v) in checks.items()]
    lines += [""]
    m = r.get("measure") or {}
    if m.get("p50_scrape"):
        plan = m["plan"]
        lines += [f"Scrape at {m['targets']} targets: p50 {m['p50_scrape'] * 1000:.1f} ms "
                  f"(whole GET, {m['rounds']} scrapes, body {m['body_bytes'] / 1024:.0f} KiB) vs "
                  f"floor p50 {m['p50_floor'] * 1000:.1f} ms ({plan['ops']} reads of "
                  f"{plan['pids']} processes and {plan['cgroup_dirs']} cgroup dirs, "
                  f"by op {plan['by_op']}): **{m['ratio']:.2f}x**. The exporter's own "
                  f"collector times (p50): "
                  + ", ".join(f"{k} {v * 1000:.1f} ms"
                              for k, v in sorted(m.get("collector_p50", {}).items()))
                  + ". Prometheus' "
                  f"scrape_duration_seconds over the run: "
                  f"p50 {r['prometheus_scrape_seconds'].get('p50', 0) * 1000:.1f} ms, "
                  f"p90 {r['prometheus_scrape_seconds'].get('p90', 0) * 1000:.1f} ms."
                  + _cpu_line(m), ""]
    elif m.get("error"):
        lines += [f"Floor not measured: {m['error']}", ""]
    h = r.get("heapdiff") or {}
    lines += [f"Exporter peak RSS (VmHWM) over the run: {_mib(r['exporter_vmhwm_peak'])} "
              f"(limit {_mib(r['exporter_memory_limit'])}); heapdiff by mapping of "
              f"`{h.get('target', '—')}`: POST {h.get('post_status', '—')}, GET "
              f"{h.get('get_status', '—')}, VmHWM {_mib(h.get('hwm_before'))} before, "
              f"{_mib(h.get('hwm_after'))} after."
              + (f" ({h['error'][:120].strip()})" if h.get("error") else ""), ""]
    for d in r["deleted_pods"]:
        if not d.get("watched_before_exit", True):
            lines += [f"Deleted pod `{d['pod']}`: never watched (no series before it exited).",
                      ""]
            continue
        lines += [f"Deleted pod `{d['pod']}`: {d['scrapes_after_exit']} scrapes after its "
                  f"processes exited, {d['scrapes_with_series']} still carried its series; "
                  + (f"gone at scrape {d['gone_at_scrape']}" if d["gone_at_scrape"]
                     else "never gone")
                  + (f"; still present at the end: {', '.join(d['still_present_at_end'])}"
                     if d["still_present_at_end"] else "") + ".", ""]
    lines += ["| container | workload | leak | ns | cgroup | named | judged by | OOM kills "
              "| alerts (firing, time from start) |", "|---|---|---|---|---|---|---|---|---|"]
    order = {"leak": 0, "oom": 1, "steady": 2}
    for c in sorted(cs, key=lambda c: (order[c["role"]], c["key"])):
        flags = ("pid+mnt" if c["namespaced"] else "") + (" deleted" if c["deleted"] else "") \
            + (" exclude" if c["excluded"] else "")
        lines.append(
            f"| `{c['key']}` | {c['kind']} | {_rate(c)} | {flags.strip() or '—'} "
            f"| {c['driver']}/{c['cri']}/{c['qos']} | {'yes' if c['named_by_exporter'] else 'no'} "
            f"| {', '.join(c['sources']) or '—'} | {c['oom_kills'] or ''}"
            f"{' (exporter: %g)' % c['exporter_oom_count'] if c['exporter_oom_count'] is not None else ''} "
            f"| {_alerts(c)} |")
    others = {}
    for a in r["other_alerts"]:
        if a["status"] == "firing":
            others.setdefault((a["alertname"], a["name"]), 0)
            others[(a["alertname"], a["name"])] += 1
    lines += ["", "Alerts for no container of the node: " + (
        "; ".join(f"{n} `{name or '(no name)'}`" for n, name in sorted(others))
        if others else "none") + ".", ""]
    return "\n".join(lines)


INTRO = """# A Kubernetes node on this machine

`scripts/node-sim` (issue 18, part 6) builds one node's worth of Kubernetes on a host
without a cluster and measures the exporter on it. See the end of this page for how.

""" + MARK + "\n"


def write(path, text):
    if os.path.exists(path):
        with open(path) as f:
            doc = f.read()
    else:
        doc = INTRO
    if MARK not in doc:
        doc = doc.rstrip("\n") + "\n\n" + MARK + "\n"
    doc = doc.replace(MARK, MARK + "\n\n" + text.rstrip("\n") + "\n", 1)
    with open(path, "w") as f:
        f.write(doc)
