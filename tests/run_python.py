"""Runs every Python test under tests/ (test_*.py) and prints, as its last line,
"<passed> <failed>" for scripts/test to add up. Verbose per-test lines go to stderr.
"""

import os
import sys
import time
import unittest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


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


def main():
    os.chdir(REPO)
    sys.path.insert(0, REPO)
    suite = unittest.defaultTestLoader.discover("tests", pattern="test_*.py",
                                                top_level_dir=REPO)
    t0 = time.monotonic()
    result = unittest.TextTestRunner(stream=sys.stderr, verbosity=2,
                                     resultclass=TimedResult).run(suite)
    # Where the time went: the slowest tests and each file's total.
    per_file = {}
    for elapsed, test_id in result.times:
        module = test_id.rsplit(".", 2)[0]
        per_file[module] = per_file.get(module, 0) + elapsed
    print(f"python: {time.monotonic() - t0:.0f} s in all; slowest files:",
          file=sys.stderr)
    for module, elapsed in sorted(per_file.items(), key=lambda kv: -kv[1])[:12]:
        print(f"  {elapsed:7.1f} s  {module}", file=sys.stderr)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped
    # A skipped test hides a missing tool: count it as failed.
    print(f"python: {passed} passed, {failed + skipped} failed "
          f"({skipped} skipped counted as failed)", file=sys.stderr)
    print(passed, failed + skipped)
    return 0 if failed + skipped == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
