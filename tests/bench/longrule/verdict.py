"""Prototype of the long-horizon rule and the paging verdict (issue 20).

Per process (one worker of a target), from 1-Hz samples of memory and the
process's cumulative CPU time:

Floors, kept compactly: at each scale s the samples are cut into bins of
`bin` seconds and each bin keeps its lowest sample (the floor under the
allocation churn) and the CPU time spent in it (the load). A scale keeps
2 windows of bins (120 numbers); the 60-s scale keeps 4 h for the
reversibility check.

At each bin close of a scale whose window (n = window / bin bins) is full,
the window passes when all of:
  1. rising floor: Mann-Kendall S of the n floors >= the exact critical value
     S(n, alpha) under the null that the floors are exchangeable (any
     stationary i.i.d. noise): P(S >= crit) <= alpha, from the exact
     distribution of Kendall's S (Mahonian numbers), no normal approximation;
  2. sustained: each half of the window rises on its own (S(n/2) at
     alpha_half), so the rise spans the whole window rather than one step
     or a short ramp;
  3. rate: the Theil-Sen slope is >= min_rate;
  4. no deceleration toward a cap: the Theil-Sen slope of the last third of
     the window is >= rho x the whole window's (a cache filling, a warm-up
     leveling off decelerate; a leak does not; a late onset accelerates);
  5. not a reversible rise: when the process's load is known, the floor of
     the last third of the window is above the floor of earlier bins (4 h
     back, before the window) at which the process was at least as busy
     (CPU rate >= 0.9 x now) by half the claimed growth; with no such
     earlier bins, the CPU rate itself must not trend up within the window
     (Mann-Kendall, p > 0.01). Memory that follows the process's own load
     up is not judged until the load comes back down.
A verdict is raised when a window passes `consecutive` evaluations in a row
on any scale, and held while any scale passes at least once per `hold`
seconds. The robustness to single noisy floors is the rank statistic's: one
outlier moves S by at most n - 1 of its n(n-1)/2 range, and the Theil-Sen
slope has a 29% breakdown point.

False-alarm rate under the null (floors i.i.d. within a window): each
evaluation passes test 1 with probability <= alpha (exact); a verdict needs
`consecutive` passes, so per target-hour <= sum over scales of
alpha x evaluations per hour (a union bound that ignores tests 2-5 and the
overlap between successive windows, hence conservative).
"""
import math
from collections import deque


def mk_exact_tail(n):
    """P(S >= s) for s = -M..M, M = n(n-1)/2, under exchangeability, as a
    dict s -> tail probability. Inversion counts of a random permutation:
    S = M - 2 * inversions."""
    m = n * (n - 1) // 2
    dist = [1]
    for k in range(1, n + 1):
        # convolve with uniform {0..k-1}
        new = [0] * (len(dist) + k - 1)
        acc = 0
        for i in range(len(new)):
            if i < len(dist):
                acc += dist[i]
            if i - k >= 0 and i - k < len(dist):
                acc -= dist[i - k]
            new[i] = acc
        dist = new
    total = math.factorial(n)
    # S >= s  <=>  inversions <= (m - s) / 2
    tail = {}
    cum = 0
    for inv in range(m + 1):
        cum += dist[inv]
        tail[m - 2 * inv] = cum / total
    return tail


_CRIT = {}


def mk_critical(n, alpha):
    """Smallest S with P(S >= S) <= alpha (exact)."""
    key = (n, alpha)
    if key not in _CRIT:
        tail = mk_exact_tail(n)
        crit = None
        for s in sorted(tail):
            if tail[s] <= alpha:
                crit = s
                break
        _CRIT[key] = crit if crit is not None else 10 ** 9
    return _CRIT[key]


def mk_s(y):
    s = 0
    n = len(y)
    for i in range(n):
        yi = y[i]
        for j in range(i + 1, n):
            d = y[j] - yi
            s += (d > 0) - (d < 0)
    return s


def theil_sen(x, y):
    sl = []
    n = len(x)
    for i in range(n):
        for j in range(i + 1, n):
            if x[j] > x[i]:
                sl.append((y[j] - y[i]) / (x[j] - x[i]))
    if not sl:
        return 0.0
    sl.sort()
    k = len(sl)
    return sl[k // 2] if k % 2 else 0.5 * (sl[k // 2 - 1] + sl[k // 2])


def quantile(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, max(0, int(round(q * (len(v) - 1)))))]


def median(v):
    v = sorted(v)
    k = len(v)
    if not k:
        return float("nan")
    return v[k // 2] if k % 2 else 0.5 * (v[k // 2 - 1] + v[k // 2])


class Scale:
    def __init__(self, window, bin_s, alpha, keep=None):
        self.window = window
        self.bin = bin_s
        self.n = int(round(window / bin_s))
        self.alpha = alpha
        self.bins = deque(maxlen=keep or 2 * self.n)  # (t_end, floor, cpu_rate)
        self.cur_end = None
        self.cur_min = None
        self.cur_cpu0 = None
        self.cur_cpu1 = None
        self.cur_t0 = None
        self.cur_t1 = None
        self.streak = 0


class Verdict:
    def __init__(self, scales=None, alpha_half=0.01, min_rate=2048.0,
                 rho=0.75, consecutive=2, hold=900.0, load_tol=1.0):
        self.scales = scales or [
            Scale(900, 15, 1e-6),
            Scale(3600, 60, 1e-6, keep=240),
            Scale(4 * 3600, 240, 1e-6),
        ]
        self.alpha_half = alpha_half
        self.min_rate = min_rate
        self.rho = rho
        self.consecutive = consecutive
        self.hold = hold
        self.load_tol = load_tol
        self.active = False
        self.last_pass = -1e18
        self.events = []  # (time, scale window, slope, growth)
        self.long = self.scales[1]  # history for the reversibility check
        self.have_cpu = False

    def add(self, t, b, cpu=None):
        if cpu is not None:
            self.have_cpu = True
        passed = None
        for sc in self.scales:
            if sc.cur_end is None:
                sc.cur_end = (math.floor(t / sc.bin) + 1) * sc.bin
            if t >= sc.cur_end:
                if sc.cur_min is not None:
                    rate = None
                    if sc.cur_cpu0 is not None and sc.cur_t1 > sc.cur_t0:
                        rate = (sc.cur_cpu1 - sc.cur_cpu0) / (sc.cur_t1 - sc.cur_t0)
                    sc.bins.append((sc.cur_end, sc.cur_min, rate))
                    r = self.judge(sc, t)
                    if r:
                        sc.streak += 1
                        if sc.streak >= self.consecutive and passed is None:
                            passed = (sc.window,) + r
                    else:
                        sc.streak = 0
                sc.cur_end = (math.floor(t / sc.bin) + 1) * sc.bin
                sc.cur_min = None
                sc.cur_cpu0 = cpu
                sc.cur_t0 = t
            sc.cur_min = b if sc.cur_min is None else min(sc.cur_min, b)
            if sc.cur_cpu0 is None:
                sc.cur_cpu0, sc.cur_t0 = cpu, t
            sc.cur_cpu1, sc.cur_t1 = cpu, t
        if passed:
            self.last_pass = t
            if not self.active:
                self.active = True
                self.events.append((t,) + passed)
        elif self.active and t - self.last_pass > self.hold:
            self.active = False
        return self.active

    def judge(self, sc, t):
        n = sc.n
        if len(sc.bins) < n:
            return None
        win = list(sc.bins)[-n:]
        x = [w[0] for w in win]
        y = [w[1] for w in win]
        if mk_s(y) < mk_critical(n, sc.alpha):
            return None
        k = n // 3
        thirds = [(x[:k], y[:k]), (x[k:n - k], y[k:n - k]), (x[n - k:], y[n - k:])]
        # Sustained: every third of the window rises on its own.
        for _tx, ty in thirds:
            if mk_s(ty) < mk_critical(len(ty), self.alpha_half):
                return None
        slope = theil_sen(x, y)
        if slope < self.min_rate:
            return None
        # No deceleration toward a cap: the last third grows at least rho x
        # as fast as the first.
        first = theil_sen(*thirds[0])
        middle = theil_sen(*thirds[1])
        last = theil_sen(*thirds[2])
        # The rise spans the window (no flat third: a late onset is judged
        # once the whole window rises) ...
        six = n // 6
        for i in range(6):
            lo, hi = i * six, (i + 1) * six if i < 5 else n
            if theil_sen(x[lo:hi], y[lo:hi]) < 0.4 * slope:
                return None
        # ... and does not decelerate toward a cap.
        if last < self.rho * max(first, middle):
            return None
        self.debug = (first, middle, last, slope)
        # The floor moved: the last third lies above the first (10th
        # percentile over 90th), which a sawtooth or a wave within the
        # window never does.
        if quantile(thirds[2][1], 0.1) <= quantile(thirds[0][1], 0.9):
            return None
        growth = slope * sc.window
        # A longer scale that saw the rise begin faster vetoes it (a cache
        # whose fill slows over an hour looks linear over 15 minutes).
        for other in self.scales:
            if other.window > sc.window and self.decelerates(other):
                return None
        if self.have_cpu and not self.reversible_ok(sc, win, growth):
            return None
        return (slope, growth)

    def decelerates(self, sc):
        bins = list(sc.bins)[-sc.n:]
        if len(bins) < sc.n // 2:
            return False
        x = [w[0] for w in bins]
        y = [w[1] for w in bins]
        k = len(bins) // 3
        first = theil_sen(x[:k], y[:k])
        middle = theil_sen(x[k:-k], y[k:-k])
        last = theil_sen(x[-k:], y[-k:])
        early = max(first, middle)
        return early >= self.min_rate and last < self.rho * early

    def reversible_ok(self, sc, win, growth):
        k = max(3, sc.n // 3)
        now = [w for w in win[-k:] if w[2] is not None]
        if not now:
            return True
        load = median([w[2] for w in now])
        floor_now = median([w[1] for w in win[-k:]])
        start = win[0][0] - sc.bin
        # A floor rising far more (relatively) than the CPU rate is not
        # carried by the load (a leak makes a collector busier).
        then = [w for w in win[:k] if w[2] is not None]
        floor_then = median([w[1] for w in win[:k]])
        if then and floor_then > 0:
            load_then = median([w[2] for w in then])
            mem_rise = (floor_now - floor_then) / floor_then
            load_rise = ((load - load_then) / load_then if load_then > 0
                         else float("inf") if load > 0 else 0.0)
            if mem_rise > 0 and load_rise < 0.25 * mem_rise:
                return True
        earlier = [w for w in self.long.bins
                   if w[0] <= start and w[2] is not None
                   and w[2] >= self.load_tol * load]
        if len(earlier) >= 5:
            return floor_now - median([w[1] for w in earlier]) >= 0.5 * growth
        history = [w for w in self.long.bins if w[0] <= start]
        if len(history) >= self.long.n // 2:
            # The load is at its highest in hours: a rise with it cannot be
            # told from a leak yet.
            return False
        # A young process: the load must be flat within the window (less
        # than 5% change along its Theil-Sen line, no trend at 5%).
        pts = [(w[0], w[2]) for w in win if w[2] is not None]
        if len(pts) < 8:
            return True
        rates = [p[1] for p in pts]
        m = median(rates)
        if m <= 0:
            return True
        rel = theil_sen([p[0] for p in pts], rates) * sc.window / m
        return rel < 0.05 and mk_s(rates) < mk_critical(len(rates), 0.05)


class Target:
    """All workers of one target: one Verdict per pid; pid churn is neither
    growth nor a drop (a new pid starts its own series)."""

    def __init__(self, **kw):
        self.kw = kw
        self.workers = {}
        self.events = []  # (time, pid, window, slope, growth)
        self.active_pids = set()

    def add(self, t, pid, b, cpu=None):
        v = self.workers.get(pid)
        if v is None:
            v = self.workers[pid] = Verdict(**self.kw)
        before = len(v.events)
        v.add(t, b, cpu)
        if len(v.events) > before:
            e = v.events[-1]
            # A new target-level verdict only when no worker holds one.
            if not any(self.workers[p].active for p in self.workers if p != pid):
                self.events.append((e[0], pid) + e[1:])


class Coroot:
    """Coroot's memory-leak check as its code has it (auditor/memory.go):
    linear regression of RSS over the query window (1 h), growth per hour
    = lr(now) - lr(now - 1h), summed over the app's instances, against the
    default threshold of 10 MB/h; RSS at a 15-s step; judged every minute."""

    def __init__(self, window=3600, step=15, every=60, threshold=10.0):
        self.window, self.step, self.every, self.threshold = (
            window, step, every, threshold)
        self.series = {}  # pid -> deque of (t, b)
        self.next_eval = None
        self.active = False
        self.events = []

    def add(self, t, pid, b):
        if t % self.step == 0:
            d = self.series.setdefault(pid, deque())
            d.append((t, b))
        if self.next_eval is None:
            self.next_eval = t + self.every
        if t >= self.next_eval:
            self.next_eval += self.every
            total = 0.0
            for p, d in list(self.series.items()):
                while d and d[0][0] <= t - self.window:
                    d.popleft()
                if len(d) < 2:
                    continue
                if d[-1][0] < t - 2 * self.step:
                    continue  # this instance is gone
                n = len(d)
                mx = sum(x for x, _ in d) / n
                my = sum(y for _, y in d) / n
                sxx = sum((x - mx) ** 2 for x, _ in d)
                if sxx <= 0:
                    continue
                slope = sum((x - mx) * (y - my) for x, y in d) / sxx
                total += slope * 3600 / 1024 / 1024
            fire = total > self.threshold
            if fire and not self.active:
                self.events.append(t)
            self.active = fire
