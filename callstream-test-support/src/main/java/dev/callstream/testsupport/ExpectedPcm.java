package dev.callstream.testsupport;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * What a recording of one mu-law side must hold, worked out from what was sent: the frames decoded
 * with the SoX reference table (independent of the code under test), digital silence where a frame
 * was dropped, nothing after the last frame sent.
 */
public final class ExpectedPcm {
  private ExpectedPcm() {}

  /** Random access to the mu-law frames that were sent (the testkit's {@code AudioSource::readFrame}). */
  @FunctionalInterface
  public interface Frames {
    /** Fills {@code frame} with the codes of frame {@code index} (from 0). */
    void readFrame(long index, byte[] frame);
  }

  /**
   * The 16-bit little-endian PCM of one side: frames {@code 0..framesPlanned-1} of {@code source}
   * ({@code frameBytes} codes each), the {@code dropped} ones (sequence ids from 1, as the testkit
   * numbers each perspective) as silence, the dropped ones at the end left out (nothing marks them).
   */
  public static byte[] of(Frames source, int frameBytes, long framesPlanned, Collection<Long> dropped) {
    short[] mulaw = G711Reference.mulaw();
    Set<Long> droppedSet = new HashSet<>(dropped);
    long last = framesPlanned - 1;
    while (last >= 0 && droppedSet.contains(last + 1)) {
      last--;
    }
    byte[] frame = new byte[frameBytes];
    byte[] out = new byte[Math.toIntExact((last + 1) * frameBytes * 2)];
    int at = 0;
    for (long index = 0; index <= last; index++) {
      if (droppedSet.contains(index + 1)) {
        at += frameBytes * 2;
        continue;
      }
      source.readFrame(index, frame);
      for (byte code : frame) {
        short sample = mulaw[code & 0xff];
        out[at++] = (byte) sample;
        out[at++] = (byte) (sample >> 8);
      }
    }
    return out;
  }
}
