package dev.callstream.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.glassfish.tyrus.spi.ReadHandler;
import org.junit.jupiter.api.Test;

class FrameReaderTest {
  private static final int MAX = 4096;

  /** One client frame as it was put on the wire, and as a receiver must see it. */
  private record Frame(int first, byte[] payload) {
    String describe() {
      return Integer.toHexString(first) + ":" + new String(payload, StandardCharsets.ISO_8859_1);
    }
  }

  private static byte[] encode(Frame frame, int mask) {
    return ClientFrames.masked(frame.first(), frame.payload(), mask);
  }

  /**
   * Stands in for Tyrus: buffers what it is given and parses whole frames out of it, so bytes handed
   * over out of order or from the middle of a frame would show up as wrong frames.
   */
  private static final class FakeTyrus implements ReadHandler {
    private final List<String> log;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    FakeTyrus(List<String> log) {
      this.log = log;
    }

    @Override
    public void handle(ByteBuffer data) {
      byte[] chunk = new byte[data.remaining()];
      data.duplicate().get(chunk);
      pending.writeBytes(chunk);
      byte[] bytes = pending.toByteArray();
      int at = 0;
      while (true) {
        if (bytes.length - at < 2) {
          break;
        }
        int length = bytes[at + 1] & 0x7F;
        int header = 2;
        if (length == 126) {
          if (bytes.length - at < 4) {
            break;
          }
          length = ((bytes[at + 2] & 0xFF) << 8) | (bytes[at + 3] & 0xFF);
          header = 4;
        }
        if (bytes.length - at < header + 4 + length) {
          break;
        }
        byte[] payload = new byte[length];
        for (int i = 0; i < length; i++) {
          payload[i] = (byte) (bytes[at + header + 4 + i] ^ bytes[at + header + (i & 3)]);
        }
        log.add("tyrus " + new Frame(bytes[at] & 0xFF, payload).describe());
        at += header + 4 + length;
      }
      pending.reset();
      pending.write(bytes, at, bytes.length - at);
    }
  }

  private static final class Harness {
    final List<String> log = new ArrayList<>();
    final FrameReader reader = new FrameReader(MAX, new FakeTyrus(log),
        (utf8, length, ascii) -> log.add("fast " + new Frame(0x81, Arrays.copyOf(utf8, length)).describe()
            + (ascii ? "" : " (non-ascii)")),
        new FrameReader.Scratch());

    boolean read(byte[] stream, int from, int to) {
      return reader.read(ByteBuffer.wrap(stream, from, to - from));
    }
  }

  private static Frame text(String text) {
    return new Frame(0x81, text.getBytes(StandardCharsets.UTF_8));
  }

  private static List<Frame> conversation() {
    return List.of(
        text("{\"event\":\"Connected\"}"),
        text("{\"event\":\"Media\",\"media\":\"" + "A".repeat(300) + "\"}"),
        new Frame(0x89, "ping".getBytes(StandardCharsets.US_ASCII)),
        new Frame(0x01, "{\"event\":".getBytes(StandardCharsets.US_ASCII)),   // fragmented text ...
        new Frame(0x8A, new byte[0]),                                            // ... a pong inside it ...
        new Frame(0x00, "\"Media\",".getBytes(StandardCharsets.US_ASCII)),
        new Frame(0x80, "\"x\":1}".getBytes(StandardCharsets.US_ASCII)),      // ... and its end
        text("short"),
        text(""),
        text("{\"event\":\"Stop\"}"));
  }

  private static byte[] stream(List<Frame> frames) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int mask = 0x1234ABCD;
    for (Frame frame : frames) {
      out.writeBytes(encode(frame, mask));
      mask = Integer.rotateLeft(mask, 7) ^ 0x5A5A5A5A;
    }
    return out.toByteArray();
  }

  private static List<String> describe(List<Frame> frames) {
    List<String> all = new ArrayList<>();
    for (Frame frame : frames) {
      all.add(frame.describe());
    }
    return all;
  }

  private static List<String> withoutPath(List<String> log) {
    List<String> frames = new ArrayList<>();
    for (String line : log) {
      frames.add(line.substring(line.indexOf(' ') + 1));
    }
    return frames;
  }

  @Test
  void wholeTextFramesTakeTheFastPathAndEverythingElseReachesTyrusInStreamOrder() {
    List<Frame> frames = conversation();
    Harness harness = new Harness();

    assertThat(harness.read(stream(frames), 0, stream(frames).length)).isTrue();

    assertThat(withoutPath(harness.log)).isEqualTo(describe(frames));
    assertThat(harness.log).filteredOn(line -> line.startsWith("fast")).hasSize(5);
    assertThat(harness.log.get(3)).startsWith("tyrus 1:");   // the fragments are Tyrus's, not ours
    assertThat(harness.log.get(7)).startsWith("fast");       // and the frame after them is ours again
  }

  @Test
  void everySplitOfTheStreamDeliversEveryFrameOnceInOrder() {
    List<Frame> frames = conversation();
    byte[] stream = stream(frames);
    for (int split = 1; split < stream.length; split++) {
      Harness harness = new Harness();
      harness.read(stream, 0, split);
      harness.read(stream, split, stream.length);
      assertThat(withoutPath(harness.log)).as("split at %d", split).isEqualTo(describe(frames));
    }
  }

  @Test
  void byteByByteDeliveryStillDeliversEveryFrameOnceInOrder() {
    List<Frame> frames = conversation();
    byte[] stream = stream(frames);
    Harness harness = new Harness();
    for (int i = 0; i < stream.length; i++) {
      harness.read(stream, i, i + 1);
    }
    assertThat(withoutPath(harness.log)).isEqualTo(describe(frames));
  }

  @Test
  void nonAsciiTextIsFlaggedForTheUtf8Check() {
    Harness harness = new Harness();
    byte[] stream = stream(List.of(text("Zoë"), text("plain")));
    harness.read(stream, 0, stream.length);
    assertThat(harness.log).containsExactly(
        "fast 81:" + new String("Zoë".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1) + " (non-ascii)",
        "fast 81:plain");
  }

  @Test
  void aBinaryFrameStopsTheStreamAfterWhatCameBefore() {
    Harness harness = new Harness();
    byte[] stream = stream(List.of(text("before"), new Frame(0x82, new byte[] {1, 2}), text("after")));
    assertThat(harness.read(stream, 0, stream.length)).isFalse();
    assertThat(harness.reader.violation()).isEqualTo(FrameGuard.Violation.BINARY);
    assertThat(harness.read(stream, 0, stream.length)).isTrue();   // ignored from now on
    assertThat(harness.log).containsExactly("fast 81:before");
  }

  @Test
  void aReservedBitOrAnUnmaskedFrameStopsTheStreamAsAProtocolError() {
    Harness reserved = new Harness();
    byte[] stream = stream(List.of(text("before"), new Frame(0xC1, "reserved bit".getBytes(StandardCharsets.US_ASCII)),
        text("after")));
    assertThat(reserved.read(stream, 0, stream.length)).isFalse();
    assertThat(reserved.reader.violation()).isEqualTo(FrameGuard.Violation.PROTOCOL);
    assertThat(reserved.log).containsExactly("fast 81:before");

    Harness unmasked = new Harness();
    byte[] before = stream(List.of(text("before")));
    byte[] all = Arrays.copyOf(before, before.length + 4);
    System.arraycopy(new byte[] {(byte) 0x81, 2, 'h', 'i'}, 0, all, before.length, 4);
    assertThat(unmasked.read(all, 0, all.length)).isFalse();
    assertThat(unmasked.reader.violation()).isEqualTo(FrameGuard.Violation.PROTOCOL);
    assertThat(unmasked.log).containsExactly("fast 81:before");
  }

  @Test
  void aTextFrameOverTheLimitIsRefusedWhateverItsLengthEncoding() {
    for (int length : new int[] {MAX + 1, 70_000}) {
      Harness harness = new Harness();
      byte[] stream = stream(List.of(text("ok"), new Frame(0x81, new byte[length])));
      assertThat(harness.read(stream, 0, stream.length)).isFalse();
      assertThat(harness.reader.violation()).isEqualTo(FrameGuard.Violation.TOO_BIG);
      assertThat(harness.log).containsExactly("fast 81:ok");
    }
  }

  @Test
  void aTextFrameAtTheLimitIsTakenWhole() {
    Harness harness = new Harness();
    byte[] stream = stream(List.of(new Frame(0x81, "x".repeat(MAX).getBytes(StandardCharsets.US_ASCII))));
    assertThat(harness.read(stream, 0, stream.length)).isTrue();
    assertThat(harness.log).containsExactly("fast 81:" + "x".repeat(MAX));
  }

  @Test
  void unmaskMatchesTheBytewiseDefinitionForEveryLengthAndMask() {
    Random random = new Random(7);
    for (int length = 0; length < 70; length++) {
      for (int round = 0; round < 20; round++) {
        byte[] plain = new byte[length];
        random.nextBytes(plain);
        if (round % 2 == 0) {
          for (int i = 0; i < length; i++) {
            plain[i] &= 0x7F;
          }
        }
        int mask = random.nextInt();
        byte[] maskBytes = ByteBuffer.allocate(4).putInt(mask).array();
        byte[] data = new byte[length + 3];
        boolean ascii = true;
        for (int i = 0; i < length; i++) {
          data[i] = (byte) (plain[i] ^ maskBytes[i & 3]);
          ascii &= plain[i] >= 0;
        }
        data[length] = 0x55;   // beyond the length: left alone

        assertThat(FrameReader.unmask(data, length, mask)).isEqualTo(ascii);
        assertThat(Arrays.copyOf(data, length)).isEqualTo(plain);
        assertThat(data[length]).isEqualTo((byte) 0x55);
      }
    }
  }
}
