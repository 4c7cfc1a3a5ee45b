package dev.callstream.testkit;

import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import com.google.protobuf.UnknownFieldSet;
import com.google.protobuf.UnsafeByteOperations;
import dev.callstream.core.CallStreamException;
import dev.callstream.grpc.proto.Account;
import dev.callstream.grpc.proto.AudioContent;
import dev.callstream.grpc.proto.AudioFormat;
import dev.callstream.grpc.proto.Codec;
import dev.callstream.grpc.proto.Dialog;
import dev.callstream.grpc.proto.DialogInitEvent;
import dev.callstream.grpc.proto.Participant;
import dev.callstream.grpc.proto.Product;
import dev.callstream.grpc.proto.SegmentInfoEvent;
import dev.callstream.grpc.proto.SegmentMediaEvent;
import dev.callstream.grpc.proto.SegmentStartEvent;
import dev.callstream.grpc.proto.SegmentStopEvent;
import dev.callstream.grpc.proto.StreamEvent;
import dev.callstream.grpc.proto.StreamingGrpc;
import dev.callstream.testkit.internal.ChunkAudio;
import dev.callstream.testkit.internal.FaultDice;
import dev.callstream.testkit.internal.RunningCalls;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays one RingCX call: a small state machine that generates the script's events one at a time in
 * timeline order and sends them while the stream {@linkplain ClientCallStreamObserver#isReady() is
 * ready} (gRPC's client-side flow control: when it is not, the stream's on-ready callback resumes
 * sending), paced in real time by wake-ups of the sender's shared clock. Nothing is buffered beyond
 * the events of one timeline step.
 *
 * <p>{@link #pump()} runs on the clock thread or a gRPC callback thread and holds this object's
 * monitor, so the request stream is only ever used by one thread at a time.
 */
final class RingCxCallRunner
    implements ClientResponseObserver<StreamEvent, Empty>, RunningCalls.Call<RingCxCallResult> {
  private static final Logger log = LoggerFactory.getLogger(FakeRingCx.class);
  private static final int GARBAGE_KINDS = 3;
  private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final int START = 0;
  private static final int INFO = 1;
  private static final int MEDIA = 2;
  private static final int STOP = 3;

  private enum Phase { SENDING, CLOSING }

  private final FakeRingCx sender;
  private final RingCxScript script;
  private final CompletableFuture<RingCxCallResult> result = new CompletableFuture<>();
  private final AtomicBoolean finished = new AtomicBoolean();
  private final long startedNanos = System.nanoTime();
  private final FaultDice dice;
  private final long abortUnit;
  private final long[] garbageUnits;
  private final int segmentCount;
  private final SegmentState[] segments;

  private volatile ManagedChannel ownChannel;
  private volatile ScheduledFuture<?> timer;

  // Guarded by this.
  private ClientCallStreamObserver<StreamEvent> requestStream;
  private Phase phase = Phase.SENDING;
  private final ArrayDeque<StreamEvent> pending = new ArrayDeque<>();
  private long timelineStartNanos;
  private long mediaUnit;
  private int garbageSent;
  private boolean everythingQueued;

  /** What one segment has sent so far. Guarded by the runner. */
  private static final class SegmentState {
    final RingCxSegment plan;
    final long chunks;
    final ChunkAudio audio;
    final long joinMillis;
    boolean started;
    long nextChunk;
    int nextInfo;
    boolean stopped;
    StreamEvent held;
    long heldSeq;
    long framesSent;
    long mediaSent;
    final List<Long> dropped = new ArrayList<>();
    final List<Long> duplicated = new ArrayList<>();
    final List<Long> reordered = new ArrayList<>();

    SegmentState(RingCxSegment plan, AudioSource source, long chunks) {
      this.plan = plan;
      this.chunks = chunks;
      this.joinMillis = plan.joinAt().toMillis();
      this.audio = new ChunkAudio(source, encoding(plan.codec()), plan.ptimeMillis());
    }

    long stopMillis() {
      return joinMillis + chunks * plan.ptimeMillis();
    }

    long infoMillis(int info) {
      long at = plan.infos().get(info).at().toMillis();
      return Math.max(joinMillis, Math.min(stopMillis(), at));
    }

    ChannelReport report() {
      return new ChannelReport(chunks, framesSent, mediaSent, dropped, duplicated, reordered);
    }
  }

  RingCxCallRunner(FakeRingCx sender, RingCxScript script) {
    this.sender = sender;
    this.script = script;
    this.segmentCount = script.segments().size();
    this.segments = new SegmentState[segmentCount];
    long units = 0;
    for (int i = 0; i < segmentCount; i++) {
      segments[i] = new SegmentState(script.segments().get(i), script.audio(i), script.chunks(i));
      units += script.chunks(i);
    }
    // Call-level faults are drawn first, in a fixed order, on the call's media chunks in sending order.
    this.dice = sender.settings.dice(script.index());
    this.abortUnit = dice.abortPoint(units);
    this.garbageUnits = dice.garbagePoints(GARBAGE_KINDS, units);
  }

  static ChunkAudio.Encoding encoding(Codec codec) {
    return switch (codec) {
      case PCMU -> ChunkAudio.Encoding.MULAW;
      case PCMA -> ChunkAudio.Encoding.ALAW;
      case L16 -> ChunkAudio.Encoding.L16_BIG_ENDIAN;
      default -> ChunkAudio.Encoding.OPAQUE;
    };
  }

  @Override
  public CompletableFuture<RingCxCallResult> result() {
    return result;
  }

  @Override
  public void begin() {
    try {
      ManagedChannel channel = sender.sharedChannel;
      if (channel == null) {
        channel = sender.newChannel();
        ownChannel = channel;
      }
      Metadata headers = new Metadata();
      if (sender.settings.secret() != null) {
        headers.put(AUTHORIZATION, "Bearer " + sender.settings.secret());
      }
      for (Map.Entry<String, String> header : script.headers().entrySet()) {
        headers.put(Metadata.Key.of(header.getKey(), Metadata.ASCII_STRING_MARSHALLER), header.getValue());
      }
      log.debug("call {}: opening the stream", script.dialogId());
      synchronized (this) {
        StreamingGrpc.newStub(channel)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
            .stream(this);
        pending.add(dialogInit());
        timelineStartNanos = System.nanoTime();
      }
      pump();
    } catch (RuntimeException e) {
      fail(null, e);
    }
  }

  @Override
  public void shutdown() {
    fail(null, new CallStreamException("sender closed while call " + script.dialogId() + " was running"));
  }

  // ---- ClientResponseObserver

  @Override
  public void beforeStart(ClientCallStreamObserver<StreamEvent> stream) {
    requestStream = stream; // called from stream(this), under this object's monitor
    stream.setOnReadyHandler(this::pump);
  }

  @Override
  public void onNext(Empty value) {
    // the single response of a client-streaming call; its status follows
  }

  @Override
  public void onError(Throwable error) {
    Status status = Status.fromThrowable(error);
    fail(status, new CallStreamException("call " + script.dialogId() + " ended with status " + status.getCode()
        + (status.getDescription() == null ? "" : " (" + status.getDescription() + ")"), error));
  }

  @Override
  public void onCompleted() {
    boolean allSent;
    synchronized (this) {
      // the stops may all be out while the half-close is still queued: that is the normal end too
      allSent = phase == Phase.CLOSING || (everythingQueued && pending.isEmpty());
    }
    if (allSent) {
      finish(true, false, Status.OK, null);
    } else {
      fail(Status.OK, new CallStreamException("server ended call " + script.dialogId() + " with OK before the call ended"));
    }
  }

  // ---- sending

  private synchronized void pump() {
    try {
      while (!finished.get() && requestStream != null) {
        if (pending.isEmpty() && !refill()) {
          return;
        }
        if (pending.isEmpty()) {
          continue;
        }
        if (!requestStream.isReady()) {
          return; // the on-ready handler calls pump() again
        }
        requestStream.onNext(pending.poll());
      }
    } catch (RuntimeException e) {
      fail(null, e);
    }
  }

  /** Queues the next step's events; false when nothing is to be sent now. */
  private boolean refill() {
    if (phase != Phase.SENDING) {
      return false;
    }
    int best = -1;
    long bestDue = Long.MAX_VALUE;
    int bestKind = Integer.MAX_VALUE;
    for (int i = 0; i < segmentCount; i++) {
      SegmentState segment = segments[i];
      if (segment.stopped) {
        continue;
      }
      long due;
      int kind;
      if (!segment.started) {
        due = segment.joinMillis;
        kind = START;
      } else {
        long chunkDue = segment.nextChunk < segment.chunks
            ? segment.joinMillis + segment.nextChunk * segment.plan.ptimeMillis()
            : Long.MAX_VALUE;
        if (segment.nextInfo < segment.plan.infos().size() && segment.infoMillis(segment.nextInfo) <= chunkDue) {
          due = segment.infoMillis(segment.nextInfo);
          kind = INFO;
        } else if (chunkDue != Long.MAX_VALUE) {
          due = chunkDue;
          kind = MEDIA;
        } else {
          due = segment.stopMillis();
          kind = STOP;
        }
      }
      if (due < bestDue || (due == bestDue && kind < bestKind)) {
        best = i;
        bestDue = due;
        bestKind = kind;
      }
    }
    if (best < 0) {
      phase = Phase.CLOSING;
      log.debug("call {}: every segment stopped, half-closing", script.dialogId());
      requestStream.onCompleted();
      return false;
    }
    if (sender.settings.pacing() == Pacing.REALTIME) {
      long wait = timelineStartNanos + bestDue * 1_000_000L - System.nanoTime();
      if (wait > 0) {
        timer = sender.clock.schedule(this::pump, wait, TimeUnit.NANOSECONDS);
        return false;
      }
    }
    SegmentState segment = segments[best];
    switch (bestKind) {
      case START -> {
        segment.started = true;
        pending.add(segmentStart(segment.plan));
      }
      case INFO -> {
        RingCxSegment.Info info = segment.plan.infos().get(segment.nextInfo++);
        SegmentInfoEvent.Builder event = SegmentInfoEvent.newBuilder().setSegmentId(segment.plan.id()).setEvent(info.event());
        if (info.data() != null) {
          event.setData(info.data());
        }
        pending.add(event().setSegmentInfo(event).build());
      }
      case MEDIA -> {
        return queueChunk(segment);
      }
      default -> {
        releaseHeld(segment); // only when its last chunk was chosen for reordering (never: see queueChunk)
        segment.stopped = true;
        pending.add(event().setSegmentStop(SegmentStopEvent.newBuilder().setSegmentId(segment.plan.id())).build());
        everythingQueued = allStopped();
      }
    }
    return true;
  }

  private boolean allStopped() {
    for (SegmentState segment : segments) {
      if (!segment.stopped) {
        return false;
      }
    }
    return true;
  }

  private boolean queueChunk(SegmentState segment) {
    long k = segment.nextChunk++;
    long unit = mediaUnit++;
    if (unit == abortUnit) {
      log.debug("call {}: cancelling at chunk {} of segment {} as scripted", script.dialogId(), k, segment.plan.id());
      requestStream.cancel("call aborted by the fake's abort fault", null);
      finish(true, true, Status.CANCELLED, null);
      return false;
    }
    for (int kind = 0; kind < GARBAGE_KINDS; kind++) {
      if (garbageUnits[kind] == unit) {
        pending.add(garbage(kind));
        garbageSent++;
      }
    }
    long seq = k + 1;
    Fault fault = dice.draw();
    StreamEvent media = event().setSegmentMedia(SegmentMediaEvent.newBuilder()
        .setSegmentId(segment.plan.id())
        .setAudioContent(AudioContent.newBuilder()
            .setPayload(UnsafeByteOperations.unsafeWrap(segment.audio.chunk(k)))
            .setSeq((int) seq)
            .setDuration(segment.plan.ptimeMillis())))
        .build();
    if (segment.held != null) {
      queueMedia(segment, media);
      releaseHeld(segment);
    } else if (fault == Fault.DROP) {
      segment.dropped.add(seq);
    } else if (fault == Fault.DUPLICATE) {
      queueMedia(segment, media);
      pending.add(media);
      segment.mediaSent++;
      segment.duplicated.add(seq);
    } else if (fault == Fault.REORDER && k + 1 < segment.chunks) {
      segment.held = media;
      segment.heldSeq = seq;
    } else {
      queueMedia(segment, media);
    }
    return true;
  }

  private void queueMedia(SegmentState segment, StreamEvent media) {
    pending.add(media);
    segment.framesSent++;
    segment.mediaSent++;
  }

  private void releaseHeld(SegmentState segment) {
    if (segment.held != null) {
      queueMedia(segment, segment.held);
      segment.reordered.add(segment.heldSeq);
      segment.held = null;
    }
  }

  private StreamEvent.Builder event() {
    return StreamEvent.newBuilder().setSessionId(script.sessionId());
  }

  private StreamEvent dialogInit() {
    Dialog.Builder dialog = Dialog.newBuilder()
        .setId(script.dialogId())
        .setType(script.dialogType())
        .putAllAttributes(script.attributes());
    if (script.ani() != null) {
      dialog.setAni(script.ani());
    }
    if (script.dnis() != null) {
      dialog.setDnis(script.dnis());
    }
    if (script.language() != null) {
      dialog.setLanguage(script.language());
    }
    return event().setDialogInit(DialogInitEvent.newBuilder()
        .setAccount(Account.newBuilder()
            .setId(script.accountId())
            .setSubAccountId(script.subAccountId())
            .setRcAccountId(script.rcAccountId()))
        .setDialog(dialog))
        .build();
  }

  private StreamEvent segmentStart(RingCxSegment segment) {
    Participant.Builder participant = Participant.newBuilder()
        .setId(segment.participantId())
        .setType(segment.participantType());
    if (segment.participantName() != null) {
      participant.setName(segment.participantName());
    }
    SegmentStartEvent.Builder start = SegmentStartEvent.newBuilder()
        .setSegmentId(segment.id())
        .setParticipant(participant);
    if (script.productId() != null) {
      start.setProduct(Product.newBuilder().setId(script.productId()).setType(script.productType()));
    }
    if (segment.sendsFormat()) {
      start.setAudioFormat(AudioFormat.newBuilder()
          .setCodec(segment.codec())
          .setRate(segment.rate())
          .setPtime(segment.ptimeMillis()));
    }
    return event().setSegmentStart(start).build();
  }

  /**
   * The malformed events of {@link Fault#GARBAGE}: a future event type (an unknown oneof case carrying
   * unknown fields and nothing the proto knows), media for a segment that never started, and a
   * {@code SegmentInfo} for an unknown segment with an unknown field of its own.
   */
  private StreamEvent garbage(int kind) {
    UnknownFieldSet unknown = UnknownFieldSet.newBuilder()
        .addField(100, UnknownFieldSet.Field.newBuilder()
            .addLengthDelimited(ByteString.copyFrom(new byte[] {0x08, (byte) 0x96, 0x01}))
            .build())
        .build();
    return switch (kind) {
      case 0 -> event().setUnknownFields(unknown).build();
      case 1 -> event().setSegmentMedia(SegmentMediaEvent.newBuilder()
          .setSegmentId("unknown-segment")
          .setAudioContent(AudioContent.newBuilder()
              .setPayload(ByteString.copyFrom(new byte[800]))
              .setSeq(1)
              .setDuration(100)))
          .build();
      default -> event().setSegmentInfo(SegmentInfoEvent.newBuilder()
          .setSegmentId("unknown-segment")
          .setEvent("hold")
          .setUnknownFields(unknown))
          .build();
    };
  }

  // ---- ending

  private void fail(Status status, Throwable error) {
    if (finished.get()) {
      return;
    }
    log.debug("call {}: failed: {}", script.dialogId(), error.toString());
    synchronized (this) {
      if (requestStream != null && status == null) {
        requestStream.cancel("call failed: " + error.getMessage(), error);
      }
    }
    finish(false, false, status, error);
  }

  private void finish(boolean completed, boolean aborted, Status status, Throwable failure) {
    if (!finished.compareAndSet(false, true)) {
      return;
    }
    ScheduledFuture<?> pendingTimer = timer;
    if (pendingTimer != null) {
      pendingTimer.cancel(false);
    }
    ManagedChannel channel = ownChannel;
    if (channel != null) {
      if (completed && !aborted) {
        channel.shutdown();
      } else {
        channel.shutdownNow();
      }
    }
    RingCxCallResult callResult;
    synchronized (this) {
      Map<String, ChannelReport> reports = new LinkedHashMap<>();
      for (SegmentState segment : segments) {
        reports.put(segment.plan.id(), segment.report());
      }
      callResult = new RingCxCallResult(
          script.index(), script.dialogId(), script.sessionId(), completed, aborted,
          status == null ? null : status.getCode(), status == null ? null : status.getDescription(),
          failure, reports, garbageSent, Duration.ofNanos(System.nanoTime() - startedNanos));
    }
    log.debug("call {}: ended, completed={} aborted={} status={}", script.dialogId(), completed, aborted,
        status == null ? null : status.getCode());
    result.complete(callResult);
  }
}
