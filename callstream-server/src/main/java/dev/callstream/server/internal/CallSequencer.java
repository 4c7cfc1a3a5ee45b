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
 *       agent 3...). Frames are put back in counter order (see {@link SharedCounter}) and each side
 *       gets the next position of its own timeline, so a side that pauses, ends first or sends two
 *       frames in a row costs nothing on either side; a hole in the counter is attributed to the side
 *       that most plausibly lost it (or to neither) and becomes one frame of silence there.
 * </ul>
 * Per-perspective mode stays open to revision until a number shows up on both sides: when a side
 * heard for the first time (or again after more than the window) continues the other side's
 * counter (per-connection numbering with one side silent at the start), the next
 * {@code window + 1} frames decide again, and per-connection mode continues from there.
 *
 * <p>In per-perspective mode the base is the smallest sequence seen in that initial hold across both
 * channels, so the two sides stay aligned in time (a side whose first frames were lost starts with a
 * gap); only a side whose first sequence is more than {@link CallDriver#MAX_FORWARD_JUMP} frames above
 * it gets its own base. In per-connection mode the base is that smallest sequence.
 *
 * <p>Single writer; {@link #mode()} and {@link #stats} may be read from any thread.
 */
public final class CallSequencer {

  private final int window;
  private final SegmentTimeline[] timelines = new SegmentTimeline[2];
  private final long[] base = new long[2];
  private final boolean[] routed = new boolean[2];
  private SharedCounter shared;
  /**
   * Per-perspective mode until a number shows up on both sides: a side that was silent may still
   * come back continuing the other's counter (per-connection numbering, one side heard alone first).
   */
  private boolean revisable;
  private final long[] maxSeen = {Long.MIN_VALUE, Long.MIN_VALUE};
  /** Frames held from the other side's first frame on, to decide again (null when not deciding). */
  private Media[] probe;
  private int probeCount;
  /** Set while the frames of a probe that found two counters are routed, so they do not start another. */
  private boolean resolving;
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
    if (probe != null) {
      resolveProbe();
    }
    if (shared != null) {
      shared.flush();
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
    if (shared != null) {
      shared.accept(media);
      return;
    }
    if (probe != null) {
      probe[probeCount++] = media;
      if (probeCount == probe.length) {
        resolveProbe();
      }
      return;
    }
    int ch = media.channel().stereoIndex();
    long sequence = media.sequence();
    if (revisable && !resolving) {
      int other = 1 - ch;
      if (routed[other] && timelines[other].has(sequence - base[other])) {
        revisable = false; // the same number on both sides: two counters
      } else if (continuesTheCounter(ch, sequence)) {
        probe = new Media[window + 1];
        probe[0] = media;
        probeCount = 1;
        return;
      }
      maxSeen[ch] = Math.max(maxSeen[ch], sequence);
    }
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
    if (mode == SequenceMode.PER_CONNECTION) {
      shared = new SharedCounter(2 * window, globalMin, timelines);
      for (int i = 0; i < count; i++) {
        shared.accept(frames[i]);
      }
      return;
    }
    for (int ch = 0; ch < 2; ch++) {
      boolean ownBase = channelMin[ch] != Long.MAX_VALUE
          && positionOf(channelMin[ch], globalMin) > CallDriver.MAX_FORWARD_JUMP;
      base[ch] = ownBase ? channelMin[ch] : globalMin;
      routed[ch] = channelMin[ch] != Long.MAX_VALUE;
    }
    revisable = true;
    for (int i = 0; i < count; i++) {
      route(frames[i]);
    }
  }

  /**
   * Whether a side heard for the first time, or again after more than the window, looks like it
   * continues the other side's counter: within the window of that side's highest sequence and not a
   * number that side already used.
   */
  private boolean continuesTheCounter(int ch, long sequence) {
    int other = 1 - ch;
    long otherMax = maxSeen[other];
    return otherMax != Long.MIN_VALUE
        && (maxSeen[ch] == Long.MIN_VALUE || sequence - maxSeen[ch] > window)
        && sequence > otherMax - window && sequence <= otherMax + window
        && !timelines[other].has(sequence - base[other]);
  }

  /**
   * Decides again from the frames held since the other side appeared. Per-connection: the lone
   * side's timeline is finished as it stands and the shared counter continues from its next number.
   */
  private void resolveProbe() {
    Media[] frames = probe;
    int count = probeCount;
    int alone = 1 - frames[0].channel().stereoIndex();
    probe = null;
    probeCount = 0;
    if (detect(frames, count) != SequenceMode.PER_CONNECTION) {
      resolving = true;
      try {
        for (int i = 0; i < count; i++) {
          route(frames[i]);
        }
      } finally {
        resolving = false;
      }
      return;
    }
    revisable = false;
    timelines[1 - alone].flush();
    SegmentTimeline lone = timelines[alone];
    lone.flush();
    long next = base[alone] + lone.nextPosition();
    shared = new SharedCounter(2 * window, next, timelines);
    shared.continueFrom(alone, next);
    mode = SequenceMode.PER_CONNECTION;
    for (int i = 0; i < count; i++) {
      shared.accept(frames[i]);
    }
  }

  /**
   * PER_PERSPECTIVE if any sequence appears on both sides; PER_CONNECTION if the two sides' ranges
   * overlap (each side has a number below the other's highest) without a number in common, or if
   * every side with two or more frames steps by 2 (or a multiple, when frames were lost) and the two sides' numbers
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
    long[] min = new long[2];
    long[] max = new long[2];
    if (n[0] > 0 && n[1] > 0) {
      for (int ch = 0; ch < 2; ch++) {
        min[ch] = Long.MAX_VALUE;
        max[ch] = Long.MIN_VALUE;
        for (int i = 0; i < n[ch]; i++) {
          min[ch] = Math.min(min[ch], seqs[ch][i]);
          max[ch] = Math.max(max[ch], seqs[ch][i]);
        }
      }
      // Both sides' numbers interleave without one in common: only a shared counter does that, even
      // when a side sent two frames in a row (an odd step) among the first frames.
      if (min[0] < max[1] && min[1] < max[0]) {
        return SequenceMode.PER_CONNECTION;
      }
    }
    boolean spacedByTwo = false;
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

  /**
   * Per-connection sequencing: a reorder buffer on the shared counter, releasing frames in counter
   * order; each released frame takes the next position of its own side's timeline.
   *
   * <p>A number that has not arrived once a frame more than {@code window} numbers past it has (the
   * window is twice the per-side window, since both sides draw from the counter) is a hole. Senders
   * number in one of two ways, and both must work: one number per message sent (a side that pauses
   * or has ended leaves no hole, the other side just steps by 1), or one per tick and side (agent
   * 2k+1, conference 2k+2: a paused side leaves a hole every second number). So a hole is given to
   * a side only when that side is short of a frame there:
   * <ul>
   *   <li>The side must be active around the hole: a frame of its own no more than {@code window}
   *       numbers before it (or the call started less than that before it) and one held no more
   *       than {@code window} numbers after it. A side that has ended, or is silent for longer than
   *       the window, is never given a hole, so a pause costs nothing.
   *   <li>Its stride is 2 while the other side is active too (both talking), else its own last step
   *       (1 when it counts alone per message, 2 when the other side's slots stay empty). The frames
   *       it is short of between its last frame and its next held one are
   *       {@code round(distance / stride) - 1} minus the holes it was already given there.
   *   <li>If both are short and the holes before each one's next frame suffice for both, the side
   *       whose next frame comes first (later holes could no longer be its own). If they conflict
   *       (one hole both could have lost): the one that keeps the two sides' turns most even around
   *       the hole ({@link #spread}), then the one with fewer frames and holes around it, then the
   *       one whose stride grid puts a frame on the hole ("due"), then the one whose last frame or
   *       hole is older.
   *   <li>Otherwise nobody: the hole was a paused or finished side's slot and costs no silence.
   * </ul>
   * Limits: a frame lost right where a side pauses, resumes or ends cannot be told from the other
   * side's loss or from a pause one frame longer, so it may cost 20 ms on the wrong side or none; in
   * per-tick numbering a pause shorter than half the window cannot be told from loss and is filled
   * with silence; a run of holes with no frame of a side within the window on either side (both
   * sides silent at once, or a burst loss longer than the window) is treated as a pause and costs
   * no silence. Duplicates are only repeats of a delivered or held number; a frame whose number
   * was already declared a hole is late.
   */
  private static final class SharedCounter {
    private static final int HISTORY = 256;
    private static final long NONE = Long.MIN_VALUE;

    private final int window;
    private final long base;
    private final SegmentTimeline[] timelines;
    private final Media[] held;
    private final long[] heldNumber;
    private int heldCount;
    private final int[] heldOfSide = new int[2];
    private final long[] maxHeldOfSide = new long[2];
    /** Every number below next was released or declared a hole. */
    private long next;
    /** Number {@code g} is in slot {@code g % HISTORY}: whether it was a frame (true) or a hole. */
    private final long[] historyNumber = new long[HISTORY];
    private final boolean[] historyFrame = new boolean[HISTORY];
    /** The side a remembered number went to (frame or hole), -1 for a hole given to nobody. */
    private final byte[] historySide = new byte[HISTORY];
    private final long[] lastFrame = {NONE, NONE};
    /** Each side's last step to a frame from its previous frame or hole (0 when unknown). */
    private final long[] lastStep = new long[2];
    /** The last number given to each side, frame or hole. */
    private final long[] lastSlot = {NONE, NONE};
    private final long[] holesSinceFrame = new long[2];
    /** The frame being accepted while holes are declared (it counts as arrived). */
    private long pendingNumber = NONE;
    private int pendingSide = -1;

    SharedCounter(int window, long base, SegmentTimeline[] timelines) {
      this.window = window;
      this.base = base;
      this.next = base;
      this.timelines = timelines;
      this.held = new Media[window + 1];
      this.heldNumber = new long[window + 1];
      java.util.Arrays.fill(historyNumber, -1);
    }

    /** The counter starts where side {@code ch} alone has counted up to (each step 1). */
    void continueFrom(int ch, long nextNumber) {
      lastFrame[ch] = nextNumber - 1;
      lastStep[ch] = 1;
      lastSlot[ch] = nextNumber - 1;
    }

    void accept(Media media) {
      int ch = media.channel().stereoIndex();
      long number = media.sequence();
      SegmentTimeline timeline = timelines[ch];
      if (number < base) {
        timeline.dropLate();
        return;
      }
      if (number < next) {
        int slot = (int) (number % HISTORY);
        if (historyNumber[slot] == number && historyFrame[slot]) {
          timeline.countDuplicate();
        } else {
          timeline.dropLate();
        }
        return;
      }
      if (number - next > 2L * CallDriver.MAX_FORWARD_JUMP) {
        timeline.dropLate(); // never fill a minute of silence for one message
        return;
      }
      if (isHeld(number)) {
        timeline.countDuplicate();
        return;
      }
      if (heldOfSide[ch] > 0 && maxHeldOfSide[ch] > number) {
        timeline.countReordered();
      }
      if (number > next + window) {
        pendingNumber = number;
        pendingSide = ch;
        try {
          advanceTo(number - window);
        } finally {
          pendingSide = -1;
          pendingNumber = NONE;
        }
      }
      if (number == next) {
        release(ch, media);
      } else {
        hold(number, ch, media);
      }
      drain();
    }

    void flush() {
      while (heldCount > 0) {
        int slot = slot(next);
        if (held[slot] != null && heldNumber[slot] == next) {
          releaseHeld(slot);
        } else {
          hole();
        }
      }
    }

    private void advanceTo(long target) {
      while (next < target) {
        int slot = slot(next);
        if (heldCount > 0 && held[slot] != null && heldNumber[slot] == next) {
          releaseHeld(slot);
        } else {
          hole();
        }
      }
    }

    private void drain() {
      while (heldCount > 0) {
        int slot = slot(next);
        if (held[slot] == null || heldNumber[slot] != next) {
          return;
        }
        releaseHeld(slot);
      }
    }

    private boolean isHeld(long number) {
      int slot = slot(number);
      return held[slot] != null && heldNumber[slot] == number;
    }

    private void hold(long number, int ch, Media media) {
      int slot = slot(number);
      held[slot] = media;
      heldNumber[slot] = number;
      heldCount++;
      maxHeldOfSide[ch] = heldOfSide[ch] == 0 ? number : Math.max(maxHeldOfSide[ch], number);
      heldOfSide[ch]++;
    }

    private void releaseHeld(int slot) {
      Media media = held[slot];
      held[slot] = null;
      heldCount--;
      int ch = media.channel().stereoIndex();
      heldOfSide[ch]--;
      release(ch, media);
    }

    private void release(int ch, Media media) {
      long number = next;
      remember(number, true, ch);
      lastStep[ch] = lastSlot[ch] == NONE ? 0 : number - lastSlot[ch];
      lastFrame[ch] = number;
      lastSlot[ch] = number;
      holesSinceFrame[ch] = 0;
      next = number + 1;
      SegmentTimeline timeline = timelines[ch];
      timeline.accept(timeline.nextPosition(), media.sequence(), media.payload());
    }

    /** Declares {@code next} missing and gives it to the side that lost it, if any. */
    private void hole() {
      long h = next;
      next = h + 1;
      int side = owner(h);
      remember(h, false, side);
      if (side >= 0) {
        lastSlot[side] = h;
        holesSinceFrame[side]++;
        timelines[side].skipOne();
      }
    }

    private int owner(long h) {
      // a side is active around h with a frame of its own within the window on each side of it
      boolean[] active = new boolean[2];
      long[] after = new long[2];
      for (int s = 0; s < 2; s++) {
        after[s] = nextFrameOf(s);
        boolean before = lastFrame[s] == NONE ? h - base < window : h - lastFrame[s] <= window;
        active[s] = before && after[s] != NONE && after[s] - h <= window;
      }
      long[] shortBy = new long[2];
      boolean[] due = new boolean[2];
      int eligible = 0;
      for (int s = 0; s < 2; s++) {
        if (!active[s]) {
          continue;
        }
        long stride = stride(s, active[1 - s]);
        due[s] = lastSlot[s] == NONE || h - lastSlot[s] >= stride;
        long from = lastFrame[s] == NONE ? h - stride : lastFrame[s];
        shortBy[s] = (after[s] - from + stride / 2) / stride - 1 - holesSinceFrame[s];
        if (shortBy[s] > 0) {
          eligible |= 1 << s;
        }
      }
      if (eligible != 3) {
        return eligible == 0 ? -1 : eligible == 1 ? 0 : 1;
      }
      {
        // Both are short: if the holes before each side's next frame are enough for both, serve the
        // side whose next frame comes first (a hole after it could no longer be its own).
        int first = after[0] <= after[1] ? 0 : 1;
        int second = 1 - first;
        if (shortBy[first] <= missingBetween(h, after[first])
            && shortBy[first] + shortBy[second] <= missingBetween(h, after[second])) {
          return first;
        }
      }
      // one hole that both could have lost
      int agentSpread = spread(h, 0);
      int conferenceSpread = spread(h, 1);
      if (agentSpread != conferenceSpread) {
        return agentSpread < conferenceSpread ? 0 : 1;
      }
      int agentCount = around(0, h);
      int conferenceCount = around(1, h);
      if (agentCount != conferenceCount) {
        return agentCount < conferenceCount ? 0 : 1;
      }
      if (due[0] != due[1]) {
        return due[0] ? 0 : 1;
      }
      return lastSlot[1] < lastSlot[0] ? 1 : 0;
    }

    /**
     * How far the two sides drift apart around {@code h} if it is given to {@code side}: the range of
     * the running count (agent +1, conference -1) over the numbers within the window either side.
     * Two sides that take turns, in either order within a tick, stay within a range of 2; giving a
     * hole to the wrong side makes one of them look three frames ahead.
     */
    private int spread(long h, int side) {
      int running = 0;
      int min = 0;
      int max = 0;
      for (long g = Math.max(base, h - window + 1); g < h + window; g++) {
        int s;
        if (g == h) {
          s = side;
        } else if (g < h) {
          int slot = (int) (g % HISTORY);
          s = historyNumber[slot] == g ? historySide[slot] : -1;
        } else if (g == pendingNumber) {
          s = pendingSide;
        } else {
          int slot = slot(g);
          s = held[slot] != null && heldNumber[slot] == g ? held[slot].channel().stereoIndex() : -1;
        }
        if (s < 0) {
          continue;
        }
        running += s == 0 ? 1 : -1;
        min = Math.min(min, running);
        max = Math.max(max, running);
      }
      return max - min;
    }

    /** Numbers in [from, to) that have not arrived. */
    private long missingBetween(long from, long to) {
      long missing = to - from;
      for (int i = 0; i < held.length; i++) {
        if (held[i] != null && heldNumber[i] >= from && heldNumber[i] < to) {
          missing--;
        }
      }
      if (pendingNumber != NONE && pendingNumber >= from && pendingNumber < to) {
        missing--;
      }
      return missing;
    }

    /** 2 while the other side is talking too; else the side's own last step (1 or 2). */
    private long stride(int s, boolean otherActive) {
      if (otherActive || lastStep[s] == 0) {
        return 2;
      }
      return lastStep[s] == 1 ? 1 : 2;
    }

    private long nextFrameOf(int s) {
      long lowest = pendingSide == s ? pendingNumber : NONE;
      if (heldOfSide[s] == 0) {
        return lowest;
      }
      for (int i = 0; i < held.length; i++) {
        if (held[i] != null && held[i].channel().stereoIndex() == s && (lowest == NONE || heldNumber[i] < lowest)) {
          lowest = heldNumber[i];
        }
      }
      return lowest;
    }

    private void remember(long number, boolean frame, int side) {
      int slot = (int) (number % HISTORY);
      historyNumber[slot] = number;
      historyFrame[slot] = frame;
      historySide[slot] = (byte) side;
    }

    /**
     * Frames and holes of side {@code s} among the {@code window - 1} numbers either side of
     * {@code h}. While both sides talk they take turns, so the side that lost {@code h} has about two
     * fewer there than the other, whatever the order of the two frames within each tick.
     */
    private int around(int s, long h) {
      int count = 0;
      for (long g = Math.max(base, h - window + 1); g < h; g++) {
        int slot = (int) (g % HISTORY);
        if (historyNumber[slot] == g && historySide[slot] == s) {
          count++;
        }
      }
      for (int i = 0; i < held.length; i++) {
        if (held[i] != null && heldNumber[i] < h + window && held[i].channel().stereoIndex() == s) {
          count++;
        }
      }
      if (pendingSide == s && pendingNumber < h + window) {
        count++;
      }
      return count;
    }

    private int slot(long number) {
      return (int) (number % held.length);
    }
  }
}
