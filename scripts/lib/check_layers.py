#!/usr/bin/env python3
"""Checks that every #include "..." points down the floor plan.

The layers come from the table in docs/architecture.md (rows "| `folder` | N |
..."). A file may include headers of its own folder and of folders on lower
layers only. Prints each violation as file:line: text and exits 1 if any.
"""
import os
import re
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def layers(root=ROOT):
    table = {}
    with open(os.path.join(root, "docs", "architecture.md"), encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^\|\s*`([\w/]+)`\s*\|\s*(\d+)\s*\|", line)
            if m:
                table[m.group(1)] = int(m.group(2))
    if not table:
        sys.exit("check_layers: no layer table in docs/architecture.md")
    return table


def folder_of(path, table):
    """The longest table entry that is a prefix folder of path."""
    parts = path.split("/")
    for n in range(len(parts) - 1, 0, -1):
        candidate = "/".join(parts[:n])
        if candidate in table:
            return candidate
    return None


def violations(root, files, table):
    """One message per include that points sideways or up, or per file whose
    folder has no layer."""
    out = []
    for f in files:
        if f.startswith("third_party/"):
            continue
        src = folder_of(f, table)
        if src is None:
            out.append(f"{f}: its folder has no layer in docs/architecture.md")
            continue
        with open(os.path.join(root, f), encoding="utf-8", errors="replace") as fh:
            for n, line in enumerate(fh, 1):
                m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
                if not m:
                    continue
                target = m.group(1)
                if not os.path.exists(os.path.join(root, target)):
                    continue  # generated (bazel-bin) or a system header in quotes
                dst = folder_of(target, table)
                if dst is None or dst == src:
                    continue
                if table[dst] >= table[src]:
                    out.append(f"{f}:{n}: includes {target} ({dst}, layer "
                               f"{table[dst]}) from {src} (layer {table[src]}): "
                               "includes must point to a lower layer")
    return out


def main():
    files = subprocess.run(["git", "ls-files", "*.cc", "*.h"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split()
    bad = violations(ROOT, files, layers())
    for line in bad:
        print(line)
    if bad:
        print(f"{len(bad)} include(s) against the floor plan (docs/architecture.md)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
