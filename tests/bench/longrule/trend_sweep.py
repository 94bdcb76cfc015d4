"""Item 5 of issue 20 (zero-config Node): how early can the fast trend rule
(collectors/memwatch/trend.h, ported here line for line) report the Node
leak from sampled RssAnon alone, and at what cost in false events on the
recorded non-leaking twins? Sweeps window, bin and warm-up over the traces of
tests/fixtures/memwatch/traces and prints a markdown table.
Usage: trend_sweep.py [TRACES_DIR]"""
import csv
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from verdict import theil_sen  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TRACES = os.path.join(HERE, "..", "..", "fixtures", "memwatch", "traces")


def mk(y):
    n = len(y)
    s = 0
    for i in range(n):
        for j in range(i + 1, n):
            s += (y[j] > y[i]) - (y[j] < y[i])
    ties = {}
    for v in y:
        ties[v] = ties.get(v, 0) + 1
    tc = sum(c * (c - 1) * (2 * c + 5) for c in ties.values() if c > 1)
    var = (n * (n - 1) * (2 * n + 5) - tc) / 18.0
    if var <= 0:
        return s, 1.0
    z = (s - 1) / math.sqrt(var) if s > 0 else (s + 1) / math.sqrt(var) if s < 0 else 0
    return s, math.erfc(abs(z) / math.sqrt(2))


def trend_events(samples, window=60, bin_s=5, max_p=0.01, min_slope=0.4 * 1048576,
                 decel=0.8, consecutive=2, min_bins=None, floor_margin=0.1,
                 warmup=75, prior=None):
    prior = window if prior is None else prior
    nb = int(round(window / bin_s))
    min_bins = min_bins or max(4, int(nb * 10 / 12))
    origin = samples[0][0]
    armed = origin
    streak = 0
    out = []
    pts = []
    for t, b in samples:
        pts.append((t, b))
        while pts and pts[0][0] <= t - window - prior:
            pts.pop(0)
        ok = False
        start = t - window
        if t - origin >= warmup and start >= armed:
            prior_min = min((p[1] for p in pts if p[0] <= start), default=None)
            bins = {}
            wmin = math.inf
            for pt, pb in pts:
                if pt <= start:
                    continue
                wmin = min(wmin, pb)
                k = min(nb - 1, max(0, math.ceil((pt - start) / bin_s) - 1))
                if k not in bins or pb < bins[k][1]:
                    bins[k] = (pt, pb)
            if prior_min is not None and len(bins) >= min_bins:
                xs = [bins[k][0] for k in sorted(bins)]
                ys = [bins[k][1] for k in sorted(bins)]
                s, p = mk(ys)
                if s > 0 and p <= max_p:
                    slope = theil_sen(xs, ys)
                    h = len(xs) // 2
                    if (slope >= min_slope and
                            theil_sen(xs[h:], ys[h:]) >= decel * theil_sen(xs[:h], ys[:h]) and
                            wmin - prior_min >= floor_margin * slope * window):
                        ok = True
        if ok:
            streak += 1
            if streak >= consecutive:
                out.append(t - origin)
                streak = 0
                armed = t
        else:
            streak = 0
    return out


def load(path):
    with open(path) as f:
        r = csv.reader(f)
        rows = []
        for row in r:
            try:
                rows.append((float(row[0]), float(row[1])))
            except (ValueError, IndexError):
                continue
    return rows


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else TRACES
    names = sorted(f[:-4] for f in os.listdir(d) if f.endswith(".csv") and f != "workloads.csv")
    traces = {n: load(os.path.join(d, n + ".csv")) for n in names}
    # The fast rule is never applied to JVMs (their RSS climbs for minutes).
    steady = [n for n in names if "leak" not in n and not n.startswith("jvm")]
    print("| window | bin | prior | warm-up | node-leak first event | python-leak | c-leak | false events on %s |" % ", ".join(steady))
    print("|---|---|---|---|---|---|---|---|")
    for window, bin_s in ((60, 5), (40, 5), (30, 2.5), (20, 2.5)):
        for prior in (window, window / 2):
            for warmup in (75, 45, 30, 0):
                cfg = dict(window=window, bin_s=bin_s, warmup=warmup, prior=prior)
                first = {}
                for n in ("node-leak", "python-leak", "c-leak"):
                    ev = trend_events(traces[n], **cfg)
                    first[n] = "%.0f s" % ev[0] if ev else "none"
                false = sum(len(trend_events(traces[n], **cfg)) for n in steady)
                print("| %g s | %g s | %g s | %g s | %s | %s | %s | %d |" % (
                    window, bin_s, prior, warmup, first["node-leak"],
                    first["python-leak"], first["c-leak"], false))


if __name__ == "__main__":
    main()
