"""Prints "<passed> <failed>" summed over the GoogleTest XML reports of a
bazel-testlogs tree. A test target that left no parsable report counts as one
failure (it crashed or timed out before writing one)."""

import os
import sys
import xml.etree.ElementTree as ET


def main(root):
    passed = failed = 0
    for dirpath, _, files in os.walk(root):
        if "test.log" not in files:
            continue
        xml = os.path.join(dirpath, "test.xml")
        try:
            suites = ET.parse(xml).getroot()
            cases = suites.iter("testcase")
            found = False
            for case in cases:
                found = True
                if case.find("failure") is not None or case.find("error") is not None:
                    failed += 1
                elif case.get("status", "run") == "run" and case.get("result") != "skipped":
                    passed += 1
            if not found:
                # Bazel's own report for a non-gtest target or a crash.
                failed += 1
        except (OSError, ET.ParseError):
            failed += 1
    print(passed, failed)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bazel-testlogs")
