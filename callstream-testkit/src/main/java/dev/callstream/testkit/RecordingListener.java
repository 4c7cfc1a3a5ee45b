package dev.callstream.testkit;

import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallInfo;
import dev.callstream.core.CallMetadata;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamException;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.EndReason;
import dev.callstream.core.Gap;
import dev.callstream.core.Segment;
import dev.callstream.core.SegmentInfo;
import dev.callstream.core.TransportEvent;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link CallStreamListener.Factory} that records every callback of every call into one bounded
 * queue, for tests to verify with blocking {@code take...} calls, in the style of OkHttp's
 * {@code MockWebServer}:
 *
 * <pre>{@code
 * RecordingListener recorder = new RecordingListener();
 * // ... start a server with recorder as its listener factory, play a call ...
 * recorder.takeTransportEvent();                        // WebSocket: Connected
 * recorder.takeTransportEvent();                        // and the raw Start
 * assertThat(recorder.takeStart().callId()).isEqualTo("call-1");
 * RecordedEvent.OnEnd end = recorder.awaitEnd("call-1", Duration.ofSeconds(5));
 * assertThat(end.reason()).isEqualTo(EndReason.STOPPED);
 * }</pre>
 *
 * <p>The {@code take...} methods take the next event of the queue and throw {@link AssertionError}
 * when it is of another kind or none arrives in time (default 10 s). With several concurrent calls
 * the queue interleaves them; use {@link #take(Duration)} and {@link #awaitEnd} there.
 *
 * <p>Thread-safe. The queue is bounded ({@code capacity}); callbacks never block the server: events
 * that do not fit are counted and make every later {@code take} and {@link #assertExhausted()} fail,
 * so a test cannot silently miss them. Audio can be left out of the queue for load tests.
 */
public final class RecordingListener implements CallStreamListener.Factory {
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  private final BlockingQueue<RecordedEvent> events;
  private final boolean recordAudio;
  private final Duration timeout;
  private final AtomicLong overflowed = new AtomicLong();
  private final AtomicInteger calls = new AtomicInteger();
  private final Map<String, RecordedEvent.OnEnd> ends = new ConcurrentHashMap<>();

  /** Records everything, audio included, in a queue of 100,000 events. */
  public RecordingListener() {
    this(100_000, true, DEFAULT_TIMEOUT);
  }

  /**
   * @param capacity the queue's bound
   * @param recordAudio false to leave {@code onAudio} events out of the queue (load tests)
   * @param timeout how long the {@code take...} methods without a timeout wait
   */
  public RecordingListener(int capacity, boolean recordAudio, Duration timeout) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity <= 0: " + capacity);
    }
    this.events = new ArrayBlockingQueue<>(capacity);
    this.recordAudio = recordAudio;
    this.timeout = timeout;
  }

  @Override
  public CallStreamListener create(CallInfo info) {
    calls.incrementAndGet();
    return new Recorder();
  }

  /** How many calls this factory created listeners for. */
  public int calls() {
    return calls.get();
  }

  /** The next event of any kind, waiting up to {@code timeout}; AssertionError when none comes. */
  public RecordedEvent take(Duration timeout) {
    checkOverflow();
    RecordedEvent event;
    try {
      event = events.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for an event", e);
    }
    if (event == null) {
      throw new AssertionError("no event within " + timeout);
    }
    return event;
  }

  /** The next event, which must be a {@code type}. */
  public <T extends RecordedEvent> T take(Class<T> type, Duration timeout) {
    RecordedEvent event = take(timeout);
    if (!type.isInstance(event)) {
      throw new AssertionError("expected " + type.getSimpleName() + " but was " + event);
    }
    return type.cast(event);
  }

  /** The next event, which must be {@code onStart}; returns the call's metadata. */
  public CallMetadata takeStart() {
    return take(RecordedEvent.OnStart.class, timeout).metadata();
  }

  /** The next event, which must be {@code onSegmentStart}. */
  public Segment takeSegmentStart() {
    return take(RecordedEvent.OnSegmentStart.class, timeout).segment();
  }

  /** The next event, which must be {@code onAudio}. */
  public AudioFrame takeAudio() {
    return take(RecordedEvent.OnAudio.class, timeout).frame();
  }

  /** The next event, which must be {@code onGap}. */
  public Gap takeGap() {
    return take(RecordedEvent.OnGap.class, timeout).gap();
  }

  /** The next event, which must be {@code onSegmentInfo}. */
  public SegmentInfo takeSegmentInfo() {
    return take(RecordedEvent.OnSegmentInfo.class, timeout).info();
  }

  /** The next event, which must be {@code onSegmentStop}. */
  public Segment takeSegmentStop() {
    return take(RecordedEvent.OnSegmentStop.class, timeout).segment();
  }

  /** The next event, which must be {@code onTransportEvent}. */
  public TransportEvent takeTransportEvent() {
    return take(RecordedEvent.OnTransportEvent.class, timeout).event();
  }

  /**
   * The next event, which must be {@code onTransportEvent} with an event of {@code type} (for
   * example the WebSocket {@code dev.callstream.server.wire.Stop}).
   */
  public <T extends TransportEvent> T takeTransportEvent(Class<T> type) {
    TransportEvent event = takeTransportEvent();
    if (!type.isInstance(event)) {
      throw new AssertionError("expected a " + type.getSimpleName() + " transport event but was " + event);
    }
    return type.cast(event);
  }

  /** The next event, which must be {@code onError}. */
  public CallStreamException takeError() {
    return take(RecordedEvent.OnError.class, timeout).error();
  }

  /** The next event, which must be {@code onEnd}. */
  public RecordedEvent.OnEnd takeEnd() {
    return take(RecordedEvent.OnEnd.class, timeout);
  }

  /**
   * Waits until call {@code callId} has ended and returns its terminal event, without consuming the
   * queue (it works for any number of concurrent calls).
   */
  public RecordedEvent.OnEnd awaitEnd(String callId, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (ends) {
      RecordedEvent.OnEnd end;
      while ((end = ends.get(callId)) == null) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("call " + callId + " did not end within " + timeout);
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(ends, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted while waiting for call " + callId, e);
        }
      }
      return end;
    }
  }

  /** Removes and returns the queued events (for tests that count rather than step). */
  public java.util.List<RecordedEvent> drain() {
    checkOverflow();
    java.util.List<RecordedEvent> drained = new java.util.ArrayList<>();
    events.drainTo(drained);
    return drained;
  }

  /** Fails when any event is still queued or was lost to overflow. */
  public void assertExhausted() {
    checkOverflow();
    RecordedEvent next = events.peek();
    if (next != null) {
      throw new AssertionError("expected no more events but got " + next + " (and " + (events.size() - 1) + " more)");
    }
  }

  private void checkOverflow() {
    long lost = overflowed.get();
    if (lost > 0) {
      throw new AssertionError(lost + " event(s) did not fit in the recording queue (capacity "
          + (events.size() + events.remainingCapacity()) + ")");
    }
  }

  private void record(RecordedEvent event) {
    if (!events.offer(event)) {
      overflowed.incrementAndGet();
    }
  }

  private final class Recorder implements CallStreamListener {
    @Override
    public void onStart(CallSession session) {
      record(new RecordedEvent.OnStart(session.callId(), session, session.metadata()));
    }

    @Override
    public void onSegmentStart(CallSession session, Segment segment) {
      record(new RecordedEvent.OnSegmentStart(session.callId(), session, segment));
    }

    @Override
    public void onAudio(CallSession session, AudioFrame frame) {
      if (recordAudio) {
        record(new RecordedEvent.OnAudio(session.callId(), session, frame));
      }
    }

    @Override
    public void onGap(CallSession session, Gap gap) {
      record(new RecordedEvent.OnGap(session.callId(), session, gap));
    }

    @Override
    public void onSegmentInfo(CallSession session, Segment segment, SegmentInfo info) {
      record(new RecordedEvent.OnSegmentInfo(session.callId(), session, segment, info));
    }

    @Override
    public void onSegmentStop(CallSession session, Segment segment) {
      record(new RecordedEvent.OnSegmentStop(session.callId(), session, segment));
    }

    @Override
    public void onTransportEvent(CallSession session, TransportEvent event) {
      record(new RecordedEvent.OnTransportEvent(session.callId(), session, event));
    }

    @Override
    public void onError(CallSession session, CallStreamException error) {
      record(new RecordedEvent.OnError(session.callId(), session, error));
    }

    @Override
    public void onEnd(CallSession session, EndReason reason, Throwable cause) {
      RecordedEvent.OnEnd end = new RecordedEvent.OnEnd(session.callId(), session, reason, cause);
      record(end);
      synchronized (ends) {
        ends.put(end.callId(), end);
        ends.notifyAll();
      }
    }
  }
}
