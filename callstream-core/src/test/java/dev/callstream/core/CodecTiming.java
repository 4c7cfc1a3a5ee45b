package dev.callstream.core;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Not a test (no Test suffix, so surefire skips it): a JMH-free timing of the Media hot path, run by
 * hand with {@code java -cp} after {@code test-compile}. Prints ns/op and bytes allocated per op.
 */
final class CodecTiming {
  private static final int MESSAGES = 64;

  public static void main(String[] args) {
    long warmupNanos = (long) (Double.parseDouble(args.length > 0 ? args[0] : "5") * 1e9);
    long measureNanos = (long) (Double.parseDouble(args.length > 1 ? args[1] : "3") * 1e9);
    StreamCodec codec = new StreamCodec();
    String[] text = new String[MESSAGES];
    byte[][] utf8 = new byte[MESSAGES][];
    Random random = new Random(1);
    for (int i = 0; i < MESSAGES; i++) {
      byte[] audio = new byte[160];
      random.nextBytes(audio);
      text[i] = codec.encode(new Media(i % 2 == 0 ? AudioChannel.AGENT : AudioChannel.CONFERENCE, 1000 + i / 2, audio));
      utf8[i] = text[i].getBytes(StandardCharsets.UTF_8);
    }
    byte[] pcm = new byte[320];
    Op[] ops = {
      new Op("decode(String)", i -> sink(codec.decode(text[i]))),
      new Op("decode(byte[])", i -> sink(codec.decode(utf8[i], 0, utf8[i].length))),
      new Op("decode(String) + G711", i -> {
        byte[] p = ((Media) codec.decode(text[i])).payload();
        G711.mulawToPcm16le(p, 0, p.length, pcm, 0);
        sink(pcm);
      }),
      new Op("G711 160 bytes", i -> {
        G711.mulawToPcm16le(utf8[i], 0, 160, pcm, 0);
        sink(pcm);
      }),
      new Op("Jackson path decode(String)", i -> sink(codec.decodeWithJackson(text[i]))),
    };
    String only = args.length > 2 ? args[2] : "";
    for (Op op : ops) {
      if (op.name.contains(only)) {
        run(op, warmupNanos);
        run(op, measureNanos).print(op.name);
      }
    }
  }

  private static Object sunk;
  private static int sinkCount;

  private static void sink(Object o) {
    if (o == null) {
      throw new AssertionError();
    }
    if ((++sinkCount & 0xFFFFF) == 0) {
      sunk = o;
    }
  }

  private record Op(String name, java.util.function.IntConsumer body) {}

  private record Result(double nsPerOp, double bytesPerOp) {
    void print(String name) {
      System.out.printf("%-30s %8.1f ns/op %8.1f B/op%n", name, nsPerOp, bytesPerOp);
    }
  }

  private static Result run(Op op, long nanos) {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    long ops = 0;
    long allocatedBefore = threads.getThreadAllocatedBytes(thread);
    long start = System.nanoTime();
    long elapsed;
    do {
      for (int k = 0; k < 1024; k++) {
        op.body.accept(k & (MESSAGES - 1));
      }
      ops += 1024;
      elapsed = System.nanoTime() - start;
    } while (elapsed < nanos);
    long allocated = threads.getThreadAllocatedBytes(thread) - allocatedBefore;
    return new Result((double) elapsed / ops, (double) allocated / ops);
  }
}
