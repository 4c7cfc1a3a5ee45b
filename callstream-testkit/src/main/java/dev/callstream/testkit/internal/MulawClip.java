package dev.callstream.testkit.internal;

import dev.callstream.testkit.AudioSource;
import java.util.Arrays;

/** A finite clip of mu-law bytes; the last partial frame is padded with silence. */
public final class MulawClip implements AudioSource {
  private final byte[] mulaw;

  /** Takes ownership of {@code mulaw} (not copied). */
  public MulawClip(byte[] mulaw) {
    this.mulaw = mulaw;
  }

  @Override
  public long frameCount() {
    return (mulaw.length + FRAME_BYTES - 1) / FRAME_BYTES;
  }

  @Override
  public void readFrame(long index, byte[] frame) {
    if (index < 0 || index >= frameCount()) {
      throw new IndexOutOfBoundsException("frame " + index + " of " + frameCount());
    }
    int from = Math.toIntExact(index * FRAME_BYTES);
    int length = Math.min(FRAME_BYTES, mulaw.length - from);
    System.arraycopy(mulaw, from, frame, 0, length);
    if (length < FRAME_BYTES) {
      Arrays.fill(frame, length, FRAME_BYTES, MULAW_SILENCE);
    }
  }
}
