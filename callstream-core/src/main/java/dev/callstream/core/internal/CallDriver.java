package dev.callstream.core.internal;

import dev.callstream.core.AudioChannel;
import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallInfo;
import dev.callstream.core.CallMetadata;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamException;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.ChannelStats;
import dev.callstream.core.EndReason;
import dev.callstream.core.Gap;
import dev.callstream.core.MalformedEventException;
import dev.callstream.core.Participant;
import dev.callstream.core.Segment;
import dev.callstream.core.SegmentInfo;
import dev.callstream.core.Transport;
import dev.callstream.core.TransportEvent;
import dev.callstream.core.audio.AudioFormat;
import dev.callstream.core.sequence.SegmentTimeline;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport-neutral state machine of one call: a transport feeds it the call's start, its
 * segments, their media (by sequence number), segment info and stops, raw transport events and the
 * end; it sequences each segment, drives the call's listener and guarantees exactly one terminal
 * {@code onEnd}.
 *
 * <h2>For transports</h2>
 * <ol>
 *   <li>{@code new CallDriver(info, factory.create(info), window, closeConnection)} once the call is
 *       admitted.
 *   <li>{@link #start(CallMetadata, Map)} when the call's metadata is known ({@code onStart}).
 *   <li>{@link #segmentStart} per segment: its place on the call timeline is derived here (the later
 *       segment rule: the timeline's current extent).
 *   <li>{@link #media} with the segment's own sequence numbers ({@link #mediaAt} when the transport
 *       computed positions itself), {@link #segmentInfo}, {@link #segmentStop} (flushes that
 *       segment's window first), {@link #transportEvent}, {@link #reportError}.
 *   <li>{@link #end} exactly when the stream is over (STOPPED when every segment stopped and the
 *       stream ended normally); idempotent.
 * </ol>
 * Every input method returns false once the call has ended.
 *
 * <p>Not thread-safe: the caller serializes every call to one driver (on the call's dispatch lane).
 * The {@link #session()} may be read from any thread.
 *
 * <p>A listener that throws (from any callback but {@code onEnd}) ends the call at once: no further
 * callbacks except {@code onEnd(ERROR, thatException)}, and {@code closeConnection} is run. An
 * exception from {@code onEnd} itself is logged and swallowed. If the call is ended from inside a
 * listener callback (for example because {@code closeConnection} synchronously reports the close), the
 * end is carried out as soon as that callback returns.
 */
public final class CallDriver {
  private static final Logger log = LoggerFactory.getLogger(CallDriver.class);

  /** Default reorder window in frames. */
  public static final int DEFAULT_REORDER_WINDOW = 5;

  /** A sequence more than this many frames ahead of the timeline is dropped as late, never gap-filled. */
  public static final int MAX_FORWARD_JUMP = SegmentTimeline.MAX_FORWARD_JUMP;

  /** The largest valid sequence number: sequences are non-negative 32-bit integers. */
  public static final long MAX_SEQUENCE = Integer.MAX_VALUE;

  private final CallInfo info;
  private final CallStreamListener listener;
  private final Runnable closeConnection;
  private final int window;
  private final Session session;
  private final Map<String, Lane> lanes = new LinkedHashMap<>();

  /** Set when the end begins: no event is taken after it. */
  private boolean ending;
  private volatile boolean ended;
  /** Depth of driver methods on the stack, to defer an end requested from inside a callback. */
  private int depth;
  private EndReason deferredReason;
  private Throwable deferredCause;

  /**
   * @param info what was known at admission
   * @param listener the call's listener
   * @param reorderWindow frames to hold for a missing one before declaring a gap (at least 1)
   * @param closeConnection asked to close the transport when the listener calls
   *     {@link CallSession#close()} or throws; may be called more than once
   */
  public CallDriver(CallInfo info, CallStreamListener listener, int reorderWindow, Runnable closeConnection) {
    this.info = Objects.requireNonNull(info, "info");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.closeConnection = Objects.requireNonNull(closeConnection, "closeConnection");
    if (reorderWindow < 1) {
      throw new IllegalArgumentException("reorderWindow < 1: " + reorderWindow);
    }
    this.window = reorderWindow;
    this.session = new Session();
  }

  /** The session handed to the listener (live counters). */
  public CallSession session() {
    return session;
  }

  /** The reorder window in frames. */
  public int reorderWindow() {
    return window;
  }

  // ------------------------------------------------------------------ input

  /**
   * The call's metadata is known: {@code onStart}. A second start is reported as an error and
   * ignored.
   *
   * @param wireDetails the transport's account of the call so far (see {@link CallSession#wireDetails()}), secrets removed
   */
  public boolean start(CallMetadata metadata, Map<String, Object> wireDetails) {
    Objects.requireNonNull(metadata, "metadata");
    return run(() -> {
      if (session.metadata != null) {
        listener.onError(session, new MalformedEventException(
            "second start for call " + LogSafe.id(session.callId()) + " ignored"));
        return;
      }
      session.metadata = metadata;
      if (wireDetails != null) {
        session.wireDetails = snapshot(wireDetails);
      }
      log.debug("call {} started, session {}", LogSafe.id(session.callId()), LogSafe.id(session.sessionId()));
      listener.onStart(session);
    });
  }

  /** Replaces the transport's account of the call (for example after each WebSocket Stop). */
  public void wireDetails(Map<String, Object> wireDetails) {
    session.wireDetails = snapshot(Objects.requireNonNull(wireDetails, "wireDetails"));
  }

  /**
   * A segment starts, numbered by the transport's sequence numbers: its base (the sequence of
   * position 0) is the lowest of its first frames, held within the reorder window before deciding.
   *
   * @return the segment, or null when the id is already taken (reported as an error) or the call ended
   */
  public Segment segmentStart(String id, Participant participant, AudioFormat format) {
    return startSegment(id, participant, format, -1, -1);
  }

  /**
   * A segment starts whose numbering is expected to begin at {@code expectedFirstSequence} (RingCX
   * numbers each segment's chunks from 1). Its first frames are still held to find the base, but when
   * the lowest of them lies at most the reorder window above the expected number, position 0 is the
   * expected number: lost first frames become gaps instead of shifting the whole segment earlier.
   * Numbering that starts elsewhere (below, or far above) is taken from the frames as with
   * {@link #segmentStart(String, Participant, AudioFormat)}.
   */
  public Segment segmentStartExpecting(String id, Participant participant, AudioFormat format,
      long expectedFirstSequence) {
    if (expectedFirstSequence < 0) {
      throw new IllegalArgumentException("expectedFirstSequence < 0: " + expectedFirstSequence);
    }
    return startSegment(id, participant, format, -1, expectedFirstSequence);
  }

  /**
   * A segment starts whose sequence numbers start at {@code firstSequence} (position 0), so a lost
   * first frame becomes a gap.
   */
  public Segment segmentStart(String id, Participant participant, AudioFormat format, long firstSequence) {
    if (firstSequence < 0) {
      throw new IllegalArgumentException("firstSequence < 0: " + firstSequence);
    }
    return startSegment(id, participant, format, firstSequence, -1);
  }

  private Segment startSegment(String id, Participant participant, AudioFormat format, long base,
      long expectedFirst) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(participant, "participant");
    Objects.requireNonNull(format, "format");
    Segment[] created = new Segment[1];
    run(() -> {
      if (lanes.containsKey(id)) {
        listener.onError(session, new MalformedEventException(
            "call " + LogSafe.id(session.callId()) + ": segment " + LogSafe.id(id) + " started twice; ignored"));
        return;
      }
      Segment segment = new Segment(id, participant, format, timelineExtentMillis());
      Lane lane = new Lane(segment, base, expectedFirst);
      lanes.put(id, lane);
      session.publish(List.copyOf(lanes.values()));
      created[0] = segment;
      log.debug("call {} segment {} started at {} ms", LogSafe.id(session.callId()), LogSafe.id(id), segment.startMillis());
      listener.onSegmentStart(session, segment);
      if (!format.encoding().decodable()) {
        listener.onError(session, new CallStreamException("call " + LogSafe.id(session.callId()) + ": segment "
            + LogSafe.id(id) + " is " + format.encoding().codec() + ", delivered as received and not decoded"));
      }
    });
    return created[0];
  }

  /**
   * One frame of a segment by its sequence number. A sequence outside {@code 0..2^31-1} is dropped
   * and counted as late; media for an unknown or stopped segment is reported and dropped.
   */
  public boolean media(String segmentId, long sequence, byte[] payload) {
    Objects.requireNonNull(payload, "payload");
    return run(() -> {
      Lane lane = laneFor(segmentId, "media");
      if (lane != null) {
        lane.media(sequence, payload);
      }
    });
  }

  /**
   * One frame of a segment at a position the transport computed itself ({@code position} 0 is the
   * segment's first slot; negative counts the frame as late). {@code sequence} is only passed on.
   */
  public boolean mediaAt(String segmentId, long position, long sequence, byte[] payload) {
    Objects.requireNonNull(payload, "payload");
    return run(() -> {
      Lane lane = laneFor(segmentId, "media");
      if (lane != null) {
        lane.timeline.accept(position, sequence, payload);
      }
    });
  }

  /**
   * The timeline of a started segment, for a transport that sequences some segments itself (the
   * WebSocket per-connection numbering spans both segments): what it releases reaches the listener.
   * Call its methods only inside {@link #guard}, so that a listener failure ends the call.
   *
   * @return the timeline, or null when no segment has this id
   */
  public SegmentTimeline timeline(String segmentId) {
    Lane lane = lanes.get(segmentId);
    return lane == null ? null : lane.timeline;
  }

  /**
   * Runs one step of the transport that may call back the listener (through a
   * {@link #timeline(String)}) with the driver's guarantees: a listener that throws ends the call
   * with ERROR, an end requested from inside a callback waits for it.
   *
   * @return false once the call has ended (the step is not run)
   */
  public boolean guard(Runnable step) {
    Objects.requireNonNull(step, "step");
    return run(step::run);
  }

  /** Counts a frame of a segment that the transport dropped as late before it had a position. */
  public boolean dropLate(String segmentId) {
    return run(() -> {
      Lane lane = lanes.get(segmentId);
      if (lane != null) {
        lane.timeline.dropLate();
      }
    });
  }

  /** An info event (hold, unhold...) of a segment. */
  public boolean segmentInfo(String segmentId, SegmentInfo segmentInfo) {
    Objects.requireNonNull(segmentInfo, "segmentInfo");
    return run(() -> {
      Lane lane = laneFor(segmentId, "segment info");
      if (lane != null) {
        listener.onSegmentInfo(session, lane.segment, segmentInfo);
      }
    });
  }

  /**
   * Delivers every frame a segment's window holds (missing ones become gaps): frames received so far
   * reach the listener before whatever the transport delivers next.
   */
  public boolean flush(String segmentId) {
    return run(() -> {
      Lane lane = lanes.get(segmentId);
      if (lane != null) {
        lane.flush();
      }
    });
  }

  /** A segment ends: its window is flushed, then {@code onSegmentStop}. A second stop is ignored. */
  public boolean segmentStop(String segmentId) {
    return run(() -> {
      Lane lane = laneFor(segmentId, "segment stop");
      if (lane == null || lane.stopped) {
        return;
      }
      lane.flush();
      lane.stopped = true;
      listener.onSegmentStop(session, lane.segment);
    });
  }

  /** True when at least one segment started and every started segment stopped. */
  public boolean allSegmentsStopped() {
    if (lanes.isEmpty()) {
      return false;
    }
    for (Lane lane : lanes.values()) {
      if (!lane.stopped) {
        return false;
      }
    }
    return true;
  }

  /** True when a segment with this id started and has not stopped. */
  public boolean isActive(String segmentId) {
    Lane lane = lanes.get(segmentId);
    return lane != null && !lane.stopped;
  }

  /** A raw transport event: {@code onTransportEvent}. */
  public boolean transportEvent(TransportEvent event) {
    Objects.requireNonNull(event, "event");
    return run(() -> listener.onTransportEvent(session, event));
  }

  /** Reports a non-fatal problem (a skipped malformed message, dropped frames) to the listener. */
  public boolean reportError(CallStreamException error) {
    Objects.requireNonNull(error, "error");
    return run(() -> listener.onError(session, error));
  }

  /**
   * Ends the call if it has not ended: flushes every segment's held frames (missing ones become
   * gaps), then {@code onEnd(reason, cause)}. Idempotent: only the first end counts.
   */
  public void end(EndReason reason, Throwable cause) {
    Objects.requireNonNull(reason, "reason");
    if (ending) {
      return;
    }
    if (depth > 0) {
      // called from inside a listener callback: finish that callback first
      if (deferredReason == null) {
        deferredReason = reason;
        deferredCause = cause;
      }
      return;
    }
    ending = true;
    EndReason finalReason = reason;
    Throwable finalCause = cause;
    depth++;
    try {
      for (Lane lane : lanes.values()) {
        lane.flush();
      }
    } catch (Throwable t) {
      finalReason = EndReason.ERROR;
      finalCause = t;
      runCloseConnection();
    } finally {
      depth--;
    }
    finish(finalReason, finalCause);
  }

  /** True once {@code onEnd} has been called. */
  public boolean ended() {
    return ended;
  }

  // ------------------------------------------------------------------ internals

  private interface Step {
    void run();
  }

  private boolean run(Step step) {
    if (ending) {
      return false;
    }
    depth++;
    try {
      step.run();
    } catch (Throwable t) {
      listenerFailed(t);
    } finally {
      depth--;
    }
    runDeferredEnd();
    return !ending;
  }

  private Lane laneFor(String segmentId, String what) {
    Lane lane = segmentId == null ? null : lanes.get(segmentId);
    if (lane == null) {
      listener.onError(session, new MalformedEventException("call " + LogSafe.id(session.callId()) + ": " + what
          + " for unknown segment " + LogSafe.id(String.valueOf(segmentId)) + "; dropped"));
      return null;
    }
    if (lane.stopped) {
      lane.timeline.dropLate();
      listener.onError(session, new MalformedEventException("call " + LogSafe.id(session.callId()) + ": " + what
          + " for stopped segment " + LogSafe.id(segmentId) + "; dropped"));
      return null;
    }
    return lane;
  }

  /**
   * The call timeline's current extent: max over started segments of start + (highest position
   * received + 1) * ptime, counting frames still held (in the reorder window or for base detection)
   * as well as delivered ones.
   */
  private long timelineExtentMillis() {
    long extent = 0;
    for (Lane lane : lanes.values()) {
      long highest = lane.highestReceived();
      long end = lane.segment.startMillis() + (highest + 1) * lane.segment.format().ptimeMillis();
      extent = Math.max(extent, end);
    }
    return extent;
  }

  private static Map<String, Object> snapshot(Map<String, Object> details) {
    return Collections.unmodifiableMap(new LinkedHashMap<>(details));
  }

  private void runDeferredEnd() {
    if (depth == 0 && deferredReason != null && !ending) {
      EndReason reason = deferredReason;
      Throwable cause = deferredCause;
      deferredReason = null;
      deferredCause = null;
      end(reason, cause);
    }
  }

  private void listenerFailed(Throwable t) {
    if (ending) {
      return;
    }
    ending = true;
    log.debug("call {} listener failed, ending the call", LogSafe.id(session.callId()), t);
    runCloseConnection();
    finish(EndReason.ERROR, t);
  }

  private void finish(EndReason reason, Throwable cause) {
    ended = true;
    log.debug("call {} ended: {}", LogSafe.id(session.callId()), reason.label());
    try {
      listener.onEnd(session, reason, cause);
    } catch (Throwable t) {
      log.warn("listener onEnd threw for call {}; ignored", LogSafe.id(session.callId()), t);
    }
  }

  private void runCloseConnection() {
    try {
      closeConnection.run();
    } catch (RuntimeException e) {
      log.warn("closing the connection of call {} failed", LogSafe.id(session.callId()), e);
    }
  }

  /** Swallows what a trial timeline releases. */
  private static final SegmentTimeline.Output DISCARD = new SegmentTimeline.Output() {
    @Override
    public void frame(long position, long sequence, byte[] payload) {}

    @Override
    public void gap(long fromPosition, int frameCount) {}
  };

  /** One segment's sequencing: base detection from its first frames (unless given), then its timeline. */
  private final class Lane implements SegmentTimeline.Output {
    final Segment segment;
    final SegmentTimeline timeline;
    /** The sequence of position 0, or -1 while the first frames are held to find it. */
    long base;
    /** The sequence the sender is expected to start from, or -1 when nothing is expected. */
    final long expectedFirst;
    long[] initialSequence;
    byte[][] initialPayload;
    int initialCount;
    boolean stopped;

    Lane(Segment segment, long base, long expectedFirst) {
      this.segment = segment;
      this.base = base;
      this.expectedFirst = expectedFirst;
      this.timeline = new SegmentTimeline(window, this);
      if (base < 0) {
        initialSequence = new long[window + 1];
        initialPayload = new byte[window + 1][];
      }
    }

    void media(long sequence, byte[] payload) {
      if (sequence < 0 || sequence > MAX_SEQUENCE) {
        timeline.dropLate();
        return;
      }
      if (base < 0) {
        initialSequence[initialCount] = sequence;
        initialPayload[initialCount] = payload;
        initialCount++;
        if (initialCount == initialSequence.length) {
          decideBase();
        }
        return;
      }
      timeline.accept(sequence - base, sequence, payload);
    }

    /**
     * The highest position received, -1 before the first frame. While the first frames are held to
     * find the base, it is what the timeline would take if the base were decided now (the lowest
     * sequence held so far): a frame that jumps absurdly far ahead counts as late there too, so it
     * cannot push a later segment's start out by hours.
     */
    long highestReceived() {
      if (base >= 0 || initialCount == 0) {
        return timeline.highestPosition();
      }
      long min = baseOfHeld();
      SegmentTimeline trial = new SegmentTimeline(window, DISCARD);
      for (int i = 0; i < initialCount; i++) {
        trial.accept(initialSequence[i] - min, initialSequence[i], initialPayload[i]);
      }
      return trial.highestPosition();
    }

    void flush() {
      if (base < 0 && initialCount > 0) {
        decideBase();
      }
      timeline.flush();
    }

    /** The base the held first frames give: their lowest sequence, or the expected first one just below it. */
    private long baseOfHeld() {
      long min = Long.MAX_VALUE;
      for (int i = 0; i < initialCount; i++) {
        min = Math.min(min, initialSequence[i]);
      }
      boolean firstFramesLost = expectedFirst >= 0 && min >= expectedFirst && min - expectedFirst <= window;
      return firstFramesLost ? expectedFirst : min;
    }

    private void decideBase() {
      base = baseOfHeld();
      long[] sequences = initialSequence;
      byte[][] payloads = initialPayload;
      int count = initialCount;
      initialSequence = null;
      initialPayload = null;
      initialCount = 0;
      for (int i = 0; i < count; i++) {
        timeline.accept(sequences[i] - base, sequences[i], payloads[i]);
      }
    }

    @Override
    public void frame(long position, long sequence, byte[] payload) {
      listener.onAudio(session, new AudioFrame(segment, position, sequence, payload));
    }

    @Override
    public void gap(long fromPosition, int frameCount) {
      if (log.isDebugEnabled()) {
        log.debug("call {} segment {} gap of {} frames at position {}", LogSafe.id(session.callId()),
            LogSafe.id(segment.id()), frameCount, fromPosition);
      }
      listener.onGap(session, new Gap(segment, fromPosition, frameCount));
    }
  }

  /** The listener's view of the call; fields are written on the dispatch lane and read from anywhere. */
  private final class Session implements CallSession {
    volatile CallMetadata metadata;
    volatile List<Segment> segments = List.of();
    /** The lanes in start order, published for readers on other threads (the map is lane-only). */
    volatile List<Lane> published = List.of();
    volatile Map<String, Object> wireDetails = Map.of();

    void publish(List<Lane> all) {
      List<Segment> list = new ArrayList<>(all.size());
      for (Lane lane : all) {
        list.add(lane.segment);
      }
      published = all;
      segments = List.copyOf(list);
    }

    @Override
    public Transport transport() {
      return info.transport();
    }

    @Override
    public CallInfo info() {
      return info;
    }

    @Override
    public CallMetadata metadata() {
      return metadata;
    }

    @Override
    public String callId() {
      CallMetadata m = metadata;
      if (m != null && m.callId() != null) {
        return m.callId();
      }
      return info.callId() != null ? info.callId() : "unknown";
    }

    @Override
    public String sessionId() {
      CallMetadata m = metadata;
      if (m != null && m.sessionId() != null) {
        return m.sessionId();
      }
      return info.sessionId() != null ? info.sessionId() : "unknown";
    }

    @Override
    public List<Segment> segments() {
      return segments;
    }

    @Override
    public Segment segment(String id) {
      for (Segment segment : segments) {
        if (segment.id().equals(id)) {
          return segment;
        }
      }
      return null;
    }

    @Override
    public ChannelStats stats(AudioChannel side) {
      Objects.requireNonNull(side, "side");
      long frames = 0;
      long gaps = 0;
      long duplicates = 0;
      long late = 0;
      long reordered = 0;
      for (Segment segment : segments) {
        if (segment.channel() == side) {
          ChannelStats s = stats(segment);
          frames += s.frames();
          gaps += s.gaps();
          duplicates += s.duplicates();
          late += s.late();
          reordered += s.reordered();
        }
      }
      return new ChannelStats(frames, gaps, duplicates, late, reordered);
    }

    @Override
    public ChannelStats stats(Segment segment) {
      Objects.requireNonNull(segment, "segment");
      for (Lane lane : published) {
        if (lane.segment == segment) {
          return lane.timeline.stats();
        }
      }
      return ChannelStats.ZERO;
    }

    @Override
    public Map<String, Object> wireDetails() {
      return wireDetails;
    }

    @Override
    public void close() {
      runCloseConnection();
    }

    @Override
    public String toString() {
      // often logged by listeners: peer-controlled ids made single-line
      return "CallSession[" + info.transport().label() + ", callId=" + LogSafe.id(callId())
          + ", sessionId=" + LogSafe.id(sessionId()) + "]";
    }
  }
}
