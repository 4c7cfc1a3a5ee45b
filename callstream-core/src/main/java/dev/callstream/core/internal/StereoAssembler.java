package dev.callstream.core.internal;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * Pairs two mono timelines of fixed-size slots (20 ms frames) into interleaved stereo slots.
 *
 * <p>Slot {@code n} of both sides becomes stereo slot {@code n}. A slot is emitted as soon as both
 * sides have it. One side may run ahead of the other by at most {@code windowSlots}: beyond that
 * the oldest pending slot is emitted with silence for the lagging side, and when the lagging side
 * later delivers that slot the sink is asked to patch it in place. Memory is bounded by the window.
 *
 * <p>Not thread-safe.
 */
public final class StereoAssembler {
  private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /** Receives stereo slots in order, and late channel data for slots already emitted. */
  public interface Sink {
    /** The next stereo slot: {@code len} bytes of interleaved 16-bit little-endian samples. */
    void writeSlot(byte[] interleaved, int off, int len) throws IOException;

    /**
     * Slot {@code slot}, already emitted with silence on channel {@code stereoIndex}, now has that
     * channel's real samples ({@code len} bytes of mono 16-bit little-endian PCM).
     */
    void patchSlot(long slot, int stereoIndex, byte[] mono, int off, int len) throws IOException;
  }

  private final int slotBytes;
  private final int windowSlots;
  private final Sink sink;
  private final long[] next = new long[2];
  private final byte[] pending;
  private final boolean[] pendingSilent;
  private final byte[] interleaved;
  /** One slot of digital silence, read in place of a missing side. */
  private final byte[] silence;
  private int pendingHead;
  private long emitted;

  /**
   * @param slotSamples samples per slot and channel (160 for 20 ms at 8 kHz)
   * @param windowSlots how far one side may run ahead before its slots are emitted alone (at least 1)
   */
  public StereoAssembler(int slotSamples, int windowSlots, Sink sink) {
    if (slotSamples <= 0) {
      throw new IllegalArgumentException("slotSamples <= 0: " + slotSamples);
    }
    if (windowSlots < 1) {
      throw new IllegalArgumentException("windowSlots < 1: " + windowSlots);
    }
    this.slotBytes = slotSamples * 2;
    this.windowSlots = windowSlots;
    this.sink = Objects.requireNonNull(sink, "sink");
    this.pending = new byte[windowSlots * slotBytes];
    this.pendingSilent = new boolean[windowSlots];
    this.interleaved = new byte[slotBytes * 2];
    this.silence = new byte[slotBytes];
  }

  /** Bytes of one mono slot. */
  public int slotBytes() {
    return slotBytes;
  }

  /** Stereo slots emitted so far. */
  public long emittedSlots() {
    return emitted;
  }

  /** The next slot expected on a channel (slots delivered so far). */
  public long nextSlot(int stereoIndex) {
    return next[stereoIndex];
  }

  /**
   * Delivers slot {@code position} of a channel. Earlier positions that were never delivered are
   * treated as silence; a position already delivered is ignored.
   *
   * @param mono {@link #slotBytes()} bytes of 16-bit little-endian PCM from {@code off}, or null for silence
   */
  public void put(int stereoIndex, long position, byte[] mono, int off) throws IOException {
    if (position < next[stereoIndex]) {
      return;
    }
    while (next[stereoIndex] < position) {
      accept(stereoIndex, null, 0);
    }
    accept(stereoIndex, mono, off);
  }

  /** Delivers {@code count} silent slots of a channel from {@code fromPosition}. */
  public void silence(int stereoIndex, long fromPosition, long count) throws IOException {
    long end = fromPosition + count;
    if (end <= next[stereoIndex]) {
      return;
    }
    while (next[stereoIndex] < end) {
      accept(stereoIndex, null, 0);
    }
  }

  /** Pads the shorter side with silence up to the longer one, so every pending slot is emitted. */
  public void finish() throws IOException {
    long end = Math.max(next[0], next[1]);
    for (int side = 0; side < 2; side++) {
      while (next[side] < end) {
        accept(side, null, 0);
      }
    }
  }

  private void accept(int side, byte[] mono, int off) throws IOException {
    long slot = next[side]++;
    int other = 1 - side;
    if (slot < emitted) {
      // Emitted earlier with silence for this side, because the other side ran too far ahead.
      if (mono != null) {
        sink.patchSlot(slot, side, mono, off, slotBytes);
      }
      return;
    }
    if (next[other] > slot) {
      // The other side is ahead: its data for this slot is the oldest pending one.
      boolean otherSilent = pendingSilent[pendingHead];
      int otherOff = pendingHead * slotBytes;
      emit(side, mono, off, otherSilent ? null : pending, otherOff);
      pendingHead = (pendingHead + 1) % windowSlots;
      return;
    }
    if (slot - emitted >= windowSlots) {
      // This side is a whole window ahead: emit its oldest pending slot alone to make room.
      boolean silent = pendingSilent[pendingHead];
      emit(side, silent ? null : pending, pendingHead * slotBytes, null, 0);
      pendingHead = (pendingHead + 1) % windowSlots;
    }
    int tail = (int) ((pendingHead + (slot - emitted)) % windowSlots);
    pendingSilent[tail] = mono == null;
    if (mono != null) {
      System.arraycopy(mono, off, pending, tail * slotBytes, slotBytes);
    }
  }

  private void emit(int side, byte[] sideData, int sideOff, byte[] otherData, int otherOff) throws IOException {
    byte[] left = side == 0 ? sideData : otherData;
    int leftOff = side == 0 ? sideOff : otherOff;
    byte[] right = side == 0 ? otherData : sideData;
    int rightOff = side == 0 ? otherOff : sideOff;
    if (left == null && right == null) {
      Arrays.fill(interleaved, (byte) 0);
    } else {
      if (left == null) {
        left = silence;
        leftOff = 0;
      }
      if (right == null) {
        right = silence;
        rightOff = 0;
      }
      interleave(left, leftOff, right, rightOff);
    }
    emitted++;
    sink.writeSlot(interleaved, 0, interleaved.length);
  }

  /**
   * Two samples of each side per step (one int read per side, one long written): this runs for every
   * frame of every recorded call, and a byte-at-a-time loop was the recorder's largest cost.
   */
  private void interleave(byte[] left, int leftOff, byte[] right, int rightOff) {
    int pairs = slotBytes & ~3;
    int i = 0;
    for (int o = 0; i < pairs; i += 4, o += 8) {
      long l = (int) INTS.get(left, leftOff + i) & 0xFFFFFFFFL;
      long r = (int) INTS.get(right, rightOff + i) & 0xFFFFFFFFL;
      LONGS.set(interleaved, o, (l & 0xFFFF) | (r & 0xFFFF) << 16 | (l >>> 16) << 32 | (r >>> 16) << 48);
    }
    if (i < slotBytes) {   // an odd number of samples per slot: the last one
      int o = 2 * i;
      interleaved[o] = left[leftOff + i];
      interleaved[o + 1] = left[leftOff + i + 1];
      interleaved[o + 2] = right[rightOff + i];
      interleaved[o + 3] = right[rightOff + i + 1];
    }
  }
}
