package dev.callstream.grpc.internal;

import com.google.protobuf.Empty;
import dev.callstream.core.CallInfo;
import dev.callstream.core.CallStreamException;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.EndReason;
import dev.callstream.core.MalformedEventException;
import dev.callstream.core.Segment;
import dev.callstream.core.SegmentInfo;
import dev.callstream.core.audio.AudioFormat;
import dev.callstream.core.internal.CallDriver;
import dev.callstream.core.internal.LogSafe;
import dev.callstream.grpc.GrpcTransportEvent;
import dev.callstream.grpc.proto.SegmentInfoEvent;
import dev.callstream.grpc.proto.SegmentMediaEvent;
import dev.callstream.grpc.proto.SegmentStartEvent;
import dev.callstream.grpc.proto.SegmentStopEvent;
import dev.callstream.grpc.proto.StreamEvent;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One RingCX stream: the gRPC call's listener on the transport side, and the owner of the call's
 * {@link CallDriver} on its {@link SerialLane}.
 *
 * <h2>Flow control</h2>
 * Automatic inbound flow control is off (a raw {@link ServerCall} requests nothing by itself): the
 * call requests {@code callBuffer} messages when it opens; the lane counts the messages it has
 * handled and gives them back as credit in batches of half the buffer. So at most
 * {@code callBuffer} messages wait for the listener (requested and not yet handled never exceeds
 * it); while it is slow gRPC stops reading the stream, the HTTP/2 window fills and the client's
 * {@code isReady()} turns false. Nothing is dropped. Batching matters for cost: a request from the
 * lane's thread is a task (and a wake-up) on the Netty event loop, and one per message was a
 * measurable part of each message's CPU time at real-time rates.
 *
 * <h2>Threads</h2>
 * gRPC callbacks ({@code onMessage}, {@code onHalfClose}, {@code onCancel}) only queue work on the
 * lane; everything touching the driver runs there. Calls to the {@link ServerCall} are serialized by
 * {@link #rpcLock} (it is not thread-safe).
 */
final class GrpcCall extends ServerCall.Listener<Inbound> {
  private static final Logger log = LoggerFactory.getLogger(GrpcCall.class);
  /** Segments one call may start: far beyond a real call's participants, a bound for a hostile peer. */
  static final int MAX_SEGMENTS = 256;

  private final ServerCall<Inbound, Empty> call;
  private final CallInfo info;
  private final CloseStatusTracer tracer;
  private final GrpcRuntime runtime;
  private final GrpcSettings settings;
  private final SerialLane lane;
  private final Object rpcLock = new Object();
  private final AtomicBoolean finished = new AtomicBoolean();

  private volatile long lastActivityNanos = System.nanoTime();

  // rpcLock
  private boolean rpcClosed;

  // lane only
  private CallDriver driver;
  private boolean dialogStarted;
  private String sessionId = "";
  private int malformed;
  private final Map<String, AudioFormat> formats = new HashMap<>();
  private final Set<String> refused = new HashSet<>();
  /** Messages handled and not yet requested again (lane only); requested once it reaches {@link #creditBatch}. */
  private int credit;
  private final int creditBatch;

  GrpcCall(ServerCall<Inbound, Empty> call, CallInfo info, CloseStatusTracer tracer, GrpcRuntime runtime) {
    this.call = call;
    this.info = info;
    this.tracer = tracer;
    this.runtime = runtime;
    this.settings = runtime.settings();
    this.lane = new SerialLane(runtime.lanes());
    this.creditBatch = Math.max(1, settings.callBuffer() / 2);
  }

  /** Creates the listener on the lane and opens the flow-control window. */
  void open() {
    lane.submit(this::create);
    request(settings.callBuffer());
  }

  // ---- gRPC callbacks (transport threads): queue only ----

  @Override
  public void onMessage(Inbound event) {
    lastActivityNanos = System.nanoTime();
    lane.submit(() -> handle(event));
  }

  @Override
  public void onHalfClose() {
    lastActivityNanos = System.nanoTime();
    lane.submit(this::halfClosed);
  }

  @Override
  public void onCancel() {
    lane.submit(this::cancelled);
  }

  // ---- control from the runtime ----

  /** True when no message came for the idle timeout and nothing is queued or running. */
  boolean idle(long nowNanos, long idleNanos) {
    return nowNanos - lastActivityNanos > idleNanos && !lane.busy();
  }

  void idleTimeout() {
    lane.submit(() -> {
      if (!live()) {
        return;
      }
      String message = "no event for " + settings.idleTimeout().toSeconds() + " s: call "
          + callId() + " closed";
      log.warn(message);
      driver.reportError(new CallStreamException(message));
      endAndClose(EndReason.CLOSED, null, Status.CANCELLED.withDescription("idle: " + message));
    });
  }

  void shutdown() {
    lane.submit(() -> {
      if (!live()) {
        return;
      }
      endAndClose(EndReason.SHUTDOWN, null, Status.UNAVAILABLE.withDescription("server shutting down"));
    });
  }

  // ---- lane ----

  private void create() {
    CallStreamListener listener;
    try {
      listener = settings.listenerFactory().create(info);
      if (listener == null) {
        throw new NullPointerException("the listener factory returned null");
      }
    } catch (Throwable t) {
      log.warn("listener factory failed; stream refused", t);
      closeRpc(Status.INTERNAL.withDescription("the receiver could not take the call"));
      finish();
      return;
    }
    driver = new CallDriver(info, listener, settings.reorderWindow(), this::closedByReceiver);
  }

  private boolean live() {
    return driver != null && !driver.ended();
  }

  private void handle(Inbound inbound) {
    if (!live()) {
      return;
    }
    if (inbound.fastMedia()) {
      media(inbound.segmentId, inbound.seq, inbound.payload);
    } else {
      handle(inbound.event);
    }
    afterTask();
    if (live() && ++credit >= creditBatch) {
      request(credit);
      credit = 0;
    }
  }

  private void handle(StreamEvent event) {
    switch (event.getEventCase()) {
      case SEGMENT_MEDIA:
        SegmentMediaEvent media = event.getSegmentMedia();
        media(media.getSegmentId(), Integer.toUnsignedLong(media.getAudioContent().getSeq()),
            media.getAudioContent().getPayload().toByteArray());
        break;
      case DIALOG_INIT:
        dialogInit(event);
        break;
      case SEGMENT_START:
        segmentStart(event);
        break;
      case SEGMENT_INFO:
        segmentInfo(event);
        break;
      case SEGMENT_STOP:
        segmentStop(event);
        break;
      default:
        malformed("an event this version does not know (empty or unknown oneof case): skipped");
        if (live()) {
          driver.transportEvent(new GrpcTransportEvent(event));
        }
    }
  }

  private void dialogInit(StreamEvent event) {
    if (dialogStarted) {
      malformed("a second DialogInit: ignored");
      return;
    }
    dialogStarted = true;
    sessionId = event.getSessionId();
    driver.start(ProtoMapping.metadata(event.getDialogInit(), sessionId),
        ProtoMapping.wireDetails(event.getDialogInit()));
    if (live()) {
      log.debug("call {} started, session {}", callId(), LogSafe.id(sessionId));
      driver.transportEvent(new GrpcTransportEvent(event));
    }
  }

  private void segmentStart(StreamEvent event) {
    SegmentStartEvent start = event.getSegmentStart();
    String id = start.getSegmentId();
    if (!dialogStarted) {
      malformed("SegmentStart of segment " + LogSafe.id(id) + " before DialogInit: ignored");
      return;
    }
    if (id.isEmpty()) {
      malformed("SegmentStart without a segment_id: ignored");
      return;
    }
    if (formats.containsKey(id) || refused.contains(id)) {
      malformed("a second SegmentStart of segment " + LogSafe.id(id) + ": ignored");
      return;
    }
    if (formats.size() + refused.size() >= MAX_SEGMENTS) {
      malformed("SegmentStart of segment " + LogSafe.id(id) + " beyond " + MAX_SEGMENTS
          + " segments: ignored");
      return;
    }
    AudioFormat format;
    try {
      format = ProtoMapping.format(start);
    } catch (IllegalArgumentException e) {
      refused.add(id);
      malformed("segment " + LogSafe.id(id) + " refused, its media will be dropped: " + e.getMessage());
      return;
    }
    // RingCX numbers each segment's chunks from 1: a lost first chunk is a gap, not a shift
    Segment segment = driver.segmentStartExpecting(id, ProtoMapping.participant(start), format, 1);
    if (segment == null) {
      return; // reported by the driver
    }
    // an undecodable codec (OPUS, FLAC) is reported once by the driver itself
    formats.put(id, format);
    if (live()) {
      driver.transportEvent(new GrpcTransportEvent(event));
    }
  }

  private void media(String id, long seq, byte[] payload) {
    if (!dialogStarted) {
      malformed("SegmentMedia of segment " + LogSafe.id(id) + " before DialogInit: dropped");
      return;
    }
    if (refused.contains(id)) {
      return; // its refusal was reported once, at its SegmentStart
    }
    AudioFormat format = formats.get(id);
    if (format == null) {
      malformed("SegmentMedia of unknown segment " + LogSafe.id(id) + ": dropped");
      return;
    }
    int size = payload.length;
    if (size == 0) {
      malformed("SegmentMedia of segment " + LogSafe.id(id) + " seq " + seq + " with an empty payload: dropped");
      return;
    }
    if (format.encoding().decodable()) {
      int bytesPerSample = format.encoding().bytesPerSample();
      long frameBytes = (long) format.samplesPerFrame() * bytesPerSample;
      if (size > 4 * frameBytes) {
        malformed("SegmentMedia of segment " + LogSafe.id(id) + " seq " + seq + " with " + size
            + " bytes, more than 4 frames of " + format.ptimeMillis() + " ms: dropped");
        return;
      }
      if (size % bytesPerSample != 0) {
        malformed("SegmentMedia of segment " + LogSafe.id(id) + " seq " + seq + " with " + size
            + " bytes, not whole " + bytesPerSample + "-byte samples: dropped");
        return;
      }
    }
    driver.media(id, seq, payload);
  }

  private void segmentInfo(StreamEvent event) {
    SegmentInfoEvent segmentInfo = event.getSegmentInfo();
    String id = segmentInfo.getSegmentId();
    if (!known(id, "SegmentInfo")) {
      return;
    }
    driver.segmentInfo(id, new SegmentInfo(segmentInfo.getEvent(),
        segmentInfo.hasData() ? segmentInfo.getData() : null));
    if (live()) {
      driver.transportEvent(new GrpcTransportEvent(event));
    }
  }

  private void segmentStop(StreamEvent event) {
    SegmentStopEvent stop = event.getSegmentStop();
    String id = stop.getSegmentId();
    if (!known(id, "SegmentStop")) {
      return;
    }
    driver.segmentStop(id);
    if (live()) {
      driver.transportEvent(new GrpcTransportEvent(event));
    }
  }

  private boolean known(String id, String what) {
    if (!dialogStarted) {
      malformed(what + " of segment " + LogSafe.id(id) + " before DialogInit: ignored");
      return false;
    }
    if (refused.contains(id)) {
      return false;
    }
    if (!formats.containsKey(id)) {
      malformed(what + " of unknown segment " + LogSafe.id(id) + ": ignored");
      return false;
    }
    return true;
  }

  /** A skipped event: logged and reported; too many of them end the call. */
  private void malformed(String what) {
    malformed++;
    String message = "call " + callId() + ": " + what;
    if (malformed <= settings.maxMalformedEvents()) {
      log.warn(message);
    }
    driver.reportError(new MalformedEventException(message));
    if (malformed >= settings.maxMalformedEvents() && live()) {
      String limit = "call " + callId() + ": " + malformed + " malformed events, closing the call";
      log.warn(limit);
      endAndClose(EndReason.ERROR, new MalformedEventException(limit),
          Status.INVALID_ARGUMENT.withDescription("too many malformed events"));
    }
  }

  private void halfClosed() {
    if (!live()) {
      afterTask();
      return;
    }
    EndReason reason = driver.allSegmentsStopped() ? EndReason.STOPPED : EndReason.CLOSED;
    driver.end(reason, null);
    // The RPC completes only after onEnd: a client that sees OK knows the call was fully handled.
    synchronized (rpcLock) {
      if (!rpcClosed) {
        rpcClosed = true;
        try {
          call.sendHeaders(new Metadata());
          call.sendMessage(Empty.getDefaultInstance());
          call.close(Status.OK, new Metadata());
        } catch (RuntimeException e) {
          log.debug("call {}: completing the RPC failed (already cancelled?)", callId(), e);
        }
      }
    }
    afterTask();
  }

  private void cancelled() {
    if (!live()) {
      afterTask();
      return;
    }
    Status status = tracer == null ? null : tracer.closedStatus();
    synchronized (rpcLock) {
      rpcClosed = true; // gRPC has closed it
    }
    if (status != null && status.getCode() == Status.Code.RESOURCE_EXHAUSTED) {
      String message = "call " + callId() + ": a message over " + settings.maxMessageBytes()
          + " bytes (" + status.getDescription() + "): call closed";
      log.warn(message);
      CallStreamException error = new MalformedEventException(message);
      driver.reportError(error);
      driver.end(EndReason.ERROR, error);
    } else if (status != null && status.getCode() == Status.Code.INTERNAL) {
      String message = "call " + callId() + ": stream failed: " + status.getDescription();
      log.warn(message);
      CallStreamException error = new MalformedEventException(message, status.getCause());
      driver.reportError(error);
      driver.end(EndReason.ERROR, error);
    } else {
      String message = "call " + callId() + ": stream cancelled before it completed ("
          + (status == null ? "cancelled" : status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription())) + ")";
      log.info(message);
      driver.reportError(new CallStreamException(message));
      driver.end(EndReason.CLOSED, null);
    }
    afterTask();
  }

  private void endAndClose(EndReason reason, Throwable cause, Status status) {
    driver.end(reason, cause);
    closeRpc(status);
    afterTask();
  }

  /** The driver's close: the listener closed its session or threw. */
  private void closedByReceiver() {
    closeRpc(Status.CANCELLED.withDescription("the receiver ended the call"));
  }

  /** Once the call has ended: the RPC is closed and the call's slot released, exactly once. */
  private void afterTask() {
    if (driver != null && driver.ended()) {
      closeRpc(Status.CANCELLED.withDescription("the receiver ended the call"));
      finish();
    }
  }

  private void finish() {
    if (finished.compareAndSet(false, true)) {
      runtime.finished(this);
    }
  }

  private void request(int messages) {
    synchronized (rpcLock) {
      if (!rpcClosed) {
        call.request(messages);
      }
    }
  }

  private void closeRpc(Status status) {
    synchronized (rpcLock) {
      if (rpcClosed) {
        return;
      }
      rpcClosed = true;
      try {
        call.close(status, new Metadata());
      } catch (RuntimeException e) {
        log.debug("call {}: closing the RPC failed (already closed?)", callId(), e);
      }
    }
  }

  private String callId() {
    return driver == null ? "unknown" : LogSafe.id(driver.session().callId());
  }

  @Override
  public String toString() {
    return "GrpcCall[" + callId() + "]";
  }
}
