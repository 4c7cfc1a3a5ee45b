package dev.callstream.core.internal;

import dev.callstream.core.AudioChannel;
import dev.callstream.core.ChannelStats;
import dev.callstream.core.Media;

/**
 * One channel's timeline: puts frames back in position order within a reorder window, reports
 * missing positions as gaps, drops duplicates and late frames, and counts all of it.
 *
 * <p>A frame is held while an earlier position is missing; the missing position {@code next} is
 * given up (a gap) once a frame more than {@code window} positions past it has arrived. So at most
 * {@code window} frames are ever held, in a ring indexed by position.
 *
 * <p>Single writer (the call's dispatch lane); the counters are volatile so {@link #stats()} may be
 * read from any thread.
 */
final class ChannelTimeline {

  /** How far back a delivered-or-gap record is kept to tell a duplicate from a late frame. */
  private static final int HISTORY = 64;

  private final AudioChannel channel;
  private final int window;
  private final CallSequencer.Output output;
  private final Media[] held;
  private final long[] heldPosition;
  private int heldCount;
  private long maxHeld;
  /** The next position to deliver: every position below it was delivered or reported as a gap. */
  private long next;
  /** Bit {@code p & 63} is set when position {@code p} (one of the last 64 below next) was delivered, clear when gap-filled. */
  private long delivered;

  private volatile long frames;
  private volatile long gaps;
  private volatile long duplicates;
  private volatile long late;
  private volatile long reordered;

  ChannelTimeline(AudioChannel channel, int window, CallSequencer.Output output) {
    this.channel = channel;
    this.window = window;
    this.output = output;
    this.held = new Media[window + 1];
    this.heldPosition = new long[window + 1];
  }

  /** Takes one frame at its timeline position (negative: before the start of the timeline, so late). */
  void accept(long position, Media media) {
    if (position < next) {
      long age = next - position;
      if (position >= 0 && age <= HISTORY && (delivered >>> (position & (HISTORY - 1)) & 1) != 0) {
        duplicates++;
      } else {
        late++;
      }
      return;
    }
    if (position - next > CallDriver.MAX_FORWARD_JUMP) {
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
    if (position > next + window) {
      advanceTo(position - window);
    }
    if (position == next) {
      deliver(position, media);
    } else {
      hold(position, media);
    }
    drain();
  }

  /** Counts a frame dropped before it got a position (no valid sequence id, or before the call's base). */
  void dropLate() {
    late++;
  }

  /** Counts a repeat of a sequence number that was already delivered or is held elsewhere (shared-counter mode). */
  void countDuplicate() {
    duplicates++;
  }

  /** Counts a frame that arrived after a later frame of the same side (shared-counter mode). */
  void countReordered() {
    reordered++;
  }

  /**
   * Reports the next position as one missing frame (shared-counter mode, where the caller decides
   * which side a hole in the counter belongs to). Only valid while nothing is held.
   */
  void skipOne() {
    gap(1);
  }

  /** Whether a frame at {@code position} was delivered (among the last {@value #HISTORY}) or is held. */
  boolean has(long position) {
    if (position < 0) {
      return false;
    }
    if (position < next) {
      return next - position <= HISTORY && (delivered >>> (position & (HISTORY - 1)) & 1) != 0;
    }
    return isHeld(position);
  }

  /** The next position to deliver. */
  long nextPosition() {
    return next;
  }

  /** End of call: delivers every held frame in order, with gaps between. Missing frames after the last one are not gaps. */
  void flush() {
    while (heldCount > 0) {
      int slot = slot(next);
      if (held[slot] != null && heldPosition[slot] == next) {
        deliverHeld(slot);
      } else {
        gap(lowestHeld() - next);
      }
    }
  }

  boolean receivedAny() {
    return frames > 0 || heldCount > 0 || gaps > 0 || duplicates > 0;
  }

  ChannelStats stats() {
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

  private void hold(long position, Media media) {
    int slot = slot(position);
    held[slot] = media;
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
    Media media = held[slot];
    held[slot] = null;
    heldCount--;
    deliver(next, media);
  }

  private void deliver(long position, Media media) {
    delivered |= 1L << (position & (HISTORY - 1));
    next = position + 1;
    frames++;
    output.frame(channel, position, media);
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
    output.gap(channel, from, (int) count);
  }

  private int slot(long position) {
    return (int) (position % held.length);
  }
}
