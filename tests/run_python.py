"""Runs every Python test under tests/ (test_*.py) and prints, as its last line,
"<passed> <failed>" for scripts/test to add up. Verbose per-test lines go to stderr.
"""

import os
import sys
import unittest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def main():
    os.chdir(REPO)
    sys.path.insert(0, REPO)
    suite = unittest.defaultTestLoader.discover("tests", pattern="test_*.py",
                                                top_level_dir=REPO)
    result = unittest.TextTestRunner(stream=sys.stderr, verbosity=2).run(suite)
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
