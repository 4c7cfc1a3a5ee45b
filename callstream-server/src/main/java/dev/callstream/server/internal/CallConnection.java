package dev.callstream.server.internal;

import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallInfo;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamException;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.EndReason;
import dev.callstream.core.Secrets;
import dev.callstream.core.Gap;
import dev.callstream.core.Segment;
import dev.callstream.core.SegmentInfo;
import dev.callstream.core.TransportEvent;
import dev.callstream.core.metrics.CallStreamMetrics;
import dev.callstream.server.Dispatch;
import dev.callstream.server.wire.MalformedMessageException;
import dev.callstream.server.wire.Media;
import dev.callstream.server.wire.Start;
import dev.callstream.server.wire.Stop;
import dev.callstream.server.wire.StreamEvent;
import dev.callstream.server.wire.Unknown;
import jakarta.websocket.CloseReason.CloseCode;
import jakarta.websocket.CloseReason.CloseCodes;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.glassfish.tyrus.spi.ReadHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One admitted call: takes decoded events on the connection's read thread, queues them on the call's
 * own {@link SerialLane} and, on the lane, drives the call's {@link WireCall} and listener.
 *
 * <p>Fields are split by thread: the read-side fields are touched only by the connection's read
 * thread (Tyrus delivers one message at a time per connection), the lane-side fields only inside
 * {@link #handle}, which the lane runs one item at a time. {@link #terminate} may run on any thread;
 * the first call decides the call's end reason.
 */
final class CallConnection {
  private static final Logger log = LoggerFactory.getLogger(CallConnection.class);

  /** Malformed messages tolerated per call; the one that reaches this count closes the call with 1007. */
  static final int MALFORMED_LIMIT = 100;
  /** Non-audio events held while a Start secret is awaited. */
  static final int HELD_BEFORE_START = 4;
  /**
   * How far the lane may grow beyond its capacity before the peer is cut off (1008). Reading pauses
   * at the capacity, so only the rest of one read lands beyond it: at most
   * {@link ServerRuntime#READ_BUFFER_BYTES} of messages of at least 16 bytes. A safety net.
   */
  static final int OVERSHOOT_LIMIT = 2 * (ServerRuntime.READ_BUFFER_BYTES / 16);

  private static final Object OPEN = new Object();
  private static final Object FINISH = new Object();
  private static final Object CLOSE_REQUEST = new Object();

  private record Report(CallStreamException error) {}

  private record Termination(EndReason reason, Throwable cause) {}

  private final CallHub runtime;
  private final Session session;
  private final CallInfo info;
  private final String logId;
  private final boolean verifyAtStart;
  private final int laneCapacity;
  private final SerialLane lane;
  private final boolean runOnReadThread;
  /** A servlet container reads the connection: no pausing, a full lane ends the call. */
  private final boolean unpausable;
  private final AtomicReference<Termination> termination = new AtomicReference<>();
  /**
   * Held while our side closes the session and while Tyrus reads the peer's frames
   * ({@link #toTyrus}). Tyrus marks the socket closing before it writes our close frame; a
   * peer's close frame handled in between (the platform closes right after its Stops, just as we
   * close on them) makes Tyrus close the connection at once, and our close frame is never written:
   * the peer sees the connection end without one (1006). Not needed on a container's transport
   * (its own implementation handles the close handshake) but harmless there.
   */
  private final Object closing = new Object();
  private final AtomicBoolean released = new AtomicBoolean();
  volatile long lastActivityNanos = System.nanoTime();

  /** Pauses reading the connection while the lane is full (back-pressure), from either side. */
  final ReadThrottle reads;

  // Read thread only.
  private int malformed;

  // Lane only.
  private WireCall driver;
  private EndTracker tracker;
  private List<Object> held;
  private boolean refused;
  private boolean finished;

  CallConnection(CallHub runtime, Session session, CallInfo info, boolean verifyAtStart, String logId) {
    this.runtime = runtime;
    this.session = session;
    this.info = info;
    this.logId = logId;
    this.verifyAtStart = verifyAtStart;
    this.laneCapacity = runtime.settings().laneCapacity();
    this.lane = new SerialLane(runtime.dispatchPool(), this::handle, "call " + logId);
    // A call resumed after a long pause is not idle: its sender was held back, not silent.
    this.reads = new ReadThrottle(lane::size, laneCapacity, logId, () -> lastActivityNanos = System.nanoTime());
    this.runOnReadThread = runtime.settings().dispatch() == Dispatch.IO_THREAD;
    this.unpausable = runtime.transport() == CallHub.Transport.CONTAINER;
    this.held = verifyAtStart ? new ArrayList<>(HELD_BEFORE_START) : null;
  }

  String logId() {
    return logId;
  }

  /** Whether the call's end has been decided (by either side). Any thread. */
  boolean ending() {
    return termination.get() != null;
  }

  /** Events read and not yet handed to the listener. Any thread. */
  int queued() {
    return lane.size();
  }

  /** Queues the listener's creation, unless the call must first prove itself at Start. */
  void open() {
    if (!verifyAtStart) {
      if (runOnReadThread) {
        // Opened on the I/O thread: creating the listener here too keeps the lane free, so the
        // first messages run inline instead of queueing behind a pool thread.
        lane.addAndRunHere(OPEN);
      } else {
        lane.add(OPEN);
      }
    }
  }

  // ---------------------------------------------------------------- read side

  /** A text message Tyrus decoded (fragmented or split across reads: the uncommon case). */
  void onText(String text) {
    if (!arrived()) {
      return;
    }
    StreamEvent event;
    try {
      event = runtime.settings().codec().decode(text);
    } catch (RuntimeException e) {
      undecodable(e);
      return;
    }
    offer(event);
  }

  /**
   * A whole text frame as read off the wire ({@link FrameReader}); {@code utf8} is only valid during
   * the call. A text frame that is not valid UTF-8 breaks the WebSocket protocol: 1007, as Tyrus does.
   */
  void onText(byte[] utf8, int length, boolean ascii) {
    if (!arrived()) {
      return;
    }
    if (!ascii && !isUtf8(utf8, length)) {
      log.warn("call {}: text message that is not UTF-8; closing with 1007", logId);
      terminate(EndReason.ERROR, new CallStreamException("call " + logId + ": text message that is not UTF-8"),
          CloseCodes.NOT_CONSISTENT, "invalid UTF-8");
      return;
    }
    StreamEvent event;
    try {
      event = runtime.settings().codec().decode(utf8, 0, length);
    } catch (RuntimeException e) {
      undecodable(e);
      return;
    }
    offer(event);
  }

  /** Notes the activity; false once the call is ending (later messages are ignored). */
  private boolean arrived() {
    lastActivityNanos = System.nanoTime();
    return termination.get() == null;
  }

  private void undecodable(RuntimeException e) {
    malformed(e instanceof MalformedMessageException known ? known
        : new MalformedMessageException("undecodable message: " + e.getClass().getSimpleName(), e));
  }

  private static boolean isUtf8(byte[] bytes, int length) {
    try {
      StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, 0, length));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  private void malformed(MalformedMessageException error) {
    malformed++;
    if (malformed <= 3) {
      log.warn("call {}: skipped malformed message ({} so far): {}", logId, malformed, error.getMessage());
    } else {
      log.debug("call {}: skipped malformed message ({} so far): {}", logId, malformed, error.getMessage());
    }
    offer(new Report(error));
    if (malformed >= MALFORMED_LIMIT) {
      log.warn("call {}: {} malformed messages; closing with 1007", logId, malformed);
      terminate(EndReason.ERROR,
          new CallStreamException("call " + logId + ": " + malformed + " malformed messages"),
          CloseCodes.NOT_CONSISTENT, "too many malformed messages");
    }
  }

  private void addFromReadThread(Object item) {
    if (runOnReadThread) {
      lane.addAndRunHere(item);
    } else if (unpausable) {
      lane.add(item);
    } else {
      lane.addFromSelector(item);
    }
  }

  /**
   * Every event and report. Nothing is dropped: once the lane holds its capacity, reading the
   * connection pauses (the sender meets TCP back-pressure) until the lane has drained to half.
   */
  private void offer(Object item) {
    int size = lane.size();
    if (unpausable && size >= laneCapacity) {
      overflow(size);
      return;
    }
    if (size >= laneCapacity + OVERSHOOT_LIMIT) {
      terminate(EndReason.ERROR, new CallStreamException("call " + logId + ": too many queued events"),
          CloseCodes.VIOLATED_POLICY, "too many events");
      return;
    }
    addFromReadThread(item);
    if (!unpausable) {
      reads.queued(size + 1);
    }
  }

  /**
   * The listener fell a whole lane behind and the container's reading cannot be paused: rather than
   * queue without bound or drop an event, the call ends (1011, ERROR), logged and counted.
   */
  private void overflow(int size) {
    if (termination.get() != null) {
      return;
    }
    log.warn("call {}: listener fell behind: {} events queued (queue capacity {}); ending the call with 1011",
        logId, size, laneCapacity);
    runtime.overflowed();
    terminate(EndReason.ERROR, new CallStreamException("call " + logId + ": listener fell behind: " + size
        + " events queued, the queue capacity; the call was ended because the container cannot pause reading"),
        CloseCodes.UNEXPECTED_CONDITION, "listener queue full");
  }

  /** A frame the server refuses: a protocol error (1002), binary (1003) or over the size limit (1009). */
  void refuse(FrameGuard.Violation violation) {
    if (violation == FrameGuard.Violation.PROTOCOL) {
      log.warn("call {}: frame breaking the WebSocket protocol; closing with 1002", logId);
      terminate(EndReason.ERROR, new CallStreamException("call " + logId + ": WebSocket protocol error"),
          CloseCodes.PROTOCOL_ERROR, "protocol error");
    } else if (violation == FrameGuard.Violation.BINARY) {
      log.warn("call {}: binary message refused; closing with 1003", logId);
      terminate(EndReason.ERROR, new CallStreamException("call " + logId + ": binary message (only text is accepted)"),
          CloseCodes.CANNOT_ACCEPT, "binary messages are not accepted");
    } else {
      int max = runtime.settings().maxMessageBytes();
      log.warn("call {}: message over {} bytes; closing with 1009", logId, max);
      terminate(EndReason.ERROR, new CallStreamException("call " + logId + ": message over " + max + " bytes"),
          CloseCodes.TOO_BIG, "message over " + max + " bytes");
    }
  }

  void idleTimeout() {
    if (termination.get() == null) {
      log.info("call {}: no message for {}; closing", logId, runtime.settings().idleTimeout());
    }
    terminate(EndReason.CLOSED,
        new CallStreamException("call " + logId + ": idle for " + runtime.settings().idleTimeout()),
        CloseCodes.GOING_AWAY, "idle timeout");
  }

  void shutdown() {
    terminate(EndReason.SHUTDOWN, null, CloseCodes.GOING_AWAY, "server shutting down");
  }

  /** The connection closed, by the peer or as a result of {@link #terminate}. Any thread. */
  void transportClosed(CloseReason reason) {
    int code = reason == null ? CloseCodes.CLOSED_ABNORMALLY.getCode() : reason.getCloseCode().getCode();
    Throwable cause = code == CloseCodes.NORMAL_CLOSURE.getCode() || code == CloseCodes.GOING_AWAY.getCode()
        ? null
        : new CallStreamException("call " + logId + ": connection closed with code " + code);
    termination.compareAndSet(null, new Termination(EndReason.CLOSED, cause));
    lane.add(FINISH);
  }

  /**
   * Ends the call: the first caller decides the reason the listener gets; the socket is closed with
   * {@code code}. Any thread; idempotent.
   */
  boolean terminate(EndReason reason, Throwable cause, CloseCode code, String phrase) {
    if (!termination.compareAndSet(null, new Termination(reason, cause))) {
      return false;
    }
    log.debug("call {}: closing with {} ({})", logId, code.getCode(), reason.label());
    reads.resumeNow();   // to read the peer's close reply; later messages are ignored
    lane.add(FINISH);
    synchronized (closing) {
      try {
        if (session.isOpen()) {
          session.close(new CloseReason(code, phrase));
        }
      } catch (java.io.IOException | RuntimeException e) {
        log.debug("call {}: close failed: {}", logId, e.toString());
      }
    }
    return true;
  }

  /**
   * Hands the peer's bytes to Tyrus (control frames among them, its close frame too), never while
   * {@link #terminate} is closing the session: see {@link #closing}. Read thread.
   */
  void toTyrus(ReadHandler tyrus, ByteBuffer bytes) {
    synchronized (closing) {
      tyrus.handle(bytes);
    }
  }

  // ---------------------------------------------------------------- lane side

  private void handle(Object item) {
    if (finished) {
      return;
    }
    reads.taken();
    if (item == FINISH) {
      finish();
    } else if (item == OPEN) {
      createListener();
    } else if (item == CLOSE_REQUEST) {
      if (tracker != null && tracker.reason != null) {
        afterDriver();
      } else {
        terminate(EndReason.CLOSED, null, CloseCodes.NORMAL_CLOSURE, "closed by listener");
      }
    } else if (driver == null) {
      beforeListener(item);
    } else {
      deliver(item);
      afterDriver();
    }
  }

  private void beforeListener(Object item) {
    if (!verifyAtStart || refused) {
      return;
    }
    if (item instanceof Start start) {
      boolean approved;
      try {
        approved = runtime.settings().authenticator().onStart(info, start.metadata());
      } catch (RuntimeException e) {
        log.warn("call {}: authenticator failed at Start", logId, e);
        approved = false;
      }
      if (!approved) {
        refuseBeforeListener("not authorized at Start", "unauthorized");
        return;
      }
      createListener();
      if (driver == null) {
        return;
      }
      List<Object> replay = held;
      held = null;
      for (Object earlier : replay) {
        deliver(earlier);
      }
      deliver(start);
      afterDriver();
    } else if (item instanceof Media) {
      refuseBeforeListener("Media before an authorized Start", "unauthorized");
    } else if (held.size() >= HELD_BEFORE_START) {
      refuseBeforeListener("no Start within " + HELD_BEFORE_START + " events", "unauthorized");
    } else {
      held.add(item);
    }
  }

  private void refuseBeforeListener(String why, String phrase) {
    refused = true;
    runtime.rejected(CallStreamMetrics.Rejection.UNAUTHORIZED);
    held = null;
    log.warn("call {}: {}; closing with 1008", logId, why);
    terminate(EndReason.ERROR, new CallStreamException("call " + logId + ": " + why),
        CloseCodes.VIOLATED_POLICY, phrase);
  }

  private void createListener() {
    try {
      CallStreamListener listener = Objects.requireNonNull(
          runtime.settings().listenerFactory().create(info), "listener factory returned null");
      tracker = new EndTracker(listener);
      driver = new WireCall(info, tracker, runtime.settings().reorderWindow(), () -> lane.add(CLOSE_REQUEST));
      log.debug("call {}: listener created", logId);
    } catch (RuntimeException e) {
      refused = true;
      held = null;
      driver = null;
      log.warn("call {}: listener factory failed; closing with 1011", logId, e);
      terminate(EndReason.ERROR, e, CloseCodes.UNEXPECTED_CONDITION, "listener factory failed");
    }
  }

  private void deliver(Object item) {
    if (item instanceof Report report) {
      driver.reportError(report.error());
    } else if (item instanceof Start start) {
      driver.accept(withoutSecret(start));
    } else if (item instanceof Stop stop) {
      driver.accept(withoutSecret(stop));
    } else if (item instanceof Unknown unknown) {
      driver.accept(withoutSecret(unknown));
    } else {
      driver.accept((StreamEvent) item);
    }
  }

  /** Once the driver has ended the call (both Stops, or the listener threw), close the socket to match. */
  private void afterDriver() {
    EndReason reason = tracker.reason;
    if (reason == null) {
      return;
    }
    switch (reason) {
      case STOPPED:
        terminate(reason, tracker.cause, CloseCodes.NORMAL_CLOSURE, "stopped");
        break;
      case ERROR:
        terminate(reason, tracker.cause, CloseCodes.UNEXPECTED_CONDITION, "listener failed");
        break;
      case SHUTDOWN:
        terminate(reason, tracker.cause, CloseCodes.GOING_AWAY, "server shutting down");
        break;
      default:
        terminate(reason, tracker.cause, CloseCodes.NORMAL_CLOSURE, "closed");
        break;
    }
  }

  private void finish() {
    finished = true;
    Termination end = termination.get();
    if (end == null) {
      end = new Termination(EndReason.CLOSED, null);
    }
    if (driver != null) {
      try {
        driver.end(end.reason(), end.cause());
      } catch (RuntimeException e) {
        log.error("call {}: ending the call failed", logId, e);
      }
    }
    held = null;
    log.debug("call {}: ended ({})", logId, end.reason().label());
    int paused = reads.pauses();
    if (paused > 1) {
      log.info("call {}: reading was paused {} times because the listener fell behind", logId, paused);
    }
    release();
  }

  /** Gives the call's slot back; safe to call more than once. */
  void release() {
    if (released.compareAndSet(false, true)) {
      runtime.registry().closed(this);
      runtime.registry().release();
    }
  }

  /**
   * Secret-named metadata fields ({@link Secrets}) are credentials: the listener (and any recording)
   * never sees them, whether or not the authenticator checked one.
   */
  private static Start withoutSecret(Start start) {
    Map<String, Object> metadata = Secrets.withoutSecrets(start.metadata());
    if (metadata == start.metadata()) {
      return start;
    }
    return new Start(start.callId(), start.sessionId(), start.ani(), start.dnis(), start.accountId(),
        start.subaccountId(), start.rcAccountId(), start.agentId(), start.productType(), start.productId(),
        start.contentType(), start.sampleRateHertz(), metadata);
  }

  private static Stop withoutSecret(Stop stop) {
    Map<String, Object> metadata = Secrets.withoutSecrets(stop.metadata());
    return metadata == stop.metadata() ? stop
        : new Stop(stop.channel(), stop.durationSeconds(), stop.endTime(), metadata);
  }

  /** An unknown event's raw JSON with the values of secret-named members masked. */
  private static Unknown withoutSecret(Unknown unknown) {
    String json = Secrets.maskText(unknown.json());
    return json.equals(unknown.json()) ? unknown : new Unknown(unknown.eventName(), json);
  }

  /** Forwards to the user's listener and remembers how the driver ended the call. */
  private static final class EndTracker implements CallStreamListener {
    private final CallStreamListener delegate;
    volatile EndReason reason;
    volatile Throwable cause;

    EndTracker(CallStreamListener delegate) {
      this.delegate = delegate;
    }

    @Override
    public void onStart(CallSession session) {
      delegate.onStart(session);
    }

    @Override
    public void onSegmentStart(CallSession session, Segment segment) {
      delegate.onSegmentStart(session, segment);
    }

    @Override
    public void onAudio(CallSession session, AudioFrame frame) {
      delegate.onAudio(session, frame);
    }

    @Override
    public void onGap(CallSession session, Gap gap) {
      delegate.onGap(session, gap);
    }

    @Override
    public void onSegmentInfo(CallSession session, Segment segment, SegmentInfo info) {
      delegate.onSegmentInfo(session, segment, info);
    }

    @Override
    public void onSegmentStop(CallSession session, Segment segment) {
      delegate.onSegmentStop(session, segment);
    }

    @Override
    public void onTransportEvent(CallSession session, TransportEvent event) {
      delegate.onTransportEvent(session, event);
    }

    @Override
    public void onError(CallSession session, CallStreamException error) {
      delegate.onError(session, error);
    }

    @Override
    public void onEnd(CallSession session, EndReason reason, Throwable cause) {
      this.reason = reason;
      this.cause = cause;
      delegate.onEnd(session, reason, cause);
    }
  }
}
