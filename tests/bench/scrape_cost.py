"""Measurements of scripts/bench: our exporter beside Debian's
prometheus-process-exporter and the floor (tests/bench/floor.c) on N idle
processes, in two shapes:

  group    N processes sharing one comm, watched as ONE target (our
           --match=name=bench,comm=...; the peer's -procnames);
  targets  N processes, each its own target (our --pid per process; the peer
           with one group per pid, name template {{.Comm}}-{{.PID}}).

One round = one floor pass, one scrape of ours, one of the peer, on a new
connection each (time = connect to last body byte, from Python), so the three
see the same load. Figures, never assertions. Everything started is stopped
by pid.
"""

import http.client
import os
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time

COMM = "mwbench_idle"
HZ = os.sysconf("SC_CLK_TCK")
HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return (int(rest[11]) + int(rest[12])) / HZ  # fields 14, 15


def status_mib(pid, key):
    """VmRSS or VmHWM of a process, in MiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def series_count(body):
    return sum(1 for line in body.split(b"\n") if line and line[:1] != b"#")


class Scraper:
    def __init__(self, port):
        self.port = port

    def get(self):
        """One GET /metrics on a new connection: (seconds, body)."""
        t0 = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            conn.request("GET", "/metrics")
            resp = conn.getresponse()
            body = resp.read()
        finally:
            conn.close()
        elapsed = time.perf_counter() - t0
        if resp.status != 200:
            raise RuntimeError(f"port {self.port}: HTTP {resp.status}")
        return elapsed, body

    def kept_alive_p50(self, count):
        """p50 of `count` GETs over one kept-alive connection (request sent
        to last body byte), and how many reconnects the server forced."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        times, reconnects, sock = [], 0, None
        try:
            for _ in range(count):
                t0 = time.perf_counter()
                conn.request("GET", "/metrics")
                if sock is not None and conn.sock is not sock:
                    reconnects += 1
                sock = conn.sock
                resp = conn.getresponse()
                resp.read()
                times.append(time.perf_counter() - t0)
        finally:
            conn.close()
        return statistics.median(times), reconnects


def stop(procs):
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def start_server(argv_for_port, ready, what):
    """Starts a server on a free port and waits (up to 120 s) until
    ready(body) holds for its /metrics. The machine is shared: when another
    program takes the port first, tries again on a new one."""
    for _ in range(5):
        port = free_port()
        proc = subprocess.Popen(argv_for_port(port), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        scraper = Scraper(port)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                _, body = scraper.get()
                if ready(body):
                    return proc, scraper
            except (OSError, http.client.HTTPException, RuntimeError):
                pass
            time.sleep(0.2)
        stop([proc])
    raise RuntimeError(f"could not start {what}")


class Floor:
    """tests/bench/floor.c, one pass per request: (wall s, cpu s, processes)."""

    def __init__(self, binary, argv):
        self.proc = subprocess.Popen([binary] + argv, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)

    def one_pass(self):
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()
        wall, cpu, n = self.proc.stdout.readline().split()
        return float(wall), float(cpu), int(n)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


class Tools:
    """What every run needs: binaries built once, the sleeper copy."""

    def __init__(self, ours, peer, tmp):
        self.ours, self.peer = ours, peer
        self.floor = os.path.join(tmp, "floor")
        subprocess.run(["gcc", "-O2", "-o", self.floor,
                        os.path.join(HERE, "floor.c")], check=True)
        self.sleeper = os.path.join(tmp, COMM)  # comm = the file's name
        shutil.copy(shutil.which("sleep"), self.sleeper)
        self.peer_config = os.path.join(tmp, "peer-targets.yml")
        with open(self.peer_config, "w") as f:
            f.write('process_names:\n  - name: "{{.Comm}}-{{.PID}}"\n'
                    f"    comm:\n    - {COMM}\n")


PEER_FLAGS = ["-threads=false", "-gather-smaps=false", "-children=false"]


def targets_up(n):
    """Ready once n targets answer memwatch_target_up 1."""
    return lambda body: sum(
        1 for line in body.split(b"\n")
        if line.startswith(b"memwatch_target_up{") and line.endswith(b" 1")) >= n


def servers_argv(shape, tools, idle):
    """(ours argv(port), peer argv(port), floor argv, ours ready, peer ready)."""
    pids = [str(p.pid) for p in idle]
    listen = lambda port: f"127.0.0.1:{port}"
    if shape == "group":
        return ((lambda port: [tools.ours, "--web.listen-address=" + listen(port),
                               f"--match=name=bench,comm={COMM}"]),
                (lambda port: [tools.peer, "-procnames", COMM, *PEER_FLAGS,
                               "-web.listen-address", listen(port)]),
                ["comm", COMM], targets_up(1),
                lambda body: b"namedprocess_namegroup_num_procs" in body)
    n = len(pids)
    return ((lambda port: [tools.ours, "--web.listen-address=" + listen(port),
                           "--pid=" + ",".join(pids)]),
            (lambda port: [tools.peer, "-config.path", tools.peer_config,
                           *PEER_FLAGS, "-web.listen-address", listen(port)]),
            ["pids"] + pids, targets_up(n),
            lambda body: body.count(b"namedprocess_namegroup_num_procs{") >= n)


def start_idle(tools, n):
    idle = [subprocess.Popen([tools.sleeper, "100000"], stdin=subprocess.DEVNULL)
            for _ in range(n)]
    deadline = time.monotonic() + 60
    while not all(os.path.exists(f"/proc/{p.pid}/stat") for p in idle):
        if time.monotonic() > deadline:
            raise RuntimeError("idle processes did not start")
        time.sleep(0.05)
    return idle


def measure(shape, n, tools, args, with_peer):
    """One shape at one N. Returns a dict of figures (see scrape_report)."""
    idle = start_idle(tools, n)
    servers, floor = [], None
    try:
        ours_argv, peer_argv, floor_argv, ours_ready, peer_ready = \
            servers_argv(shape, tools, idle)
        ours, s_ours = start_server(ours_argv, ours_ready, "memwatch_exporter")
        servers.append(ours)
        peer = s_peer = None
        if with_peer:
            peer, s_peer = start_server(peer_argv, peer_ready, "process-exporter")
            servers.append(peer)
        # The sampler alone: our exporter without scrapes.
        time.sleep(1)
        c0, t0 = cpu_seconds(ours.pid), time.monotonic()
        time.sleep(args.sampler_seconds)
        sampler = (cpu_seconds(ours.pid) - c0) / (time.monotonic() - t0)
        who = {"ours": (ours, s_ours)}
        if peer:
            who["peer"] = (peer, s_peer)
        idle_rss = {k: status_mib(p.pid, "VmRSS") for k, (p, _) in who.items()}
        floor = Floor(tools.floor, floor_argv)
        times = {k: [] for k in who}
        fl_wall, fl_cpu, body = [], [], {}
        cpu0 = {k: cpu_seconds(p.pid) for k, (p, _) in who.items()}
        for i in range(args.scrapes):
            wall, cpu, matched = floor.one_pass()
            fl_wall.append(wall)
            fl_cpu.append(cpu)
            order = list(who.items())
            if i % 2:
                order.reverse()  # neither is always scraped first
            for k, (_, s) in order:
                t, body[k] = s.get()
                times[k].append(t)
        res = {"shape": shape, "n": n, "matched": matched,
               "floor_p50": statistics.median(fl_wall),
               "floor_cpu": statistics.mean(fl_cpu), "sampler": sampler}
        for k, (p, s) in who.items():
            res[k] = {
                "p50": statistics.median(times[k]), "p99": pct(times[k], 0.99),
                "cpu": (cpu_seconds(p.pid) - cpu0[k]) / args.scrapes,
                "idle_rss": idle_rss[k], "rss": status_mib(p.pid, "VmRSS"),
                "hwm": status_mib(p.pid, "VmHWM"), "bytes": len(body[k]),
                "series": series_count(body[k])}
        for k, (p, s) in who.items():
            res[k]["kept"] = s.kept_alive_p50(args.scrapes)
        return res
    finally:
        if floor:
            floor.close()
        stop(servers)
        stop(idle)


def measure_all(args, ours_bin, peer_bin):
    """Yields the figures of every (shape, N) asked for, as measured."""
    with tempfile.TemporaryDirectory(prefix="mwbench") as tmp:
        tools = Tools(ours_bin, peer_bin, tmp)
        for shape, counts in (("group", args.group_counts),
                              ("targets", args.target_counts)):
            for n in counts:
                yield measure(shape, n, tools, args,
                              with_peer=n <= args.peer_max)
