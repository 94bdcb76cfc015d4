"""Seeded generators of the production memory shapes of issue 20 (Python stdlib).

Every shape is a 1-Hz series of one or more processes (workers) of a target:
rows (time_s, pid, bytes, cpu_seconds), cpu_seconds being the process's
cumulative CPU time (utime + stime), as the exporter reads them. Under every
shape runs the same allocation sawtooth: memory rises by `saw` bytes over
`period` seconds and a collection returns it to the floor; each cycle's floor
jitters (N(0, floor_sd)), one cycle in 100 keeps half its garbage (a single
noisy floor), and each sample has N(0, sample_sd) of page noise.

A shape is a function (rng, hours) -> list of workers; a worker is a dict
{pid, start, end, live(t), traffic(t)} whose memory at t is
live(t) + sawtooth + noise and whose CPU rate is cpu_base x traffic(t).
"""
import math
import random

KIB = 1024
MIB = 1024 * 1024

BASE = 200 * MIB          # steady live set of a worker
SAW = 12 * MIB            # allocation per sawtooth cycle
PERIOD = 10.0             # seconds per cycle
FLOOR_SD = 1 * MIB        # floor jitter per cycle
SAMPLE_SD = 256 * KIB     # page noise per sample
NOISY_FLOOR_P = 0.01      # share of cycles that keep half their garbage
CPU_BASE = 0.2            # CPU seconds per second at traffic 1
LEAKER_PID = 1999         # the bad worker of churn-one-leaks-*


def flat(_t):
    return 1.0


def _worker(pid, live, start=0.0, end=None, traffic=flat, saw=SAW,
            period=PERIOD):
    return {"pid": pid, "live": live, "start": start, "end": end,
            "traffic": traffic, "saw": saw, "period": period}


def leak_after(rate, onset):
    return lambda t: BASE + max(0.0, t - onset) * rate


def steady(rng, hours):
    return [_worker(1000, lambda t: BASE)]


def steady_saw(period):
    def f(rng, hours):
        return [_worker(1000, lambda t: BASE, period=period)]
    return f


def leak(rate, onset):
    def f(rng, hours):
        return [_worker(1000, leak_after(rate, onset))]
    return f


def warmup_exp(rng, hours):
    # +200 MiB approached exponentially, tau 2.5 min: 98% after 10 min.
    return [_worker(1000, lambda t: BASE + 200 * MIB * (1 - math.exp(-t / 150)))]


def warmup_linear(rng, hours):
    # +200 MiB at a constant rate for 10 min, then flat (the hardest warm-up).
    return [_worker(1000, lambda t: BASE + 200 * MIB * min(1.0, t / 600))]


def cache(onset):
    # A cache filling to a 300 MiB cap: its miss rate, hence its fill rate,
    # falls as it fills (tau 20 min: 95% full one hour after onset).
    def live(t):
        if t < onset:
            return BASE
        return BASE + 300 * MIB * (1 - math.exp(-(t - onset) / 1200))
    return lambda rng, hours: [_worker(1000, live)]


def _wave(t):
    # Traffic doubles over 2 h and halves over the next 2 h (smoothly).
    return 2 ** (0.5 - 0.5 * math.cos(math.pi * t / 7200))


def traffic(rng, hours):
    # The live set follows the traffic (100 -> 200 MiB of request state) and
    # so does the allocation per cycle; CPU follows it too.
    return [_worker(1000, lambda t: 100 * MIB + 100 * MIB * _wave(t),
                    traffic=_wave, saw=SAW)]


def traffic_leak(rate, onset):
    def f(rng, hours):
        return [_worker(1000,
                        lambda t: 100 * MIB + 100 * MIB * _wave(t)
                        + max(0.0, t - onset) * rate, traffic=_wave)]
    return f


def _warm_worker_live(start):
    # A fresh worker warms up: +50 MiB with tau 60 s.
    return lambda t: 100 * MIB + 50 * MIB * (1 - math.exp(-(t - start) / 60))


def churn(n=4, leaker=None, rate=0.0, onset=0.0):
    """N workers; each is replaced (new pid) after 15-45 min. With `leaker`
    set, worker slot `leaker` is never replaced and leaks `rate` from
    `onset` (one bad worker among many)."""
    def f(rng, hours):
        out = []
        pid = 2000
        end_all = hours * 3600
        for slot in range(n):
            t = 0.0
            if slot == leaker:
                def live(tt, base=_warm_worker_live(0.0)):
                    return base(tt) + max(0.0, tt - onset) * rate
                out.append(_worker(LEAKER_PID, live, 0.0, None))
                continue
            first = True
            while t < end_all:
                life = rng.uniform(900, 2700)
                if first:
                    life = rng.uniform(0, 2700)  # staggered
                first = False
                out.append(_worker(pid, _warm_worker_live(t), t, t + life))
                pid += 1
                t += life + 1.0
        return out
    return f


def render(workers, rng, hours):
    """Rows (t, pid, bytes, cpu_seconds), 1 Hz, sorted by time then pid."""
    end_all = hours * 3600
    rows = []
    for w in workers:
        t0 = w["start"]
        t1 = end_all if w["end"] is None else min(end_all, w["end"])
        t = math.ceil(t0)
        cycle_start = t0
        # Per-cycle floor jitter; draw lazily per cycle index.
        jitter = 0.0
        cycle_idx = -1
        cpu = 0.0
        while t < t1:
            k = int((t - t0) // w["period"])
            if k != cycle_idx:
                cycle_idx = k
                jitter = rng.gauss(0, FLOOR_SD)
                if rng.random() < NOISY_FLOOR_P:
                    jitter += w["saw"] / 2
            phase = ((t - t0) % w["period"]) / w["period"]
            tr = w["traffic"](t)
            mem = (w["live"](t) + jitter + phase * w["saw"] * tr
                   + rng.gauss(0, SAMPLE_SD))
            cpu += CPU_BASE * tr * (1 + rng.gauss(0, 0.05))
            rows.append((float(t), w["pid"], max(0.0, mem), cpu))
            t += 1
    rows.sort(key=lambda r: (r[0], r[1]))
    return rows


# name -> (generator, leaking, onset seconds or None, leaking pid or None)
def catalogue():
    h = 3600
    return {
        "steady": (steady, False, None),
        "steady-saw60s": (steady_saw(60.0), False, None),
        "steady-saw300s": (steady_saw(300.0), False, None),
        "leak-100k-late": (leak(100 * KIB, h), True, h),
        "leak-20k-late": (leak(20 * KIB, h), True, h),
        "leak-100k-start": (leak(100 * KIB, 0), True, 0),
        "leak-20k-start": (leak(20 * KIB, 0), True, 0),
        "leak-10k-late": (leak(10 * KIB, h), True, h),
        "warmup-exp": (warmup_exp, False, None),
        "warmup-linear": (warmup_linear, False, None),
        "cache-start": (cache(0), False, None),
        "cache-late": (cache(h), False, None),
        "traffic": (traffic, False, None),
        "traffic-leak-20k-late": (traffic_leak(20 * KIB, h), True, h),
        "churn": (churn(4), False, None),
        "churn-one-leaks-50k-late": (churn(4, leaker=1, rate=50 * KIB, onset=h),
                                     True, h),
    }


def generate(name, seed=1, hours=6.0):
    gen, leaking, onset = catalogue()[name]
    rng = random.Random(f"{name}:{seed}")
    return render(gen(rng, hours), rng, hours), leaking, onset


def write_csv(rows, path):
    with open(path, "w") as f:
        f.write("time,bytes,cpu_seconds,pid\n")
        for t, pid, b, cpu in rows:
            f.write(f"{t:.0f},{b:.0f},{cpu:.3f},{pid}\n")
