"""Replays every shape of shapes.py (seeded) through the verdict prototype
and the Coroot rule, and optionally through `memwatch_exporter replay` (the
growth signal: memwatch's leak events on the summed memory); prints a
markdown table. Usage: run_shapes.py [--seeds N] [--hours H] [--exporter BIN]
[--only a,b]"""
import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import shapes  # noqa: E402
import verdict  # noqa: E402


def growth_signal(rows, exporter):
    """memwatch's leak events (growth signal) over the summed samples."""
    total = {}
    for t, _pid, b, _cpu in rows:
        total[t] = total.get(t, 0.0) + b
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
        for t in sorted(total):
            f.write(f"{t:.0f},{total[t]:.0f}\n")
        path = f.name
    try:
        out = subprocess.run([exporter, "replay", "--input", path, "--no-stats"],
                             capture_output=True, text=True, timeout=600).stdout
    finally:
        os.unlink(path)
    times = []
    for line in out.splitlines():
        try:
            o = json.loads(line)
        except ValueError:
            continue
        if o.get("type") == "leak" or o.get("event") == "leak":
            times.append(o.get("end", o.get("time")))
    return times


def run_one(args):
    name, seed, hours, exporter, use_cpu = args
    rows, leaking, onset = shapes.generate(name, seed, hours)
    tgt = verdict.Target()
    cor = verdict.Coroot()
    for t, pid, b, cpu in rows:
        tgt.add(t, pid, b, cpu if use_cpu else None)
        cor.add(t, pid, b)
    res = {"name": name, "seed": seed, "leaking": leaking, "onset": onset,
           "verdicts": [(e[0], e[1], e[2]) for e in tgt.events],
           "coroot": cor.events}
    if exporter:
        res["growth"] = growth_signal(rows, exporter)
    return res


def summarize(results, hours):
    by = {}
    for r in results:
        by.setdefault(r["name"], []).append(r)
    lines = ["| shape | leaks | verdict: first after onset (median [min-max] over seeds) | false verdicts (total over seeds) | Coroot rule: first after onset / false | growth signal (leak events) |",
             "|---|---|---|---|---|---|"]
    for name in shapes.catalogue():
        rs = by.get(name)
        if not rs:
            continue
        leaking = rs[0]["leaking"]
        onset = rs[0]["onset"]

        def first_after(times):
            d = [x - onset for x in times if x >= onset]
            return d[0] if d else None

        def before(times):
            return sum(1 for x in times if onset is None or x < onset)

        if leaking:
            firsts = [first_after([e[0] for e in r["verdicts"]]) for r in rs]
            cf = [first_after(r["coroot"]) for r in rs]
            fv = sum(before([e[0] for e in r["verdicts"]]) for r in rs)
            cfv = sum(before(r["coroot"]) for r in rs)
        else:
            firsts, cf = [], []
            fv = sum(len(r["verdicts"]) for r in rs)
            cfv = sum(len(r["coroot"]) for r in rs)
        lines.append("| %s | %s | %s | %s | %s | %s |" % (
            name, "yes" if leaking else "no",
            fmt_times(firsts) if leaking else "—",
            fv,
            (fmt_times(cf) + " / " + str(cfv)) if leaking else str(cfv),
            fmt_growth(rs, onset)))
        pids = set(e[1] for r in rs for e in r["verdicts"])
        if leaking and len(pids) > 0 and "churn" in name:
            lines[-1] = lines[-1][:-1] + " pids named: %s |" % sorted(pids)
    return "\n".join(lines)


def fmt_times(v):
    got = sorted(x for x in v if x is not None)
    miss = sum(1 for x in v if x is None)
    if not got:
        return "none (%d seeds)" % len(v)
    s = "%.1f min [%.1f-%.1f]" % (got[len(got) // 2] / 60, got[0] / 60,
                                   got[-1] / 60)
    if miss:
        s += ", none in %d of %d" % (miss, len(v))
    return s


def fmt_growth(rs, onset):
    if "growth" not in rs[0]:
        return "—"
    tot = sum(len(r["growth"]) for r in rs)
    pre = sum(1 for r in rs for x in r["growth"]
              if onset is None or x < onset)
    first = [min([x - onset for x in r["growth"] if x >= onset], default=None)
             for r in rs] if onset is not None else []
    s = "%d (%d before onset)" % (tot, pre) if onset is not None else str(tot)
    if first:
        s += "; first " + fmt_times(first)
    return s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--hours", type=float, default=6.0)
    ap.add_argument("--exporter")
    ap.add_argument("--only")
    ap.add_argument("--no-cpu", action="store_true")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--json")
    a = ap.parse_args()
    names = a.only.split(",") if a.only else list(shapes.catalogue())
    jobs = [(n, s, a.hours, a.exporter, not a.no_cpu)
            for n in names for s in range(1, a.seeds + 1)]
    with multiprocessing.Pool(a.jobs) as p:
        results = p.map(run_one, jobs)
    if a.json:
        json.dump(results, open(a.json, "w"))
    print(summarize(results, a.hours))


if __name__ == "__main__":
    main()
