package dev.callstream.server.internal;

import java.nio.ByteBuffer;

/**
 * Follows the frame headers of the client-to-server byte stream (after the upgrade) without copying
 * anything, to refuse a message before it is buffered: a frame that breaks RFC 6455 (unmasked, reserved
 * bits or opcode, a data frame inside an unfinished message or a continuation outside one, a 64-bit
 * length with its top bit set), a data message longer than the limit (summed over its fragments), or a
 * binary message. Payload bytes are skipped in O(1) per buffer.
 *
 * <p>The protocol errors are checked first: a binary frame that also breaks the protocol is a protocol
 * error (1002), not a refused binary message (1003), and an impossible length is not a size (1009).
 * They are checked here rather than left to Tyrus because the binary and size checks come first
 * otherwise, and because Tyrus accepts unmasked client frames, which RFC 6455 section 5.1 forbids.
 */
final class FrameGuard {
  enum Violation { NONE, PROTOCOL, TOO_BIG, BINARY }

  private static final int FIRST = 0;
  private static final int SECOND = 1;
  private static final int EXTENDED_LENGTH = 2;
  private static final int MASK = 3;
  private static final int PAYLOAD = 4;

  private final long maxMessageBytes;
  private int state = FIRST;
  private int opcode;
  private boolean fin;
  private int lengthBytesLeft;
  private long length;
  private int maskBytesLeft;
  private long payloadLeft;
  private long messageSoFar;
  /** Between the first frame of a fragmented data message and its final continuation. */
  private boolean fragmented;
  private Violation violation = Violation.NONE;

  FrameGuard(long maxMessageBytes) {
    this.maxMessageBytes = maxMessageBytes;
  }

  Violation violation() {
    return violation;
  }

  /**
   * True between frames and outside a fragmented message: the next byte starts a frame that may be
   * taken off the stream whole (see {@link FrameReader}) without this guard or Tyrus seeing it.
   */
  boolean atMessageBoundary() {
    return state == FIRST && !fragmented && violation == Violation.NONE;
  }

  /**
   * Follows the frame that starts (or continues) at {@code from} to its end or to {@code limit},
   * whichever comes first; the buffer's position and limit are not changed.
   *
   * @return the index after the frame's last byte in this range (at most {@code limit}), or, when the
   *     frame breaks a rule, {@code -(start + 1)} where start is the frame's first index in this range
   *     ({@code from} when the frame began in an earlier buffer)
   */
  int scanFrame(ByteBuffer buffer, int from, int limit) {
    if (violation != Violation.NONE) {
      return -from - 1;
    }
    int i = from;
    int frameStart = from;
    while (i < limit) {
      switch (state) {
        case FIRST: {
          if (i > from) {
            return i;
          }
          frameStart = i;
          int b = buffer.get(i++);
          fin = (b & 0x80) != 0;
          opcode = b & 0x0F;
          if (!validFirstByte(b)) {
            violation = Violation.PROTOCOL;
            return -frameStart - 1;
          }
          state = SECOND;
          break;
        }
        case SECOND: {
          int b = buffer.get(i++);
          if ((b & 0x80) == 0) {
            // RFC 6455 section 5.1: a server MUST close the connection on an unmasked client frame.
            violation = Violation.PROTOCOL;
            return -frameStart - 1;
          }
          int shortLength = b & 0x7F;
          if (shortLength >= 126) {
            lengthBytesLeft = shortLength == 126 ? 2 : 8;
            length = 0;
            state = EXTENDED_LENGTH;
          } else {
            length = shortLength;
            if (!lengthKnown()) {
              return -frameStart - 1;
            }
          }
          break;
        }
        case EXTENDED_LENGTH: {
          length = (length << 8) | (buffer.get(i++) & 0xFF);
          if (--lengthBytesLeft == 0 && !lengthKnown()) {
            return -frameStart - 1;
          }
          break;
        }
        case MASK: {
          int skip = Math.min(maskBytesLeft, limit - i);
          i += skip;
          maskBytesLeft -= skip;
          if (maskBytesLeft == 0) {
            state = payloadLeft > 0 ? PAYLOAD : FIRST;
          }
          break;
        }
        default: {
          long skip = Math.min(payloadLeft, limit - i);
          i += (int) skip;
          payloadLeft -= skip;
          if (payloadLeft == 0) {
            state = FIRST;
          }
          break;
        }
      }
    }
    return i;
  }

  /**
   * Checks FIN, reserved bits and opcode against the message in progress: no extension is negotiated,
   * so every reserved bit must be clear; opcodes 3-7 and 11-15 are reserved; a continuation must
   * continue an unfinished message and a new text or binary frame must not interrupt one.
   */
  private boolean validFirstByte(int b) {
    if ((b & 0x70) != 0) {
      return false;
    }
    switch (opcode) {
      case 0:
        return fragmented;
      case 1:
      case 2:
        return !fragmented;
      case 8:
      case 9:
      case 10:
        return true;
      default:
        return false;
    }
  }

  /** Checks the frame whose length is now known; false when it violates a rule. */
  private boolean lengthKnown() {
    if (length < 0) {
      // RFC 6455 section 5.2: the most significant bit of a 64-bit length MUST be 0.
      violation = Violation.PROTOCOL;
      return false;
    }
    boolean data = opcode < 8;
    if (data) {
      if (opcode == 2) {
        violation = Violation.BINARY;
        return false;
      }
      long total = (opcode == 0 ? messageSoFar : 0) + length;
      if (total > maxMessageBytes) {
        violation = Violation.TOO_BIG;
        return false;
      }
      messageSoFar = fin ? 0 : total;
      fragmented = !fin;
    }
    payloadLeft = length;
    maskBytesLeft = 4;
    state = MASK;
    return true;
  }
}
