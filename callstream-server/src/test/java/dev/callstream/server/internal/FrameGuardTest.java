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

    byte[] huge = {(byte) 0x81, (byte) 0xFF, 0x7F, 0, 0, 0, 0, 0, 0, 0};
    FrameGuard guard = new FrameGuard(1000);
    assertThat(scan(guard, ByteBuffer.wrap(huge))).isZero();
    assertThat(guard.violation()).isEqualTo(FrameGuard.Violation.TOO_BIG);
  }

  private static FrameGuard.Violation violationOf(byte[] stream) {
    FrameGuard guard = new FrameGuard(1000);
    scan(guard, ByteBuffer.wrap(stream));
    return guard.violation();
  }

  @Test
  void aLengthWithItsTopBitSetIsAProtocolErrorNotASize() {
    byte[] text = {(byte) 0x81, (byte) 0xFF, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0};
    byte[] binary = {(byte) 0x82, (byte) 0xFF, (byte) 0x80, 0, 0, 0, 0, 0, 0, 5};
    assertThat(violationOf(text)).isEqualTo(FrameGuard.Violation.PROTOCOL);
    assertThat(violationOf(binary)).isEqualTo(FrameGuard.Violation.PROTOCOL);
  }

  @Test
  void protocolErrorsComeBeforeTheBinaryRule() {
    byte[] unmaskedText = {(byte) 0x81, 0x02, 'h', 'i'};
    byte[] unmaskedBinary = {(byte) 0x82, 0x02, 1, 2};
    assertThat(violationOf(unmaskedText)).isEqualTo(FrameGuard.Violation.PROTOCOL);
    assertThat(violationOf(unmaskedBinary)).isEqualTo(FrameGuard.Violation.PROTOCOL);
    for (int reserved : new int[] {0x40, 0x20, 0x10}) {
      assertThat(violationOf(frame(reserved | 2, true, 3))).isEqualTo(FrameGuard.Violation.PROTOCOL);
      assertThat(violationOf(frame(reserved | 1, true, 3))).isEqualTo(FrameGuard.Violation.PROTOCOL);
      assertThat(violationOf(frame(reserved | 9, true, 0))).isEqualTo(FrameGuard.Violation.PROTOCOL);
    }
    byte[] textFragment = frame(1, false, 10);
    FrameGuard guard = new FrameGuard(1000);
    assertThat(scan(guard, ByteBuffer.wrap(concat(textFragment, frame(2, true, 3))))).isEqualTo(textFragment.length);
    assertThat(guard.violation()).isEqualTo(FrameGuard.Violation.PROTOCOL);
  }

  @Test
  void refusesReservedOpcodesAndContinuationsOutOfPlace() {
    for (int opcode : new int[] {3, 4, 5, 6, 7, 11, 12, 13, 14, 15}) {
      assertThat(violationOf(frame(opcode, true, 1))).as("opcode %d", opcode).isEqualTo(FrameGuard.Violation.PROTOCOL);
    }
    assertThat(violationOf(frame(0, true, 3))).isEqualTo(FrameGuard.Violation.PROTOCOL);
    assertThat(violationOf(concat(frame(1, false, 3), frame(1, true, 3)))).isEqualTo(FrameGuard.Violation.PROTOCOL);
    assertThat(violationOf(concat(frame(1, false, 3), frame(9, true, 1), frame(0, false, 3), frame(0, true, 3),
        frame(1, true, 3)))).isEqualTo(FrameGuard.Violation.NONE);
  }
}
