"""A service-like allocation sawtooth with an optional slow leak.

Every 100 ms it allocates one block of SAW/ (PERIOD/0.1) bytes (bytearrays
above the allocator's mmap threshold, so freeing returns them to the OS);
every PERIOD seconds it drops them all: RSS rises by SAW and falls back.
With --leak-rate R it also keeps R x 0.1 bytes of small strings per tick
(pymalloc: never returned), a leak of R bytes/s under the sawtooth.

  sawtooth.py [--saw-mib 12] [--period 10] [--leak-rate 20480] [--onset S]
"""
import argparse
import os
import signal
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--saw-mib", type=float, default=12)
    ap.add_argument("--period", type=float, default=10)
    ap.add_argument("--leak-rate", type=float, default=0, help="bytes/s kept")
    ap.add_argument("--onset", type=float, default=0,
                    help="seconds before the leak starts")
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    tick = 0.1
    per_cycle = max(1, int(round(a.period / tick)))
    block = int(a.saw_mib * 1048576 / per_cycle)
    # One kept string is ~135 bytes with its list slot (78 characters: a
    # 127-byte str object, plus 8 for the slot; measured as RssAnon growth).
    keep_per_tick = a.leak_rate * tick / 135.0
    kept, garbage = [], []
    owed = 0.0
    start = nxt = time.monotonic()
    n = 0
    while True:
        n += 1
        b = bytearray(block)
        b[::4096] = b"\1" * len(b[::4096])  # touch every page
        garbage.append(b)
        if n % per_cycle == 0:
            garbage.clear()
        if a.leak_rate > 0 and time.monotonic() - start >= a.onset:
            owed += keep_per_tick
            while owed >= 1:
                kept.append("k%015d-%060d" % (n, len(kept)))
                owed -= 1
        nxt += tick
        d = nxt - time.monotonic()
        if d > 0:
            time.sleep(d)


if __name__ == "__main__":
    main()
