package dev.callstream.core.sequence;

import dev.callstream.core.ChannelStats;

/**
 * One segment's timeline: puts frames back in position order within a reorder window, reports
 * missing positions as gaps, drops duplicates and late frames, and counts all of it. Positions are
 * frame slots of any duration (20 ms on WebSocket, 100 ms on gRPC): the timeline only counts them.
 *
 * <p>A frame is held while an earlier position is missing; the missing position {@code next} is
 * given up (a gap) once a frame more than {@code window} positions past it has arrived. So at most
 * {@code window} frames are ever held, in a ring indexed by position.
 *
 * <p>Single writer (the call's dispatch lane); the counters are volatile so {@link #stats()} may be
 * read from any thread.
 */
public final class SegmentTimeline {

  /** Where sequenced frames and gaps go, in position order. */
  public interface Output {
    /** The frame at {@code position}. */
    void frame(long position, long sequence, byte[] payload);

    /** Positions {@code fromPosition .. fromPosition + frameCount - 1} are missing. */
    void gap(long fromPosition, int frameCount);
  }

  /** A position more than this many frames ahead of the timeline is dropped as late, never gap-filled (one minute of 20 ms frames). */
  public static final int MAX_FORWARD_JUMP = 3000;

  /** How far back a delivered-or-gap record is kept to tell a duplicate from a late frame. */
  private static final int HISTORY = 64;

  private final int window;
  private final Output output;
  private final byte[][] held;
  private final long[] heldSequence;
  private final long[] heldPosition;
  private int heldCount;
  private long maxHeld;
  /** The next position to deliver: every position below it was delivered or reported as a gap. */
  private long next;
  /** Bit {@code p & 63} is set when position {@code p} (one of the last 64 below next) was delivered, clear when gap-filled. */
  private long delivered;

  /** The highest position taken so far (delivered or held), -1 before the first. */
  private volatile long highest = -1;
  private volatile long frames;
  private volatile long gaps;
  private volatile long duplicates;
  private volatile long late;
  private volatile long reordered;

  /**
   * @param window reorder window in frames, at least 1
   * @param output receives frames and gaps; exceptions it throws propagate to the caller
   */
  public SegmentTimeline(int window, Output output) {
    if (window < 1) {
      throw new IllegalArgumentException("reorder window < 1: " + window);
    }
    this.window = window;
    this.output = java.util.Objects.requireNonNull(output, "output");
    this.held = new byte[window + 1][];
    this.heldSequence = new long[window + 1];
    this.heldPosition = new long[window + 1];
  }

  /** Takes one frame at its timeline position (negative: before the start of the timeline, so late). */
  public void accept(long position, long sequence, byte[] payload) {
    if (position < next) {
      long age = next - position;
      if (position >= 0 && age <= HISTORY && (delivered >>> (position & (HISTORY - 1)) & 1) != 0) {
        duplicates++;
      } else {
        late++;
      }
      return;
    }
    if (position - next > MAX_FORWARD_JUMP) {
      late++; // never fill a minute of silence for one message
      return;
    }
    if (position > next && isHeld(position)) {
      duplicates++;
      return;
    }
    if (heldCount > 0 && maxHeld > position) {
      reordered++;
    }
    if (position > highest) {
      highest = position;
    }
    if (position > next + window) {
      advanceTo(position - window);
    }
    if (position == next) {
      deliver(position, sequence, payload);
    } else {
      hold(position, sequence, payload);
    }
    drain();
  }

  /** Counts a frame dropped before it got a position (no valid sequence id, or before the call's base). */
  public void dropLate() {
    late++;
  }

  /** Counts a repeat of a sequence number that was already delivered or is held elsewhere (shared-counter mode). */
  public void countDuplicate() {
    duplicates++;
  }

  /** Counts a frame that arrived after a later frame of the same side (shared-counter mode). */
  public void countReordered() {
    reordered++;
  }

  /**
   * Reports the next position as one missing frame (shared-counter mode, where the caller decides
   * which side a hole in the counter belongs to). Only valid while nothing is held.
   */
  public void skipOne() {
    gap(1);
  }

  /** Whether a frame at {@code position} was delivered (among the last {@value #HISTORY}) or is held. */
  public boolean has(long position) {
    if (position < 0) {
      return false;
    }
    if (position < next) {
      return next - position <= HISTORY && (delivered >>> (position & (HISTORY - 1)) & 1) != 0;
    }
    return isHeld(position);
  }

  /** The next position to deliver. */
  public long nextPosition() {
    return next;
  }

  /** End of call: delivers every held frame in order, with gaps between. Missing frames after the last one are not gaps. */
  public void flush() {
    while (heldCount > 0) {
      int slot = slot(next);
      if (held[slot] != null && heldPosition[slot] == next) {
        deliverHeld(slot);
      } else {
        gap(lowestHeld() - next);
      }
    }
  }

  public boolean receivedAny() {
    return frames > 0 || heldCount > 0 || gaps > 0 || duplicates > 0;
  }

  /** The highest position taken so far (delivered or held), -1 before the first frame. */
  public long highestPosition() {
    return highest;
  }

  public ChannelStats stats() {
    return new ChannelStats(frames, gaps, duplicates, late, reordered);
  }

  private void advanceTo(long target) {
    while (next < target) {
      int slot = slot(next);
      if (heldCount > 0 && held[slot] != null && heldPosition[slot] == next) {
        deliverHeld(slot);
      } else {
        long end = heldCount > 0 ? Math.min(target, lowestHeld()) : target;
        gap(end - next);
      }
    }
  }

  private void drain() {
    while (heldCount > 0) {
      int slot = slot(next);
      if (held[slot] == null || heldPosition[slot] != next) {
        return;
      }
      deliverHeld(slot);
    }
  }

  private boolean isHeld(long position) {
    int slot = slot(position);
    return held[slot] != null && heldPosition[slot] == position;
  }

  private void hold(long position, long sequence, byte[] payload) {
    int slot = slot(position);
    held[slot] = payload;
    heldSequence[slot] = sequence;
    heldPosition[slot] = position;
    maxHeld = heldCount == 0 ? position : Math.max(maxHeld, position);
    heldCount++;
  }

  private long lowestHeld() {
    long lowest = Long.MAX_VALUE;
    for (int i = 0; i < held.length; i++) {
      if (held[i] != null && heldPosition[i] < lowest) {
        lowest = heldPosition[i];
      }
    }
    return lowest;
  }

  private void deliverHeld(int slot) {
    byte[] payload = held[slot];
    held[slot] = null;
    heldCount--;
    deliver(next, heldSequence[slot], payload);
  }

  private void deliver(long position, long sequence, byte[] payload) {
    delivered |= 1L << (position & (HISTORY - 1));
    next = position + 1;
    frames++;
    output.frame(position, sequence, payload);
  }

  private void gap(long count) {
    long from = next;
    if (count >= HISTORY) {
      delivered = 0;
    } else {
      for (long p = from; p < from + count; p++) {
        delivered &= ~(1L << (p & (HISTORY - 1)));
      }
    }
    next = from + count;
    gaps += count;
    // a gap is at most MAX_FORWARD_JUMP + window long
    output.gap(from, (int) count);
  }

  private int slot(long position) {
    return (int) (position % held.length);
  }
}
