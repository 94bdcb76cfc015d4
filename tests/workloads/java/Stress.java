/**
 * High-allocation twin of Steady that does not leak: a fixed live set of
 * 32 MiB (512 blocks of 64 KiB, replaced round-robin so old blocks die in the
 * old generation too) plus garbage that dies young, ~64 MiB/s in all.
 *
 * The twin tests high allocation at a flat live set, not a warm-up (a shape
 * of its own): the live set is allocated in full before the loop, and turns
 * over every 6.4 s. Filled one block per 100 ms it took 51 s to reach
 * 32 MiB, a ramp at exactly the leak twin's rate; and a live set that turns
 * over once in 51 s leaves the collector's heap after a cycle creeping up
 * for those 51 s as the first, compact blocks die one by one (measured with
 * ZGC: 36 -> 42 MiB in -Xlog:gc, 38 -> 50 MiB at Relocate Start), which
 * floors read every 10 s rightly call growth.
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
    final int replaced = 8;  // live blocks replaced per 100 ms
    final byte[][] live = new byte[512][];
    for (int k = 0; k < live.length; k++) live[k] = block(size, k, 512);
    long tick = 0;
    long next = System.nanoTime();
    while (true) {
      // 92 blocks of garbage and 8 replaced live ones per 100 ms: 100
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
