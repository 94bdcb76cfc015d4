"""What leak.py and steady.py share: the tick loop, SIGTERM, the GC trace."""
import gc
import os
import signal
import sys
import time

TICK = 0.1
STRINGS_PER_TICK = 820  # ~80 bytes each with the list slot: ~64 KiB per tick
_start = time.monotonic()


def _on_gc(phase, info):
    if phase == "stop":
        # One write per collection; no allocation of tracked objects here.
        sys.stdout.write("%.3f,%d,%d\n" % (time.monotonic() - _start,
                                           sys.getallocatedblocks(),
                                           info["generation"]))
        sys.stdout.flush()


def setup():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if os.environ.get("WORKLOAD_GC_TRACE") == "1":
        gc.callbacks.append(_on_gc)


def ticks():
    """Yields one batch of fresh small strings every TICK seconds."""
    n = 0
    nxt = time.monotonic()
    while True:
        n += 1
        batch = ["s%09d-%05d" % (n, i) for i in range(STRINGS_PER_TICK)]
        # Short-lived cyclic garbage (a list holding itself): only the cyclic
        # GC can free it, so a generation-0 collection runs about every 7
        # ticks, as in a real service (~450 KiB kept between two in leak.py).
        for _ in range(100):
            cycle = []
            cycle.append(cycle)
        del cycle
        yield batch
        nxt += TICK
        delay = nxt - time.monotonic()
        if delay > 0:
            time.sleep(delay)
