import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.List;

/**
 * Leaks instances of one named class on command, for the class histogram
 * tests (tests/integration/test_jvmattach.py) and the pause benchmark
 * (tests/bench/jvmattach_bench.py). Commands on stdin, one per line; every
 * answer is one line on stdout:
 *
 *   leak N     keep N more LeakedWidget objects   -> "leaked TOTAL"
 *   fill MIB   keep about MIB MiB of small live objects (FillerNode + byte[64])
 *                                                 -> "filled NODES"
 *   exit       -> exits 0 (so does EOF on stdin)
 *
 * Prints "ready" once it reads commands.
 */
public class ClassLeak {
  /** 64 bytes per instance with compressed class pointers: the top grower. */
  static final class LeakedWidget {
    long a, b, c, d, e, f;

    LeakedWidget(long seed) {
      a = seed;
      b = seed + 1;
      c = seed + 2;
      d = seed + 3;
      e = seed + 4;
      f = seed + 5;
    }
  }

  /** One link of the filler: 24 bytes plus its 80-byte array. */
  static final class FillerNode {
    final byte[] payload = new byte[64];
    FillerNode next;
  }

  static final List<LeakedWidget> widgets = new ArrayList<>();
  static FillerNode filler;

  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
    System.out.println("ready");
    System.out.flush();
    String line;
    while ((line = in.readLine()) != null) {
      String[] words = line.trim().split("\\s+");
      if (words[0].equals("leak")) {
        long n = Long.parseLong(words[1]);
        for (long i = 0; i < n; i++) widgets.add(new LeakedWidget(i));
        System.out.println("leaked " + widgets.size());
      } else if (words[0].equals("fill")) {
        long nodes = Long.parseLong(words[1]) * 1024 * 1024 / 104;
        for (long i = 0; i < nodes; i++) {
          FillerNode node = new FillerNode();
          node.next = filler;
          filler = node;
        }
        System.out.println("filled " + nodes);
      } else if (words[0].equals("exit")) {
        break;
      } else {
        System.out.println("unknown " + words[0]);
      }
      System.out.flush();
    }
  }
}
