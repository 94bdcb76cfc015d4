"""Runs every Python test under tests/ (test_*.py) and prints, as its last line,
"<passed> <failed>" for scripts/test to add up. Verbose per-test lines, each
with its wall time, go to stderr, then where the time went.

    python3 tests/run_python.py [--jobs N] [module ...]

Test files run in N processes at once (default 2; MEMWATCH_PYTHON_JOBS), each
file whole in one process, longest first: most of the suites' time is waiting
on real processes (detection deadlines, Prometheus rule evaluation, JVM and
Node start-up), so two files at once take about half the time on two cores.
Tests listen on free ports and name what they create after their pid, so
files do not meet. A file's output is printed when it finishes.
"""

import argparse
import concurrent.futures
import contextlib
import io
import multiprocessing
import os
import sys
import time
import unittest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))

# Longest first (seconds measured on the dev VM, docs/building.md), so that the
# long ones do not start last; files not listed come after them.
SLOW_FIRST = [
    "tests.integration.test_detection_live",
    "tests.deploy.test_deploy",
    "tests.integration.test_memwatch_demo",
    "tests.e2e.test_leak_alert",
    "tests.integration.test_conventions",
    "tests.package.test_package",
    "tests.integration.test_heapdiff",
    "tests.integration.test_process",
    "tests.integration.test_events_page",
]


class TimedResult(unittest.TextTestResult):
    """Prints each test's wall time after its verdict; keeps them for a summary."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.times = []

    def startTest(self, test):
        self._t0 = time.monotonic()
        super().startTest(test)

    def stopTest(self, test):
        elapsed = time.monotonic() - self._t0
        self.times.append((elapsed, test.id()))
        self.stream.writeln(f"    ({elapsed:.1f} s)")
        super().stopTest(test)


def flatten(suite):
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from flatten(item)
        else:
            yield item


# module name -> its tests; filled before the workers fork.
GROUPS = {}


def run_module(module):
    """Runs one file's tests (in a worker); returns counts, output and times."""
    out = io.StringIO()
    t0 = time.monotonic()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        result = unittest.TextTestRunner(stream=out, verbosity=2,
                                         resultclass=TimedResult).run(
                                             unittest.TestSuite(GROUPS[module]))
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    return {"module": module, "run": result.testsRun, "failed": failed,
            "skipped": len(result.skipped), "output": out.getvalue(),
            "times": result.times, "seconds": time.monotonic() - t0}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int,
                    default=int(os.environ.get("MEMWATCH_PYTHON_JOBS", "2")))
    ap.add_argument("modules", nargs="*", help="only these (e.g. tests.e2e.test_leak_alert)")
    args = ap.parse_args()
    os.chdir(REPO)
    sys.path.insert(0, REPO)
    suite = unittest.defaultTestLoader.discover("tests", pattern="test_*.py",
                                                top_level_dir=REPO)
    for test in flatten(suite):
        GROUPS.setdefault(type(test).__module__, []).append(test)
    modules = [m for m in GROUPS if not args.modules or m in args.modules]
    rank = {m: i for i, m in enumerate(SLOW_FIRST)}
    modules.sort(key=lambda m: (rank.get(m, len(rank)), m))

    t0 = time.monotonic()
    results = []
    ctx = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(max_workers=max(1, args.jobs),
                                                mp_context=ctx) as pool:
        futures = {pool.submit(run_module, m): m for m in modules}
        for f in concurrent.futures.as_completed(futures):
            try:
                r = f.result()
            except Exception as exc:  # a worker died: count the file as failed
                r = {"module": futures[f], "run": 1, "failed": 1, "skipped": 0,
                     "output": f"{futures[f]}: worker failed: {exc!r}\n",
                     "times": [], "seconds": 0.0}
            results.append(r)
            sys.stderr.write(r["output"])
            sys.stderr.flush()

    run = sum(r["run"] for r in results)
    failed = sum(r["failed"] for r in results)
    skipped = sum(r["skipped"] for r in results)
    passed = run - failed - skipped
    # Where the time went: each file's total and the slowest tests.
    print(f"python: {time.monotonic() - t0:.0f} s wall with {args.jobs} jobs; "
          "files by time:", file=sys.stderr)
    for r in sorted(results, key=lambda r: -r["seconds"])[:12]:
        print(f"  {r['seconds']:7.1f} s  {r['module']}", file=sys.stderr)
    # A skipped test hides a missing tool: count it as failed.
    print(f"python: {passed} passed, {failed + skipped} failed "
          f"({skipped} skipped counted as failed)", file=sys.stderr)
    print(passed, failed + skipped)
    return 0 if failed + skipped == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
