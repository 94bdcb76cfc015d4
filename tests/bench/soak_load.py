"""What the soak (tests/bench/soak.py) runs beside the exporter: child
processes that come and go, idle connections, the RSS sampler and health probe,
wrk with a request-counting script, and the measurements it reads from /proc.
"""

import argparse
import datetime
import http.client
import json
import os
import platform
import random
import re
import selectors
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)
from tests.lib import harness  # noqa: E402
MIB = 1024 * 1024

# Counts requests per wrk thread and stops the thread after its share, so a run
# is a fixed number of scrapes (wrk itself only knows durations); counts
# non-200 answers itself because wrk's own "status" error treats 3xx as fine.
WRK_LUA = r"""
local limit = tonumber(os.getenv("SOAK_PER_THREAD"))
local done_dir = os.getenv("SOAK_DONE_DIR")
local threads = {}
local next_id = 0
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end
function init(args)
  n = 0
  non200 = 0
  degraded = 0
end
function response(status, headers, body)
  n = n + 1
  if status ~= 200 then non200 = non200 + 1 end
  -- A 200 whose collectors failed or timed out is not a good scrape either.
  if body and string.find(body, 'memwatch_scrape_collector_success{collector="[^"]*"} 0\n') then
    degraded = degraded + 1
  end
  if n == limit then
    -- wrk's main thread sleeps for -d whatever its threads do: leave a mark
    -- so the soak script sends SIGINT, on which wrk stops and reports.
    local f = io.open(done_dir .. "/done-" .. id, "w")
    if f then f:close() end
    wrk.thread:stop()
  end
end
function done(summary, latency, requests)
  local non = 0
  local deg = 0
  for _, t in ipairs(threads) do
    non = non + t:get("non200")
    deg = deg + t:get("degraded")
  end
  local e = summary.errors
  io.write(string.format(
    "SOAK requests=%d duration_us=%d bytes=%d non200=%d degraded=%d connect=%d read=%d " ..
    "write=%d status=%d timeout=%d p50_us=%d p90_us=%d p99_us=%d " ..
    "p999_us=%d max_us=%d mean_us=%.0f\n",
    summary.requests, summary.duration, summary.bytes, non, deg, e.connect, e.read,
    e.write, e.status, e.timeout, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.max, latency.mean))
end
"""


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=10.0):
    """(status, body bytes); never raises on HTTP errors."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def rss_bytes(pid):
    """(VmRSS, Threads) of pid from /proc, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as f:
            text = f.read(65536)
    except OSError:
        return None
    rss = re.search(r"^VmRSS:\s+(\d+) kB", text, re.M)
    thr = re.search(r"^Threads:\s+(\d+)", text, re.M)
    if not rss:
        return None
    return int(rss.group(1)) * 1024, int(thr.group(1)) if thr else 0


def memory_breakdown(pid):
    """KiB of resident anonymous memory by kind, from /proc/<pid>/smaps.

    Worker stacks are the anonymous rw mappings of the most common size (every
    civetweb worker gets one of the same size); their resident sizes are also
    returned as a histogram {KiB: mappings}. None once the process is gone.
    """
    try:
        with open(f"/proc/{pid}/smaps", encoding="utf-8") as f:
            text = f.read(64 << 20)
    except OSError:
        return None
    maps = []  # [size KiB, perms, name, rss KiB]
    for line in text.splitlines():
        m = re.match(r"([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$", line)
        if m:
            size = (int(m.group(2), 16) - int(m.group(1), 16)) // 1024
            maps.append([size, m.group(3), m.group(4).strip(), 0])
        elif line.startswith("Rss:") and maps:
            maps[-1][3] = int(line.split()[1])
    anon = [mp for mp in maps if mp[1] == "rw-p" and not mp[2]]
    sizes = {}
    for mp in anon:
        sizes[mp[0]] = sizes.get(mp[0], 0) + 1
    stack_size = max(sizes, key=sizes.get) if sizes else 0
    stacks = [mp[3] for mp in anon if mp[0] == stack_size]
    hist = {}
    for r in stacks:
        hist[r] = hist.get(r, 0) + 1
    return {
        "heap": sum(mp[3] for mp in maps if mp[2] == "[heap]"),
        "stacks": sum(stacks),
        "stack_count": len(stacks),
        "stack_size": stack_size,
        "stack_hist": dict(sorted(hist.items())),
        "other_anon": sum(mp[3] for mp in anon if mp[0] != stack_size),
    }


def fmt_breakdown(b):
    if not b:
        return "n/a"
    hist = ", ".join(f"{n}×{k} KiB" for k, n in b["stack_hist"].items())
    return (f"`[heap]` {b['heap']} KiB, worker stacks {b['stacks']} KiB "
            f"({b['stack_count']} of {b['stack_size']} KiB: {hist}), other anonymous "
            f"{b['other_anon']} KiB")


DEGRADED = re.compile(rb'^memwatch_scrape_collector_success\{collector="[^"]*"\} 0$', re.M)


def fresh_connection_scrapes(port, count, concurrency=16, timeout=30.0):
    """`count` GETs of /metrics, each on a new connection closed after it.

    civetweb gives a new connection to a waiting worker (in about the order
    they went idle), so rounds of these reach every worker thread, which
    keep-alive connections never do: each stays on one worker for its life.
    Returns (answered 200, other statuses or errors as strings).
    """
    lock = threading.Lock()
    state = {"left": count, "ok": 0, "bad": []}

    def worker():
        while True:
            with lock:
                if state["left"] == 0:
                    return
                state["left"] -= 1
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
                c.request("GET", "/metrics", headers={"Connection": "close"})
                r = c.getresponse()
                body = r.read(64 << 20)
                c.close()
                status = r.status
                if status == 200 and DEGRADED.search(body):
                    status = "200 with a failed collector"
            except (OSError, http.client.HTTPException) as e:
                status = f"{type(e).__name__}: {e}"
            with lock:
                if status == 200:
                    state["ok"] += 1
                else:
                    state["bad"].append(str(status))

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return state["ok"], state["bad"]


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "kernel": platform.release(),
            "load": os.getloadavg()}


class Children:
    """Every process the soak starts, stopped by PID at the end."""

    def __init__(self):
        self.lock = threading.Lock()
        self.procs = set()

    def start(self, args, **kw):
        p = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL,
                             stderr=kw.pop("stderr", subprocess.DEVNULL), **kw)
        with self.lock:
            self.procs.add(p)
        return p

    def stop(self, p, timeout=10.0):
        harness.stop_process(p, timeout=timeout)
        with self.lock:
            self.procs.discard(p)
        return p.returncode

    def reap(self):
        with self.lock:
            done = [p for p in self.procs if p.poll() is not None]
            for p in done:
                self.procs.discard(p)
        return len(done)

    def stop_all(self):
        with self.lock:
            procs = list(self.procs)
        for p in procs:
            self.stop(p)


class Churn(threading.Thread):
    """Starts short-lived --match processes and restarts the --pidfile one."""

    def __init__(self, children, churn_exe, pidf_exe, pidfile, stop):
        super().__init__(daemon=True)
        self.children, self.churn_exe, self.pidf_exe = children, churn_exe, pidf_exe
        self.pidfile, self.stop_event = pidfile, stop
        self.started = 0
        self.pidfile_restarts = 0
        self.rng = random.Random(1)
        self.pidf_proc = None

    def restart_pidfile_target(self, old):
        if old is not None:
            self.children.stop(old)
        p = self.children.start([self.pidf_exe, "3600"])
        tmp = self.pidfile + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(f"{p.pid}\n")
        os.replace(tmp, self.pidfile)
        self.pidfile_restarts += 1
        self.pidf_proc = p
        return p

    def run(self):
        pidf = self.pidf_proc or self.restart_pidfile_target(None)
        next_pidf = time.monotonic() + 3.0
        while not self.stop_event.wait(0.25):
            self.children.reap()
            # Lifetimes from 0.2 s to 4 s: some live across scrapes, some
            # between two, some exit mid-scrape.
            life = self.rng.uniform(0.2, 4.0)
            self.children.start([self.churn_exe, f"{life:.2f}"])
            self.started += 1
            if time.monotonic() >= next_pidf:
                pidf = self.restart_pidfile_target(pidf)
                next_pidf = time.monotonic() + 3.0


class IdleConnections(threading.Thread):
    """Keeps `count` TCP connections open that never send a byte.

    The exporter closes a silent connection after its 5 s header timeout; each
    closed one is reopened at once, so `count` are open nearly all the time.
    """

    def __init__(self, port, count, stop):
        super().__init__(daemon=True)
        self.port, self.count, self.stop_event = port, count, stop
        self.opened = 0
        self.closed_by_server = 0
        self.connect_errors = 0
        self.open_now = 0
        self.sel = selectors.DefaultSelector()

    def open_one(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(5.0)
        try:
            s.connect(("127.0.0.1", self.port))
        except OSError:
            self.connect_errors += 1
            s.close()
            return
        s.setblocking(False)
        self.sel.register(s, selectors.EVENT_READ)
        self.opened += 1

    def run(self):
        while not self.stop_event.is_set():
            while len(self.sel.get_map()) < self.count and not self.stop_event.is_set():
                self.open_one()
            self.open_now = len(self.sel.get_map())
            for key, _ in self.sel.select(timeout=0.5):
                s = key.fileobj
                try:
                    data = s.recv(4096)
                except OSError:
                    data = b""
                if not data:  # closed by the server (or reset)
                    self.sel.unregister(s)
                    s.close()
                    self.closed_by_server += 1
        for key in list(self.sel.get_map().values()):
            self.sel.unregister(key.fileobj)
            key.fileobj.close()


class Sampler(threading.Thread):
    """Samples the exporter's RSS every `interval` s and probes /-/healthy."""

    def __init__(self, pid, port, interval, stop):
        super().__init__(daemon=True)
        self.pid, self.port, self.interval, self.stop_event = pid, port, interval, stop
        self.samples = []  # (monotonic, rss, threads, phase)
        self.phase = "start"
        self.probes = 0
        self.probe_failures = []
        self.probe_max = 0.0

    def sample(self):
        r = rss_bytes(self.pid)
        if r:
            self.samples.append((time.monotonic(), r[0], r[1], self.phase))
        return r

    def run(self):
        while not self.stop_event.wait(self.interval):
            self.sample()
            t0 = time.monotonic()
            try:
                status, _ = http_get(f"http://127.0.0.1:{self.port}/-/healthy", timeout=10)
            except OSError as e:
                status = str(e)
            self.probe_max = max(self.probe_max, time.monotonic() - t0)
            self.probes += 1
            if status != 200:
                self.probe_failures.append(status)


def run_wrk(port, requests, connections, threads, max_seconds, lua_path, path):
    per_thread = -(-requests // threads)  # ceil: at least `requests` in total
    done_dir = tempfile.mkdtemp(prefix="mwsoak-wrk.")
    env = dict(os.environ, SOAK_PER_THREAD=str(per_thread), SOAK_DONE_DIR=done_dir)
    cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{int(max_seconds)}s",
           "--timeout", "10s", "-s", lua_path, f"http://127.0.0.1:{port}{path}"]
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)
    try:
        while p.poll() is None:
            if len(os.listdir(done_dir)) >= threads:
                p.send_signal(signal.SIGINT)  # every thread is done: report now
                break
            if time.monotonic() - t0 > max_seconds + 60:
                p.kill()
                break
            time.sleep(0.1)
        stdout, _ = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        shutil.rmtree(done_dir, ignore_errors=True)
    wall = time.monotonic() - t0
    m = re.search(r"^SOAK (.*)$", stdout, re.M)
    if not m:
        raise RuntimeError(f"wrk failed (exit {p.returncode}):\n{stdout}")
    res = {k: float(v) for k, v in (kv.split("=") for kv in m.group(1).split())}
    res["wall"] = wall
    res["raw"] = stdout
    res["cmd"] = cmd
    return res


def fmt_ms(us):
    return f"{us / 1000:.2f} ms"
