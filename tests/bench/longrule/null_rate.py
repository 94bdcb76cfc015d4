"""Measures, on the non-leaking shapes, how often test 1 of the verdict
(Mann-Kendall on the window's bin floors) passes at a nominal alpha, against
that alpha: whether the exchangeability the exact critical values assume
holds for bin minima under a sawtooth, page noise and noisy floors; and
counts full verdicts over all replayed hours.
Usage: null_rate.py [--seeds N] [--hours H]"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import shapes  # noqa: E402
import verdict  # noqa: E402

ALPHAS = (1e-1, 1e-2, 1e-3, 1e-4)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--hours", type=float, default=6)
    ap.add_argument("--shapes", default="steady,steady-saw60s,steady-saw300s")
    a = ap.parse_args()
    counts = {}  # window -> [evals, passes per alpha]
    hours = 0.0
    verdicts = 0
    for name in a.shapes.split(","):
        for seed in range(1, a.seeds + 1):
            rows, _, _ = shapes.generate(name, seed, a.hours)
            hours += a.hours
            v = verdict.Verdict()
            orig = v.judge

            def judge(sc, t, v=v, orig=orig):
                if len(sc.bins) >= sc.n:
                    y = [w[1] for w in list(sc.bins)[-sc.n:]]
                    s = verdict.mk_s(y)
                    c = counts.setdefault(sc.window, [0] + [0] * len(ALPHAS))
                    c[0] += 1
                    for i, al in enumerate(ALPHAS):
                        if s >= verdict.mk_critical(sc.n, al):
                            c[i + 1] += 1
                return orig(sc, t)
            v.judge = judge
            for t, _pid, b, cpu in rows:
                v.add(t, b, cpu)
            verdicts += len(v.events)
    print("| window | evaluations | " + " | ".join(
        "passes at alpha=%g (rate)" % al for al in ALPHAS) + " |")
    print("|---|---|" + "---|" * len(ALPHAS))
    for w, c in sorted(counts.items()):
        print("| %d min | %d | " % (w // 60, c[0]) + " | ".join(
            "%d (%.2g)" % (c[i + 1], c[i + 1] / max(1, c[0]))
            for i in range(len(ALPHAS))) + " |")
    print("\nverdicts: %d in %.0f replayed hours (%s)" % (verdicts, hours,
                                                         a.shapes))


if __name__ == "__main__":
    main()
