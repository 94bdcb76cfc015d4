import java.util.ArrayList;
import java.util.List;

/**
 * Retains 64 KiB every 100 ms for ever; exits on SIGTERM (JVM shutdown).
 * An optional argument N adds N blocks of 64 KiB of garbage per 100 ms, as
 * a service that leaks also allocates what it serves (N = 16: 10 MiB/s).
 */
public class Leak {
  static volatile byte[] sink;  // keeps the JIT from eliding the garbage

  public static void main(String[] args) throws InterruptedException {
    final int size = 64 * 1024;
    final int garbage = args.length > 0 ? Integer.parseInt(args[0]) : 0;
    List<byte[]> leaks = new ArrayList<>();
    long tick = 0;
    long next = System.nanoTime();
    while (true) {
      for (int j = 0; j < garbage; j++) {
        byte[] g = new byte[size];
        for (int i = 0; i < size; i += 4096) g[i] = (byte) (tick + i);
        sink = g;
      }
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
