package dev.callstream.bench;

import dev.callstream.testkit.AudioSource;
import java.util.concurrent.atomic.LongAdder;

/**
 * Audio for load runs that measures itself: the generator asks for each frame just before it encodes
 * and sends it, so the source stamps the frame's first 8 bytes with {@link System#nanoTime()} (big
 * endian) and counts frames handed out. The remaining 152 bytes are a quiet mu-law pattern.
 *
 * <p>Deliberately breaks {@link AudioSource}'s "same bytes every time" rule, which only matters to
 * fault injection (not used in load runs).
 */
final class ProbeAudio implements AudioSource {
  private final long frames;
  private final LongAdder handedOut = new LongAdder();

  ProbeAudio(long frames) {
    this.frames = frames;
  }

  @Override
  public long frameCount() {
    return frames;
  }

  @Override
  public void readFrame(long index, byte[] frame) {
    for (int i = 8; i < FRAME_BYTES; i++) {
      frame[i] = (byte) (0xF0 | ((index + i) & 0x0F));
    }
    long now = System.nanoTime();
    for (int i = 7; i >= 0; i--) {
      frame[i] = (byte) now;
      now >>>= 8;
    }
    handedOut.increment();
  }

  /** Frames handed to the generator so far (about to be sent). */
  long handedOut() {
    return handedOut.sum();
  }

  /** The timestamp a probe frame carries (meaningless for other audio; callers check plausibility). */
  static long timestamp(byte[] payload) {
    if (payload.length < 8) {
      return Long.MIN_VALUE;
    }
    long t = 0;
    for (int i = 0; i < 8; i++) {
      t = (t << 8) | (payload[i] & 0xff);
    }
    return t;
  }
}
