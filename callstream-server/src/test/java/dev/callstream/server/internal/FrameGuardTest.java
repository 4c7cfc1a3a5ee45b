package dev.callstream.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class FrameGuardTest {

  /** A masked client frame header followed by {@code length} payload bytes. */
  private static byte[] frame(int opcode, boolean fin, int length) {
    return ClientFrames.masked((fin ? 0x80 : 0) | opcode, new byte[length], 0);
  }

  /**
   * Follows every frame of {@code buffer}: the index where the first offending frame starts (its
   * position when the frame began in an earlier buffer), or -1 when every byte may be passed on.
   */
  private static int scan(FrameGuard guard, ByteBuffer buffer) {
    for (int at = buffer.position(); at < buffer.limit(); ) {
      int end = guard.scanFrame(buffer, at, buffer.limit());
      if (end < 0) {
        return -end - 1;
      }
      at = end;
    }
    return guard.violation() == FrameGuard.Violation.NONE ? -1 : buffer.position();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  @Test
  void passesMessagesUpToTheLimitWhateverTheBufferBoundaries() {
    byte[] stream = concat(frame(1, true, 100), frame(9, true, 4), frame(1, true, 1000), frame(1, true, 70_000 / 70));
    for (int split = 1; split < stream.length; split += 97) {
      FrameGuard guard = new FrameGuard(1000);
      assertThat(scan(guard, ByteBuffer.wrap(stream, 0, split))).isEqualTo(-1);
      assertThat(scan(guard, ByteBuffer.wrap(stream, split, stream.length - split))).isEqualTo(-1);
      assertThat(guard.violation()).isEqualTo(FrameGuard.Violation.NONE);
    }
  }

  @Test
  void stopsAtTheFrameThatMakesAMessageTooBig() {
    byte[] small = frame(1, true, 10);
    byte[] stream = concat(small, frame(1, true, 2000));
    FrameGuard guard = new FrameGuard(1000);
    assertThat(scan(guard, ByteBuffer.wrap(stream))).isEqualTo(small.length);
    assertThat(guard.violation()).isEqualTo(FrameGuard.Violation.TOO_BIG);
  }

  @Test
  void sumsFragmentsAndIgnoresInterleavedControlFrames() {
    byte[] first = frame(1, false, 600);
    byte[] ping = frame(9, true, 10);
    byte[] stream = concat(first, ping, frame(0, true, 600));
    FrameGuard guard = new FrameGuard(1000);
    assertThat(scan(guard, ByteBuffer.wrap(stream))).isEqualTo(first.length + ping.length);
    assertThat(guard.violation()).isEqualTo(FrameGuard.Violation.TOO_BIG);
  }

  @Test
  void refusesBinaryAndHugeDeclaredLengths() {
    FrameGuard binary = new FrameGuard(1000);
    assertThat(scan(binary, ByteBuffer.wrap(frame(2, true, 3)))).isZero();
    assertThat(binary.violation()).isEqualTo(FrameGuard.Violation.BINARY);

    byte[] huge = {(byte) 0x81, (byte) 0xFF, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0};
    FrameGuard guard = new FrameGuard(1000);
    assertThat(scan(guard, ByteBuffer.wrap(huge))).isZero();
    assertThat(guard.violation()).isEqualTo(FrameGuard.Violation.TOO_BIG);
  }
}
