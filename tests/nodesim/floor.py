"""Node-side measurements: the exporter's scrape against the "floor" (the bare
reads of the same files), and a heapdiff while its memory is watched.

Which files a scrape reads is not assumed: a second exporter with the same
arguments (plus --no-collector.memwatch, so that no sampler thread reads in
the background) is traced with strace during one scrape, after a first one
has filled its caches; every open, directory listing, path stat and readlink
under /proc, the cgroup tree and the pod logs becomes the plan that
floor.c replays single-threaded. A stat right before a read of the same file
(the exporter's regular-file check) is left out: the floor is the reads.
Then scrapes of the real exporter (the whole HTTP GET, as Prometheus times
it) and floor passes alternate, so that both see the same load.
"""

import os
import re
import signal
import statistics
import subprocess
import threading
import time

from tests.nodesim import exporter

SYSCALLS = "openat,open,newfstatat,statx,stat,lstat,readlink,readlinkat"
LINE = re.compile(r"^(\d+)\s+(\d+\.\d+)\s+(\w+)\((.*)$")
DIRFD = re.compile(r"^(AT_FDCWD|\d+)(?:<([^>]*)>)?,\s*")
CGROUP_FILE = re.compile(r"^((cgroup|memory|cpu|cpuacct|pids|io|blkio)\.\w|tasks$)")
QUOTED = re.compile(r'^"((?:[^"\\]|\\.)*)"')


def _free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse_trace(lines, t1, t2, roots):
    """[(op, path)] of the syscalls stamped within [t1, t2] on paths under
    `roots`, in order."""
    ops = []
    for line in lines:
        m = LINE.match(line)
        if not m or not t1 <= float(m.group(2)) <= t2:
            continue
        call, rest = m.group(3), m.group(4)
        base = ""
        if call in ("openat", "newfstatat", "statx", "readlinkat"):
            d = DIRFD.match(rest)
            if not d:
                continue
            base = d.group(2) or ""
            rest = rest[d.end():]
        q = QUOTED.match(rest)
        if not q or not q.group(1):
            continue  # fstat of an open fd (AT_EMPTY_PATH)
        path = q.group(1)
        if not path.startswith("/"):
            path = os.path.join(base, path)
        if not any(path == r or path.startswith(r + "/") for r in roots):
            continue
        if call in ("openat", "open") and "O_PATH" in rest:
            op = "stat"  # a directory held for openat: a path walk, no read
        elif call in ("openat", "open"):
            op = "list" if "O_DIRECTORY" in rest else "read"
        elif call.startswith("readlink"):
            op = "readlink"
        else:
            op = "stat"
        ops.append((op, path))
    read = {p for op, p in ops if op == "read"}
    return [(op, p) for op, p in ops if not (op == "stat" and p in read)]


def summarize(plan):
    pids, cg, kinds = set(), set(), {}
    for op, p in plan:
        kinds[op] = kinds.get(op, 0) + 1
        m = re.match(r"/proc/(\d+)/", p)
        if m:
            pids.add(m.group(1))
        elif p.startswith("/sys/fs/cgroup/"):
            # a cgroup file counts its directory; a directory (held open,
            # listed) itself
            cg.add(os.path.dirname(p) if CGROUP_FILE.match(os.path.basename(p))
                   else p)
    names = sorted({re.sub(r"^/proc/\d+/", "/proc/<pid>/", p) if "/proc/" in p
                    else os.path.basename(p) for _, p in plan
                    if re.match(r"/proc/\d+/", p) or p.startswith("/sys/fs/cgroup/")})
    return {"ops": len(plan), "by_op": kinds, "pids": len(pids), "cgroup_dirs": len(cg),
            "files": names[:40]}


def cpu_seconds(pid):
    """utime + stime of a process, threads that exited included."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def trace_scrape(cfg, workdir, cpu=None):
    """The plan of one warm scrape of a traced twin of the exporter; with
    `cpu` (a dict), also the twin's CPU time per scrape ("per_scrape"),
    averaged over back-to-back scrapes (clock ticks are 10 ms; the twin has
    no sampler thread, so its CPU time is its scrapes')."""
    port = _free_port()
    argv = [a for a in cfg["exporter"]["argv"] if not a.startswith("--web.listen-address")]
    argv += [f"--web.listen-address=127.0.0.1:{port}", "--no-collector.memwatch"]
    log = open(os.path.join(workdir, "exporter-trace.log"), "ab")
    twin = subprocess.Popen(argv, env=dict(os.environ, **cfg["exporter"]["env"]),
                            stdout=log, stderr=log, start_new_session=True)
    out = os.path.join(workdir, "scrape.strace")
    base = f"http://127.0.0.1:{port}"
    try:
        exporter.wait_ready(base, twin)
        time.sleep(3)  # its first pod list
        exporter.http("GET", base + "/metrics", timeout=60)
        st = subprocess.Popen(["strace", "-f", "-qq", "-y", "-ttt", "-e", f"trace={SYSCALLS}",
                               "-o", out, "-p", str(twin.pid)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.5)  # attached to every thread
        t1 = time.time()
        exporter.http("GET", base + "/metrics", timeout=60)
        t2 = time.time()
        time.sleep(0.3)
        st.send_signal(signal.SIGINT)  # detaches
        st.wait(timeout=30)
        if cpu is not None:
            n = cfg["measure"].get("cpu_scrapes", 40)
            c0 = cpu_seconds(twin.pid)
            for _ in range(n):
                exporter.http("GET", base + "/metrics", timeout=60)
            cpu["per_scrape"] = (cpu_seconds(twin.pid) - c0) / n
            cpu["scrapes"] = n
    finally:
        twin.terminate()
        try:
            twin.wait(timeout=10)
        except subprocess.TimeoutExpired:
            twin.kill()
            twin.wait()
    roots = ["/proc", "/sys/fs/cgroup", os.path.join(cfg["sim_root"], "var", "log", "pods")]
    with open(out, errors="replace") as f:
        return parse_trace(f, t1, t2, roots)


def p50(xs):
    return statistics.median(xs) if xs else None


def measure(cfg, base):
    workdir = cfg["sim_root"]
    cpu = {}
    plan = trace_scrape(cfg, workdir, cpu)
    plan_file = os.path.join(workdir, "floor.plan")
    with open(plan_file, "w") as f:
        f.writelines(f"{op} {p}\n" for op, p in plan)
    rounds = cfg["measure"].get("rounds", 21)
    scrape, fl, failed, body, inside = [], [], [], 0, {}
    floor_cpu = 0.0
    for _ in range(rounds):
        t0 = time.perf_counter()
        status, text = exporter.http("GET", base + "/metrics", timeout=60)
        scrape.append(time.perf_counter() - t0)
        body = len(text)
        # the exporter's own timing of each collector in this scrape
        for name, v in re.findall(r'^memwatch_scrape_collector_duration_seconds\{'
                                  r'collector="([^"]+)"\} (\S+)$', text, flags=re.M):
            inside.setdefault(name, []).append(float(v))
        r = subprocess.run([cfg["floor_bin"], plan_file, "1"], capture_output=True,
                           text=True, timeout=120)
        secs, nfail, cpu_secs = r.stdout.split()
        floor_cpu += float(cpu_secs)
        fl.append(float(secs))
        failed.append(int(nfail))
        time.sleep(0.5)
    targets = len(re.findall(r"^memwatch_target_up\{", text, flags=re.M))
    return {"plan": summarize(plan), "scrape_seconds": scrape, "floor_seconds": fl,
            "floor_failed_ops": failed, "p50_scrape": p50(scrape), "p50_floor": p50(fl),
            "ratio": p50(scrape) / p50(fl) if fl and p50(fl) else None,
            "body_bytes": body, "targets": targets, "rounds": rounds,
            "collector_p50": {k: p50(v) for k, v in inside.items()},
            # CPU time: the twin's per scrape (mean), the floor pass's (mean).
            "cpu_scrape": cpu.get("per_scrape"), "cpu_scrapes": cpu.get("scrapes"),
            "cpu_floor": floor_cpu / rounds if rounds else None}


def heapdiff_run(cfg, base, pid, stopping):
    """A by-mapping heapdiff of cfg["heapdiff"]["target"], with the exporter's
    VmHWM/VmRSS sampled every 0.1 s around it."""
    h = cfg["heapdiff"]
    samples, done = [], threading.Event()

    def sample():
        while not done.is_set():
            samples.append((exporter.status_kib(pid, "VmHWM"), exporter.status_kib(pid, "VmRSS")))
            time.sleep(0.1)
    before = exporter.status_kib(pid, "VmHWM")
    t = threading.Thread(target=sample, daemon=True)
    t.start()
    try:
        for _ in range(12):
            r = exporter.heapdiff(base, h["target"], h.get("seconds", 10))
            if r.get("post_status") == 404 and "no target" in r.get("error", ""):
                if stopping.wait(10):  # the exporter has not named it yet
                    break
                continue
            break
    finally:
        done.set()
        t.join()
    rss = [s[1] for s in samples if s[1]]
    r.update(hwm_before=before, hwm_after=exporter.status_kib(pid, "VmHWM"),
             rss_peak_during=max(rss) if rss else None)
    return r
