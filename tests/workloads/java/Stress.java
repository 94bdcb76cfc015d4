/**
 * High-allocation twin of Steady that does not leak: a fixed live set of
 * 32 MiB (512 blocks of 64 KiB, replaced round-robin so old blocks die too)
 * plus garbage that dies young, 100 blocks (~64 MiB/s) allocated in all.
 *
 * The twin tests high allocation at a flat live set, not a warm-up (a shape
 * of its own): the live set is allocated in full before the loop and turns
 * over every 3.2 s. Filled one block per 100 ms it took 51 s to reach
 * 32 MiB, a ramp at the leak twin's rate; and however it starts, the heap
 * after a cycle creeps up while the first, compact blocks die, for about
 * one turnover: measured after-values (-Xlog:gc) over the first seconds,
 * 33 -> 37 MiB with Shenandoah at 3.2 s, 35 -> 43 MiB at 6.4 s (five
 * growing cycles in a row once), 36 -> 42 MiB with ZGC at 51 s (floors read
 * every 10 s then rose five times in a row).
 */
public class Stress {
  static volatile byte[] sink;  // keeps the JIT from eliding the garbage

  static byte[] block(int size, long tick, int stride) {
    byte[] b = new byte[size];
    // Touch every page with non-zero data so RSS sees the block.
    for (int i = 0; i < size; i += stride) b[i] = (byte) (tick + i);
    return b;
  }

  public static void main(String[] args) throws InterruptedException {
    final int size = 64 * 1024;
    final int replaced = 16;  // live blocks replaced per 100 ms
    final byte[][] live = new byte[512][];
    for (int k = 0; k < live.length; k++) live[k] = block(size, k, 512);
    long tick = 0;
    long next = System.nanoTime();
    while (true) {
      // 84 blocks of garbage and 16 replaced live ones per 100 ms: 100
      // blocks, 64 MiB/s; the live set stays at 32 MiB.
      for (int j = 0; j < 100 - replaced; j++) {
        sink = block(size, tick + j, 4096);
      }
      for (int j = 0; j < replaced; j++) {
        live[(int) ((tick * replaced + j) % live.length)] =
            block(size, tick + j, 512);
      }
      tick++;
      next += 100_000_000L;
      long wait = next - System.nanoTime();
      if (wait > 0) Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
    }
  }
}
