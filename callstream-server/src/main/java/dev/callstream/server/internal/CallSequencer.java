package dev.callstream.server.internal;

import dev.callstream.core.AudioChannel;
import dev.callstream.core.ChannelStats;
import dev.callstream.core.internal.CallDriver;
import dev.callstream.core.sequence.SegmentTimeline;
import dev.callstream.server.wire.Media;
import dev.callstream.server.wire.SequenceMode;

/**
 * Maps the Media of one WebSocket call to positions on the timelines of its two segments (one per
 * perspective; the timelines belong to the call's {@link CallDriver}, which delivers what they
 * release to the listener).
 *
 * <p>The platform does not document how {@code sequenceId} counts, so the first frames of a call are
 * held (at most {@code window + 1}) until the numbering can be told apart:
 * <ul>
 *   <li>{@link SequenceMode#PER_PERSPECTIVE}: each side counts 1, 2, 3...; position = seq - base.
 *   <li>{@link SequenceMode#PER_CONNECTION}: one counter shared by both sides (agent 1, conference 2,
 *       agent 3...); position = (seq - base) / 2.
 * </ul>
 * The base is the smallest sequence seen in that initial hold across both channels, so the two sides
 * stay aligned in time (a side whose first frames were lost starts with a gap); only a side whose
 * first sequence is more than {@link CallDriver#MAX_FORWARD_JUMP} frames above it gets its own base.
 *
 * <p>Single writer; {@link #mode()} and {@link #stats} may be read from any thread.
 */
public final class CallSequencer {

  private final int window;
  private final SegmentTimeline[] timelines = new SegmentTimeline[2];
  private final long[] base = new long[2];
  private final boolean[] routed = new boolean[2];
  private Media[] initial;
  private int initialCount;
  private volatile SequenceMode mode = SequenceMode.UNDETERMINED;

  /**
   * @param window reorder window in frames, at least 1
   * @param agent the agent segment's timeline; exceptions its output throws propagate to the caller
   * @param conference the conference segment's timeline
   */
  public CallSequencer(int window, SegmentTimeline agent, SegmentTimeline conference) {
    if (window < 1) {
      throw new IllegalArgumentException("reorder window < 1: " + window);
    }
    this.window = window;
    timelines[AudioChannel.AGENT.stereoIndex()] = java.util.Objects.requireNonNull(agent, "agent");
    timelines[AudioChannel.CONFERENCE.stereoIndex()] = java.util.Objects.requireNonNull(conference, "conference");
    this.initial = new Media[window + 1];
  }

  /** Takes the next Media in arrival order. */
  public void accept(Media media) {
    if (media.sequence() == Media.NO_SEQUENCE) {
      timelines[media.channel().stereoIndex()].dropLate();
      return;
    }
    if (mode == SequenceMode.UNDETERMINED) {
      initial[initialCount++] = media;
      if (initialCount == initial.length) {
        decide();
      }
      return;
    }
    route(media);
  }

  /** End of call: decides the mode if still holding, then delivers every held frame with gaps between. */
  public void flush() {
    if (mode == SequenceMode.UNDETERMINED && initialCount > 0) {
      decide();
    }
    for (SegmentTimeline timeline : timelines) {
      timeline.flush();
    }
  }

  /** The numbering detected so far; UNDETERMINED while the first frames are held. */
  public SequenceMode mode() {
    return mode;
  }

  /** A snapshot of one channel's counters. */
  public ChannelStats stats(AudioChannel channel) {
    return timelines[channel.stereoIndex()].stats();
  }

  private void route(Media media) {
    int ch = media.channel().stereoIndex();
    long sequence = media.sequence();
    if (!routed[ch]) {
      routed[ch] = true;
      // a side that shows up for the first time far beyond the call's base starts its own timeline
      if (!timelines[ch].receivedAny() && positionOf(sequence, base[ch]) > CallDriver.MAX_FORWARD_JUMP) {
        base[ch] = sequence;
      }
    }
    if (sequence < base[ch]) {
      timelines[ch].dropLate();
      return;
    }
    timelines[ch].accept(positionOf(sequence, base[ch]), sequence, media.payload());
  }

  private long positionOf(long sequence, long channelBase) {
    long offset = sequence - channelBase;
    return mode == SequenceMode.PER_CONNECTION ? offset >> 1 : offset;
  }

  private void decide() {
    Media[] frames = initial;
    int count = initialCount;
    initial = null;
    initialCount = 0;
    mode = detect(frames, count);
    long globalMin = Long.MAX_VALUE;
    long[] channelMin = {Long.MAX_VALUE, Long.MAX_VALUE};
    for (int i = 0; i < count; i++) {
      long seq = frames[i].sequence();
      int ch = frames[i].channel().stereoIndex();
      globalMin = Math.min(globalMin, seq);
      channelMin[ch] = Math.min(channelMin[ch], seq);
    }
    for (int ch = 0; ch < 2; ch++) {
      boolean ownBase = channelMin[ch] != Long.MAX_VALUE
          && positionOf(channelMin[ch], globalMin) > CallDriver.MAX_FORWARD_JUMP;
      base[ch] = ownBase ? channelMin[ch] : globalMin;
      routed[ch] = channelMin[ch] != Long.MAX_VALUE;
    }
    for (int i = 0; i < count; i++) {
      route(frames[i]);
    }
  }

  /**
   * PER_PERSPECTIVE if any sequence appears on both sides; PER_CONNECTION if every side with two or
   * more frames steps by 2 (or a multiple, when frames were lost) and the two sides' numbers
   * interleave (odd on one side, even on the other, in overlapping ranges); else PER_PERSPECTIVE.
   */
  static SequenceMode detect(Media[] frames, int count) {
    long[][] seqs = new long[2][count];
    int[] n = new int[2];
    for (int i = 0; i < count; i++) {
      int ch = frames[i].channel().stereoIndex();
      seqs[ch][n[ch]++] = frames[i].sequence();
    }
    for (int a = 0; a < n[0]; a++) {
      for (int b = 0; b < n[1]; b++) {
        if (seqs[0][a] == seqs[1][b]) {
          return SequenceMode.PER_PERSPECTIVE;
        }
      }
    }
    boolean spacedByTwo = false;
    long[] min = new long[2];
    long[] max = new long[2];
    for (int ch = 0; ch < 2; ch++) {
      long[] s = java.util.Arrays.copyOf(seqs[ch], n[ch]);
      java.util.Arrays.sort(s);
      if (s.length == 0) {
        continue;
      }
      min[ch] = s[0];
      max[ch] = s[s.length - 1];
      for (int i = 1; i < s.length; i++) {
        long step = s[i] - s[i - 1];
        if (step == 0) {
          continue; // a duplicate says nothing about the numbering
        }
        if ((step & 1) != 0) {
          return SequenceMode.PER_PERSPECTIVE;
        }
        spacedByTwo = true;
      }
    }
    if (!spacedByTwo) {
      return SequenceMode.PER_PERSPECTIVE;
    }
    if (n[0] > 0 && n[1] > 0) {
      boolean oppositeParity = ((min[0] ^ min[1]) & 1) == 1;
      boolean overlapping = min[0] <= max[1] + 1 && min[1] <= max[0] + 1;
      if (!oppositeParity || !overlapping) {
        return SequenceMode.PER_PERSPECTIVE;
      }
    }
    return SequenceMode.PER_CONNECTION;
  }
}
