"""mapper.py N SECONDS [--on-leak]: maps N one-page regions, alternating
read-only and read-write (touched), so the kernel cannot merge them; prints
"ready", then grows by 1 MiB every SECONDS (with --on-leak only once a line
"leak" arrives on stdin). For the mapping benchmarks (tests/bench)."""

import mmap
import sys
import time


def main():
    n, interval = int(sys.argv[1]), float(sys.argv[2])
    keep = []
    for i in range(n):
        prot = mmap.PROT_READ | (mmap.PROT_WRITE if i % 2 else 0)
        m = mmap.mmap(-1, mmap.PAGESIZE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS,
                      prot=prot)
        if i % 2:
            m[0] = 1
        keep.append(m)
    print("ready", flush=True)
    if "--on-leak" in sys.argv[3:] and sys.stdin.readline().strip() != "leak":
        return
    held = []
    while True:
        held.append(bytearray(b"x" * (1 << 20)))
        time.sleep(interval)


if __name__ == "__main__":
    main()
