"""The twin workloads: how to build and start each one (Python stdlib only).

Used by tests/workloads/record.py (RSS traces) and scripts/detect-bench.
Everything compiled (Java, Go, C) is built into a temporary directory at run
time; nothing is written into the repository.

A Workload's `gc_log` says how the runtime's own GC data is obtained:
  "node"   node --trace-gc, stdout to the log file
  "jvm"    -Xlog:gc:file=LOG
  "go"     GODEBUG=gctrace=1, stderr to the log file
  "python" WORKLOAD_GC_TRACE=1, stdout (one line per gc.callbacks stop)
  None     no GC data (C workloads: there is no collector)
Only the Node, JVM and Go logs are handed to the exporter
(`--memwatch.gc-log`); the CPython trace is for the in-process reference.
"""

import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


class Workload:
    def __init__(self, name, runtime, leaking, build, argv, gc_log=None,
                 note="", rate=None, onset=0.0):
        self.name = name          # e.g. "node-leak"; file and target name
        self.runtime = runtime    # node, jvm, go, python, c
        self.leaking = leaking
        self._build = build       # key into BUILDERS, or None
        self._argv = argv         # function(bin_dir) -> list
        self.gc_log = gc_log
        self.note = note
        self.rate = rate      # bytes/s retained, when known (slow leaks)
        self.onset = onset    # seconds from start before the leak begins

    @property
    def jfr_reference(self):
        """Shenandoah JVMs also record each GC's exact heap used with JFR.

        Its -Xlog:gc rounds sizes to whole MiB while its used is exact to the
        byte: back-to-back cycles of a 64 KiB/100 ms leak all print the same
        after-value. JFR's jdk.GCHeapSummary (what the JVM itself reports
        after each cycle, as in-process memwatch reads V8's heap) does not.
        ZGC's used counts whole pages (2 MiB and up): its log loses nothing.
        """
        return self.gc_log == "jvm" and "-XX:+UseShenandoahGC" in self._argv("")

    @property
    def exporter_reads_log(self):
        """True when the GC log is a runtime's own format the exporter follows."""
        return self.gc_log in ("node", "jvm", "go")

    def command(self, bin_dir, log_path=None):
        """(argv, env, stdout_to_log, stderr_to_log) to start it.

        With log_path, the runtime's GC log is asked for and written there
        (either by the runtime itself or by redirecting stdout/stderr).
        """
        argv = list(self._argv(bin_dir))
        env = dict(os.environ)
        env.pop("WORKLOAD_GC_TRACE", None)
        out = err = False
        if log_path:
            if self.gc_log == "node":
                argv.insert(1, "--trace-gc")
                out = True
            elif self.gc_log == "jvm":
                argv.insert(1, f"-Xlog:gc:file={log_path}")
                if self.jfr_reference:
                    argv.insert(1, "-XX:StartFlightRecording=filename="
                                f"{jfr_path(log_path)},dumponexit=true,"
                                f"settings={os.path.join(HERE, 'java', 'gcheap.jfc')}")
            elif self.gc_log == "go":
                env["GODEBUG"] = "gctrace=1"
                err = True
            elif self.gc_log == "python":
                env["WORKLOAD_GC_TRACE"] = "1"
                out = True
        return argv, env, out, err


def jfr_path(log_path):
    """Where the JFR recording of a JVM whose GC log is log_path goes."""
    return os.path.splitext(log_path)[0] + ".jfr"


def _node(script):
    return lambda b: ["node", os.path.join(HERE, "node", script)]


def _java(cls, *opts, args=()):
    return lambda b: ["java", *opts, "-cp", os.path.join(b, "java"), cls,
                      *args]


def _bin(name, *args):
    return lambda b: [os.path.join(b, name), *args]


def _py(script, *args):
    # The interpreter itself, not a version-manager shim: the pid must be Python.
    return lambda b: [sys.executable, os.path.join(HERE, "python", script),
                      *args]


WORKLOADS = [
    Workload("node-leak", "node", True, None, _node("leak.js"), "node",
             "128 KiB retained every 100 ms (the seed's closure leak)"),
    Workload("node-steady", "node", False, None, _node("steady.js"), "node",
             "same 128 KiB every 100 ms, nothing retained"),
    # Zero-config Node (issue 20, item 5): no --trace-gc, sampled memory only.
    Workload("node-leak-noflags", "node", True, None, _node("leak.js"), None,
             "node-leak without any flag (no GC log)"),
    Workload("node-steady-noflags", "node", False, None, _node("steady.js"),
             None, "node-steady without any flag (no GC log)"),
    Workload("jvm-leak-xmx256m", "jvm", True, "java",
             _java("Leak", "-Xmx256m"), "jvm",
             "64 KiB retained every 100 ms, -Xmx256m (OutOfMemoryError after ~6 min)"),
    Workload("jvm-leak-default", "jvm", True, "java", _java("Leak"), "jvm",
             "64 KiB retained every 100 ms, default heap"),
    Workload("jvm-steady-xmx256m", "jvm", False, "java",
             _java("Steady", "-Xmx256m"), "jvm", "same allocation, freed, -Xmx256m"),
    Workload("jvm-steady-default", "jvm", False, "java", _java("Steady"), "jvm",
             "same allocation, freed, default heap"),
    Workload("jvm-steady-xmn2m", "jvm", False, "java",
             _java("Steady", "-Xmn2m"), "jvm",
             "same allocation, freed, -Xmn2m (small young generation; measured: a young GC every ~6 s)"),
    # Concurrent collectors (issue 20): JDK 17's ZGC and Shenandoah, their
    # steady twins and a high-allocation stress twin that does not leak.
    Workload("jvm-zgc-leak", "jvm", True, "java",
             _java("Leak", "-Xmx256m", "-XX:+UseZGC"), "jvm",
             "64 KiB retained every 100 ms, ZGC, -Xmx256m"),
    Workload("jvm-zgc-steady", "jvm", False, "java",
             _java("Steady", "-Xmx256m", "-XX:+UseZGC"), "jvm",
             "same allocation, freed, ZGC"),
    Workload("jvm-zgc-stress", "jvm", False, "java",
             _java("Stress", "-Xmx256m", "-XX:+UseZGC"), "jvm",
             "32 MiB live set (allocated up front, turned over every 3.2 s), ~64 MiB/s allocated, ZGC"),
    Workload("jvm-shenandoah-leak", "jvm", True, "java",
             _java("Leak", "-Xmx256m", "-XX:+UseShenandoahGC"), "jvm",
             "64 KiB retained every 100 ms, Shenandoah, -Xmx256m"),
    # The same leak in a service that also allocates what it serves: with
    # garbage to free, Shenandoah cycles every few seconds from the start,
    # where the bare leak above gets no cycle between 77 s and its last
    # ~30 s before OutOfMemoryError (adaptive heuristics wait for < 10 %
    # free), so no GC data can show its growth earlier.
    Workload("jvm-shenandoah-leak-churn", "jvm", True, "java",
             _java("Leak", "-Xmx256m", "-XX:+UseShenandoahGC", args=("16",)),
             "jvm",
             "64 KiB retained every 100 ms plus 10 MiB/s of garbage, "
             "Shenandoah, -Xmx256m"),
    Workload("jvm-shenandoah-steady", "jvm", False, "java",
             _java("Steady", "-Xmx256m", "-XX:+UseShenandoahGC"), "jvm",
             "same allocation, freed, Shenandoah"),
    Workload("jvm-shenandoah-stress", "jvm", False, "java",
             _java("Stress", "-Xmx256m", "-XX:+UseShenandoahGC"), "jvm",
             "32 MiB live set (allocated up front, turned over every 3.2 s), ~64 MiB/s allocated, Shenandoah"),
    Workload("jvm-epsilon-steady", "jvm", False, "java",
             _java("Steady", "-Xmx256m", "-XX:+UnlockExperimentalVMOptions",
                   "-XX:+UseEpsilonGC"), "jvm",
             "Steady under Epsilon (no collections: the heap only grows; "
             "OutOfMemoryError after ~6 min)"),
    Workload("go-leak", "go", True, "go", _bin("go-leak-churn", "655360", "0"), "go",
             "64 KiB kept every 100 ms"),
    Workload("go-steady", "go", False, "go", _bin("go-leak-churn", "0", "655360"), "go",
             "same 64 KiB every 100 ms, dropped"),
    Workload("python-leak", "python", True, None, _py("leak.py"), "python",
             "~640 KiB/s of small strings kept in a list"),
    Workload("python-steady", "python", False, None, _py("steady.py"), "python",
             "same strings, dropped"),
    # Slow leaks under a service-like sawtooth (issue 20): 12 MiB allocated
    # over 10 s and freed (bytearrays returned to the OS), plus a leak of
    # small strings (pymalloc, never returned). No GC data is used.
    Workload("python-saw-leak-20k", "python", True, None,
             _py("sawtooth.py", "--leak-rate", "20480"), None,
             "20 KiB/s kept under a 12 MiB / 10 s sawtooth", rate=20480),
    Workload("python-saw-leak-100k", "python", True, None,
             _py("sawtooth.py", "--leak-rate", "102400"), None,
             "100 KiB/s kept under a 12 MiB / 10 s sawtooth", rate=102400),
    Workload("python-saw-leak-20k-late", "python", True, None,
             _py("sawtooth.py", "--leak-rate", "20480", "--onset", "1200"),
             None, "steady 20 min, then 20 KiB/s kept, under the same sawtooth",
             rate=20480, onset=1200),
    Workload("python-saw-steady", "python", False, None,
             _py("sawtooth.py"), None,
             "the same 12 MiB / 10 s sawtooth, nothing kept"),
    Workload("c-leak", "c", True, "c", _bin("leak"), None,
             "0.5 MiB/s retained, plus 256 KiB freed garbage per 100 ms"),
    Workload("c-sawtooth-13s", "c", False, "c", _bin("sawtooth", "13"), None,
             "0 -> 64 MiB in 13 s, all freed, repeat"),
    Workload("c-sawtooth-30s", "c", False, "c", _bin("sawtooth", "30"), None,
             "0 -> 64 MiB in 30 s, all freed, repeat"),
    Workload("c-sawtooth-60s", "c", False, "c", _bin("sawtooth", "60"), None,
             "0 -> 64 MiB in 60 s, all freed, repeat"),
    Workload("c-warmup", "c", False, "c", _bin("warmup"), None,
             "200 MiB approached with tau 15 s (flat after ~2 min), 2 MiB/s churn"),
]

RUNTIMES = ["node", "jvm", "go", "python", "c"]


def select(only=None):
    """Workloads whose runtime or name is in `only` (a list), or all."""
    if not only:
        return list(WORKLOADS)
    out = [w for w in WORKLOADS if w.runtime in only or w.name in only]
    unknown = set(only) - {w.runtime for w in WORKLOADS} - {w.name for w in WORKLOADS}
    if unknown:
        raise ValueError("unknown workload or runtime: " + ", ".join(sorted(unknown)))
    return out


def build(workloads, bin_dir):
    """Compiles what `workloads` need into bin_dir; raises with the tool's error."""
    needs = {w._build for w in workloads} - {None}

    def run(args, **kw):
        r = subprocess.run(args, capture_output=True, text=True, **kw)
        if r.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed: {r.stderr.strip()[:2000]}")

    if "java" in needs:
        run(["javac", "-d", os.path.join(bin_dir, "java"),
             os.path.join(HERE, "java", "Leak.java"),
             os.path.join(HERE, "java", "Steady.java"),
             os.path.join(HERE, "java", "Stress.java")])
    if "go" in needs:
        env = dict(os.environ, GOCACHE=os.path.join(bin_dir, "gocache"),
                   GOPATH=os.path.join(bin_dir, "gopath"), GO111MODULE="off",
                   CGO_ENABLED="0")
        # One program for both: leak_churn RETAIN GARBAGE (bytes per second).
        run(["go", "build", "-o", os.path.join(bin_dir, "go-leak-churn"),
             os.path.join(HERE, "go", "leak_churn.go")], env=env)
        shutil.rmtree(os.path.join(bin_dir, "gocache"), ignore_errors=True)
    if "c" in needs:
        cc = shutil.which("cc") or shutil.which("gcc") or "clang-14"
        for src in ("c/leak.c", "c/sawtooth.c", "warmup/warmup.c"):
            out = os.path.join(bin_dir, os.path.splitext(os.path.basename(src))[0])
            run([cc, "-O2", "-o", out, os.path.join(HERE, src), "-lm"])


def rss_anon(pid):
    """RssAnon of /proc/<pid>/status in bytes, or None if the process is gone."""
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            data = f.read(16384)  # the file is ~1.5 KiB; bounded anyway
    except OSError:
        return None
    for line in data.split(b"\n"):
        if line.startswith(b"RssAnon:"):
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                return int(parts[1]) * 1024
    return None
