#!/usr/bin/env python3
"""Records the RssAnon trace of every twin workload.

Starts each selected workload at once (no GC logging), samples
/proc/<pid>/status RssAnon every second and appends `time,bytes` (seconds
from the workload's start, bytes) to OUT/<workload>.csv, flushing each row so
partial files are readable. Stops every workload by its pid at the end.

  tests/workloads/record.py [--out /work/traces] [--minutes 15] [--only node,c]
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import workloads as wl  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("--out", default="/work/traces")
    ap.add_argument("--minutes", type=float, default=15)
    ap.add_argument("--interval", type=float, default=1.0)
    ap.add_argument("--only", default="", help="runtimes or workload names, comma separated")
    a = ap.parse_args()
    if a.minutes <= 0 or a.interval <= 0:
        ap.error("--minutes and --interval must be positive")
    try:
        chosen = wl.select([s for s in a.only.split(",") if s])
    except ValueError as e:
        ap.error(str(e))
    os.makedirs(a.out, exist_ok=True)
    bin_dir = tempfile.mkdtemp(prefix="memwatch-workloads-")
    wl.build(chosen, bin_dir)
    # What each trace is, for whoever reads them (leaking = ground truth);
    # every workload, so a partial re-recording keeps the full index.
    with open(os.path.join(a.out, "workloads.csv"), "w") as f:
        f.write("workload,runtime,leaking,description\n")
        for w in wl.WORKLOADS:
            f.write(f"{w.name},{w.runtime},{int(w.leaking)},\"{w.note}\"\n")

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    runs = []
    try:
        for w in chosen:
            argv, env, _, _ = w.command(bin_dir)
            p = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
            f = open(os.path.join(a.out, w.name + ".csv"), "w")
            f.write("time,bytes\n")
            f.flush()
            runs.append((w, p, time.monotonic(), f))
            print(f"recording {w.name} pid={p.pid}", flush=True)
        t0 = time.monotonic()
        tick = 0
        while not stop and time.monotonic() - t0 < a.minutes * 60:
            for w, p, start, f in runs:
                if f.closed:
                    continue
                b = wl.rss_anon(p.pid) if p.poll() is None else None
                if b is None:
                    print(f"{w.name} exited ({p.poll()}) after "
                          f"{time.monotonic() - start:.0f} s", flush=True)
                    f.close()
                    continue
                f.write(f"{time.monotonic() - start:.3f},{b}\n")
                f.flush()
            tick += 1
            time.sleep(max(0.0, t0 + tick * a.interval - time.monotonic()))
    finally:
        for w, p, start, f in runs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
            if not f.closed:
                f.close()
        shutil.rmtree(bin_dir, ignore_errors=True)
    print(f"done: {len(runs)} traces in {a.out}", flush=True)


if __name__ == "__main__":
    main()
