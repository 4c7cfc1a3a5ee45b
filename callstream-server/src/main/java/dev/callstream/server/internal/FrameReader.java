package dev.callstream.server.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.glassfish.tyrus.spi.ReadHandler;

/**
 * Reads one connection's client-to-server byte stream after the upgrade.
 *
 * <p>Why it exists: nearly every frame the platform sends is a whole, masked, unfragmented text frame
 * of a few hundred bytes (one Media message), and Tyrus spends more per such frame than all of our
 * own work (a copy into a fresh buffer, frame objects, a strict UTF-8 decode into a String, decoder
 * lookup). A frame of exactly that kind that lies whole in the bytes just read is unmasked here, eight
 * bytes at a time, into a scratch array and handed to the call as UTF-8 bytes. Every other byte goes
 * to Tyrus unchanged: control frames (ping, pong, close), fragmented messages, frames split across
 * reads. Frames never interleave
 * inside one message, so Tyrus's parser only ever sees whole frames or a frame's continuation, and
 * the two paths deliver in stream order because Tyrus delivers synchronously on this thread.
 *
 * <p>The {@link FrameGuard} follows every frame header first, so protocol errors (unmasked or
 * reserved-bit frames among them), binary and oversized messages are refused before anything is
 * buffered, whichever path would have taken them.
 *
 * <p>Not thread-safe: Grizzly reads one connection on one thread at a time.
 */
final class FrameReader {
  /** Tyrus gets the stream in slices of at most this many bytes, which bounds its own buffer. */
  static final int TYRUS_SLICE = 16 * 1024;

  /** Native order: no byte swap per word; the mask is laid out to match. */
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());
  private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
  private static final long HIGH_BITS = 0x8080808080808080L;

  /** Where a whole text frame goes: UTF-8 bytes, valid or not ({@code ascii} false means "check"). */
  interface TextSink {
    /** {@code utf8} is only valid during the call. */
    void text(byte[] utf8, int length, boolean ascii);
  }

  private final FrameGuard guard;
  private final ReadHandler tyrus;
  private final TextSink sink;
  private final int maxMessageBytes;
  private final Scratch scratch;
  private boolean stopped;

  /** A byte array reused for every frame one thread unmasks (shared by that thread's connections). */
  static final class Scratch {
    private final ThreadLocal<byte[]> perThread = ThreadLocal.withInitial(() -> new byte[1024]);

    byte[] atLeast(int length) {
      byte[] bytes = perThread.get();
      if (bytes.length < length) {
        bytes = new byte[Math.max(length, bytes.length * 2)];
        perThread.set(bytes);
      }
      return bytes;
    }
  }

  FrameReader(int maxMessageBytes, ReadHandler tyrus, TextSink sink, Scratch scratch) {
    this.guard = new FrameGuard(maxMessageBytes);
    this.maxMessageBytes = maxMessageBytes;
    this.tyrus = tyrus;
    this.sink = sink;
    this.scratch = scratch;
  }

  /** What broke the rules, once {@link #read} has returned false. */
  FrameGuard.Violation violation() {
    return guard.violation();
  }

  /**
   * Reads the bytes from {@code bytes}' position to its limit (neither is changed).
   *
   * @return false when a frame in these bytes broke the protocol, size or binary rule: nothing from that frame
   *     on was passed on, and every later call ignores its input (and returns true)
   */
  boolean read(ByteBuffer bytes) {
    if (stopped) {
      return true;
    }
    int limit = bytes.limit();
    int pos = bytes.position();
    int forTyrusFrom = pos;
    while (pos < limit) {
      if (guard.atMessageBoundary()) {
        int frameLength = wholeTextFrameLength(bytes, pos, limit, maxMessageBytes);
        if (frameLength > 0) {
          passToTyrus(bytes, forTyrusFrom, pos);
          deliver(bytes, pos, frameLength);
          pos += frameLength;
          forTyrusFrom = pos;
          continue;
        }
      }
      int end = guard.scanFrame(bytes, pos, limit);
      if (end < 0) {
        passToTyrus(bytes, forTyrusFrom, -end - 1);
        stopped = true;
        return false;
      }
      pos = end;
    }
    passToTyrus(bytes, forTyrusFrom, limit);
    return true;
  }

  private void deliver(ByteBuffer bytes, int frameStart, int frameLength) {
    int header = (bytes.get(frameStart + 1) & 0x7F) == 126 ? 4 : 2;
    int maskAt = frameStart + header;
    int payloadLength = frameLength - header - 4;
    byte[] payload = scratch.atLeast(payloadLength);
    bytes.get(maskAt + 4, payload, 0, payloadLength);
    boolean ascii = unmask(payload, payloadLength, bytes.getInt(maskAt));
    sink.text(payload, payloadLength, ascii);
  }

  private void passToTyrus(ByteBuffer bytes, int from, int to) {
    for (int at = from; at < to; at += TYRUS_SLICE) {
      tyrus.handle(bytes.slice(at, Math.min(to - at, TYRUS_SLICE)));
    }
  }

  /**
   * The length (header, mask and payload) of the frame at {@code pos} when it is a final, masked text
   * frame without reserved bits, with a 7- or 16-bit length of at most {@code maxPayload}, lying whole
   * before {@code limit}; otherwise 0.
   */
  static int wholeTextFrameLength(ByteBuffer bytes, int pos, int limit, int maxPayload) {
    int available = limit - pos;
    if (available < 6 || bytes.get(pos) != (byte) 0x81) {
      return 0;
    }
    int second = bytes.get(pos + 1) & 0xFF;
    if ((second & 0x80) == 0) {
      return 0;
    }
    int length = second & 0x7F;
    int header = 2;
    if (length == 126) {
      if (available < 8) {
        return 0;
      }
      length = ((bytes.get(pos + 2) & 0xFF) << 8) | (bytes.get(pos + 3) & 0xFF);
      header = 4;
    } else if (length == 127) {
      return 0;
    }
    int frameLength = header + 4 + length;
    return length <= maxPayload && frameLength <= available ? frameLength : 0;
  }

  /**
   * XORs {@code data[0..length)} with the 4-byte {@code mask} (first mask byte in the high bits), in
   * place.
   *
   * @return whether every unmasked byte is ASCII
   */
  static boolean unmask(byte[] data, int length, int mask) {
    int inMemoryOrder = LITTLE_ENDIAN ? Integer.reverseBytes(mask) : mask;
    long wide = ((long) inMemoryOrder << 32) | (inMemoryOrder & 0xFFFFFFFFL);
    long seen = 0;
    int i = 0;
    for (int end = length - 7; i < end; i += 8) {
      long word = (long) LONGS.get(data, i) ^ wide;
      LONGS.set(data, i, word);
      seen |= word;
    }
    int tail = 0;
    for (; i < length; i++) {
      byte b = (byte) (data[i] ^ (mask >>> (24 - 8 * (i & 3))));
      data[i] = b;
      tail |= b;
    }
    return (seen & HIGH_BITS) == 0 && (tail & 0x80) == 0;
  }
}
