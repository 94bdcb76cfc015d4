"""Twin of leak.py: the same small strings and tuples every tick, none kept."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def main():
    common.setup()
    last = None
    for batch in common.ticks():
        last = batch  # dropped at the next tick
    return last


if __name__ == "__main__":
    main()
