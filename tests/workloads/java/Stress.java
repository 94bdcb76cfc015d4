/**
 * High-allocation twin of Steady that does not leak: a fixed live set of
 * 32 MiB (512 blocks of 64 KiB, replaced round-robin so old blocks die in the
 * old generation too) plus ~64 MiB/s of garbage that dies young.
 */
public class Stress {
  static volatile byte[] sink;  // keeps the JIT from eliding the garbage

  public static void main(String[] args) throws InterruptedException {
    final int size = 64 * 1024;
    final byte[][] live = new byte[512][];
    long tick = 0;
    long next = System.nanoTime();
    while (true) {
      // 100 blocks of garbage per 100 ms: 64 MiB/s.
      for (int j = 0; j < 100; j++) {
        byte[] g = new byte[size];
        for (int i = 0; i < size; i += 4096) g[i] = (byte) (tick + i);
        sink = g;
      }
      // One live block replaced per 100 ms: the live set stays at 32 MiB.
      byte[] b = new byte[size];
      for (int i = 0; i < size; i += 512) b[i] = (byte) (tick + i);
      live[(int) (tick % live.length)] = b;
      tick++;
      next += 100_000_000L;
      long wait = next - System.nanoTime();
      if (wait > 0) Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
    }
  }
}
