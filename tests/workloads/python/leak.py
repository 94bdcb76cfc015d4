"""Keeps ~640 KiB/s of small strings in a list (about 820 per 100 ms tick).

Each tick also drops a few cyclic lists, so the cyclic GC runs about
every 0.7 s, as in a real service. With WORKLOAD_GC_TRACE=1 it prints one line per
gc.callbacks "stop" on stdout: `seconds_since_start,allocated_blocks,generation`
(the in-process reference); otherwise it prints nothing.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

leaks = []


def main():
    common.setup()
    for batch in common.ticks():
        leaks.extend(batch)


if __name__ == "__main__":
    main()
