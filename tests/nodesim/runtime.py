"""The container runtime of the simulated node: starts a container's process
in its cgroups (optionally in its own pid and mount namespaces, with a
private /tmp), writes its stdout/stderr to a CRI log file as containerd does,
and stops it with SIGTERM, then SIGKILL after a grace period.

A process joins its cgroups before it execs the workload: a small `sh`
writes its own pid to every hierarchy's cgroup.procs, then execs. In its own
pid namespace it is pid 1 there (`$$` is 1, and the kernel reads pids written
to cgroup.procs in the writer's namespace); `unshare` itself stays outside the
container's cgroup, like containerd's shim.
"""

import datetime
import os
import queue
import selectors
import signal
import subprocess
import threading
import time

# sh -c ENTER sh <cgroup.procs files> -- argv...
ENTER = ('p=$$; while [ "$1" != -- ]; do echo "$p" > "$1" || exit 126; shift; done; '
         'shift; exec "$@"')
ENTER_NS = 'mount -t tmpfs -o mode=1777,size=512m tmpfs /tmp || exit 126; ' + ENTER
# containerd splits a line longer than this into partial (P) entries
MAX_LINE = 16 * 1024


def new_container_id():
    return os.urandom(32).hex()


def cri_timestamp(ns=None):
    ns = time.time_ns() if ns is None else ns
    sec, frac = divmod(ns, 1_000_000_000)
    return (datetime.datetime.fromtimestamp(sec, datetime.timezone.utc)
            .strftime("%Y-%m-%dT%H:%M:%S") + f".{frac:09d}Z")


def rfc3339(wall):
    return datetime.datetime.fromtimestamp(
        wall, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class LogShipper:
    """One thread reading every container's stdout/stderr pipes and writing
    `<RFC3339Nano> <stream> <F|P> <text>` lines to the container's log file."""

    def __init__(self):
        self.sel = selectors.DefaultSelector()
        self.new = queue.Queue()
        self.stop = False
        self.thread = threading.Thread(target=self.run, name="cri-logs", daemon=True)
        self.thread.start()

    def add(self, pipe, stream, path):
        self.new.put((pipe, stream, path))

    def _emit(self, f, stream, tag, text):
        f.write(f"{cri_timestamp()} {stream} {tag} ".encode() + text + b"\n")

    def run(self):
        while not self.stop or self.sel.get_map():
            while not self.new.empty():
                pipe, stream, path = self.new.get()
                os.makedirs(os.path.dirname(path), exist_ok=True)
                f = open(path, "ab")
                self.sel.register(pipe, selectors.EVENT_READ, [stream, f, b""])
            if not self.sel.get_map():
                if self.stop:
                    return
                time.sleep(0.1)
                continue
            for key, _ in self.sel.select(timeout=0.2):
                stream, f, buf = key.data
                try:
                    data = os.read(key.fd, 65536)
                except OSError:
                    data = b""
                buf += data
                lines = buf.split(b"\n")
                buf = lines.pop()
                for line in lines:
                    while len(line) > MAX_LINE:
                        self._emit(f, stream, "P", line[:MAX_LINE])
                        line = line[MAX_LINE:]
                    self._emit(f, stream, "F", line)
                while len(buf) > MAX_LINE:
                    self._emit(f, stream, "P", buf[:MAX_LINE])
                    buf = buf[MAX_LINE:]
                if not data:  # the writer closed: flush the rest, forget the pipe
                    if buf:
                        self._emit(f, stream, "F", buf)
                    self.sel.unregister(key.fileobj)
                    key.fileobj.close()
                    f.close()
                    continue
                key.data[2] = buf
                f.flush()

    def close(self, timeout=5.0):
        self.stop = True
        self.thread.join(timeout)


def start_process(argv, env, procs_files, namespaced, stdout, stderr):
    """Starts argv in the cgroups whose cgroup.procs files are given."""
    wrapped = ["sh", "-c", ENTER_NS if namespaced else ENTER, "sh", *procs_files, "--", *argv]
    if namespaced:
        wrapped = ["unshare", "--pid", "--mount", "--fork", "--mount-proc",
                   "--kill-child=SIGKILL"] + wrapped
    return subprocess.Popen(wrapped, env=env, stdout=stdout, stderr=stderr,
                            stdin=subprocess.DEVNULL, start_new_session=True)


def signal_pids(pids, sig):
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def stop_process(proc, cgroup_pids, grace):
    """SIGTERM to the container's processes, SIGKILL after `grace` seconds;
    returns once `proc` is reaped and the cgroup is empty (or 10 s more)."""
    signal_pids(cgroup_pids() + ([proc.pid] if proc.poll() is None else []), signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and (proc.poll() is None or cgroup_pids()):
        time.sleep(0.05)
    deadline = time.monotonic() + 10
    while proc.poll() is None or cgroup_pids():
        signal_pids(cgroup_pids() + ([proc.pid] if proc.poll() is None else []),
                    signal.SIGKILL)
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass
