/** Twin of Leak: the same 64 KiB every 100 ms, dropped at once. */
public class Steady {
  static volatile byte[] sink;  // keeps the JIT from eliding the allocation

  public static void main(String[] args) throws InterruptedException {
    final int size = 64 * 1024;
    long tick = 0;
    long next = System.nanoTime();
    while (true) {
      byte[] b = new byte[size];
      for (int i = 0; i < size; i += 512) b[i] = (byte) (tick + i);
      sink = b;
      tick++;
      next += 100_000_000L;
      long wait = next - System.nanoTime();
      if (wait > 0) Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
    }
  }
}
