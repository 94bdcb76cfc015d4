import java.util.ArrayList;
import java.util.List;

/** Retains 64 KiB every 100 ms for ever; exits on SIGTERM (JVM shutdown). */
public class Leak {
  public static void main(String[] args) throws InterruptedException {
    final int size = 64 * 1024;
    List<byte[]> leaks = new ArrayList<>();
    long tick = 0;
    long next = System.nanoTime();
    while (true) {
      byte[] b = new byte[size];
      // Touch every page with non-zero data so RSS sees the block.
      for (int i = 0; i < size; i += 512) b[i] = (byte) (tick + i);
      leaks.add(b);
      tick++;
      next += 100_000_000L;  // fixed period, whatever the work took
      long wait = next - System.nanoTime();
      if (wait > 0) Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
    }
  }
}
