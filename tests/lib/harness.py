"""Shared helpers for integration and end-to-end tests (Python stdlib only).

Every server a test starts listens on 127.0.0.1, on a port chosen free, and is
stopped by its PID when the test ends, pass or fail (use Processes as a context
manager or call stop_all() in tearDown / addCleanup).
"""

import gzip
import os
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def binary(target):
    """Path of a built Bazel binary, e.g. binary("exporter/memwatch_exporter").

    scripts/test builds everything first; MEMWATCH_BAZEL_BIN overrides bazel-bin.
    The plain configuration's own directory is preferred to the bazel-bin link,
    which follows the last build (a `bazel test --config=asan` meanwhile would
    point it at sanitizer builds, each configuration having its own directory).
    """
    plain = os.path.join(REPO, "bazel-out", "k8-opt", "bin")
    default = plain if os.path.isdir(plain) else os.path.join(REPO, "bazel-bin")
    base = os.environ.get("MEMWATCH_BAZEL_BIN", default)
    path = os.path.join(base, target)
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"{path} is not built; run scripts/test or bazel build //...")
    return path


def free_port():
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout=10.0, interval=0.05, what="condition"):
    """Polls predicate() until it returns a truthy value or the deadline passes."""
    deadline = time.monotonic() + timeout
    last_exc = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception as exc:  # keep polling; report the last failure
            last_exc = exc
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}"
                         + (f" (last error: {last_exc})" if last_exc else ""))


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # dict with lower-case keys
        self.body = body  # bytes, already un-gzipped if it was gzip

    @property
    def text(self):
        return self.body.decode("utf-8")


def http(method, url, headers=None, timeout=10.0):
    """One HTTP request; never raises on 4xx/5xx. Decompresses gzip bodies."""
    req = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, hdrs, body = r.status, dict(r.headers.items()), r.read()
    except urllib.error.HTTPError as e:
        status, hdrs, body = e.code, dict(e.headers.items()), e.read()
    hdrs = {k.lower(): v for k, v in hdrs.items()}
    if hdrs.get("content-encoding") == "gzip":
        body = gzip.decompress(body)
    return Response(status, hdrs, body)


def get(url, **kw):
    return http("GET", url, **kw)


def stop_process(p, sig=signal.SIGTERM, timeout=10.0):
    """Signals the Popen p (by its PID) and waits; SIGKILL if it does not exit
    in `timeout` seconds. Returns its exit code."""
    if p.poll() is None:
        try:
            os.kill(p.pid, sig)
        except ProcessLookupError:
            pass
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.kill(p.pid, signal.SIGKILL)
            p.wait()
    return p.returncode


class Processes:
    """Starts processes and guarantees they are stopped by PID at the end."""

    def __init__(self):
        self.procs = []

    def start(self, args, env=None, stdout=None, stderr=None, **kw):
        p = subprocess.Popen(args, env=env, stdout=stdout or subprocess.DEVNULL,
                             stderr=stderr or subprocess.PIPE, **kw)
        self.procs.append(p)
        return p

    def stop(self, p, sig=signal.SIGTERM, timeout=10.0):
        """Signals p and waits; SIGKILL if it does not exit. Returns exit code."""
        return stop_process(p, sig, timeout)

    def stop_all(self):
        for p in reversed(self.procs):
            self.stop(p)
            for f in (p.stdin, p.stdout, p.stderr):
                if f:
                    f.close()
        self.procs = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop_all()


class Exporter:
    """A running memwatch_exporter on 127.0.0.1:<free port>, ready when returned."""

    def __init__(self, procs, args=(), ready_timeout=20.0):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        cmd = [binary("exporter/memwatch_exporter"),
               f"--web.listen-address=127.0.0.1:{self.port}", *args]
        # The log goes to a file, not a pipe: nobody reads a pipe while a test
        # runs, and a full pipe would block the exporter's logging threads.
        self._log = tempfile.NamedTemporaryFile(prefix="memwatch-exporter-",
                                                suffix=".log")
        self.proc = procs.start(cmd, stderr=self._log)
        self.procs = procs
        wait_until(lambda: self._ready(), timeout=ready_timeout,
                   what=f"exporter ready on {self.base} ({' '.join(cmd)})")

    def _ready(self):
        if self.proc.poll() is not None:
            raise AssertionError(
                f"exporter exited {self.proc.returncode}: {self.log_text()}")
        return get(self.base + "/-/ready", timeout=2).status == 200

    def log_text(self):
        """Everything the exporter has logged so far."""
        with open(self._log.name, errors="replace") as f:
            return f.read()

    def get(self, path, **kw):
        return get(self.base + path, **kw)

    def metrics(self):
        return self.get("/metrics").text

    def stop(self):
        return self.procs.stop(self.proc)


class ExporterTestCase(unittest.TestCase):
    """Tests sharing one exporter (self.exp), started with the class's
    `exporter_args` before its first test and stopped after its last."""

    exporter_args = ()

    @classmethod
    def setUpClass(cls):
        cls.procs = Processes()
        cls.exp = Exporter(cls.procs, args=cls.exporter_args)

    @classmethod
    def tearDownClass(cls):
        cls.procs.stop_all()


def parse_metrics(text):
    """{(name, frozenset(labels.items())): value} from the text format (simple)."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        head, _, value = line.rpartition(" ")
        if "{" in head:
            name, _, rest = head.partition("{")
            labels = {}
            body = rest.rstrip("}")
            # label values produced by prometheus-cpp are escaped; split carefully
            i = 0
            while i < len(body):
                eq = body.index("=", i)
                key = body[i:eq].strip(",")
                j = eq + 2
                val = []
                while body[j] != '"':
                    if body[j] == "\\":
                        j += 1
                    val.append(body[j])
                    j += 1
                labels[key] = "".join(val)
                i = j + 2
        else:
            name, labels = head, {}
        out[(name, frozenset(labels.items()))] = float(value)
    return out


def metric_value(text, metric, **labels):
    """The value of one series, or None. Labels filter (`name=` is our label)."""
    for (n, ls), v in parse_metrics(text).items():
        if n == metric and all((k, str(val)) in ls for k, val in labels.items()):
            return v
    return None
