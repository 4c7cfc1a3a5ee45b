package dev.callstream.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallInfo;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamException;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.EndReason;
import dev.callstream.core.Gap;
import dev.callstream.core.Segment;
import dev.callstream.core.SegmentInfo;
import dev.callstream.core.TransportEvent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Records one call's callbacks as lines and objects, for assertions. */
final class RecordingCallListener implements CallStreamListener {
  final CallInfo info;
  final List<String> lines = Collections.synchronizedList(new ArrayList<>());
  final List<AudioFrame> frames = Collections.synchronizedList(new ArrayList<>());
  final List<Gap> gaps = Collections.synchronizedList(new ArrayList<>());
  final List<CallStreamException> errors = Collections.synchronizedList(new ArrayList<>());
  final List<TransportEvent> transportEvents = Collections.synchronizedList(new ArrayList<>());
  final CompletableFuture<EndReason> end = new CompletableFuture<>();
  volatile CallSession session;
  volatile Throwable endCause;

  RecordingCallListener(CallInfo info) {
    this.info = info;
  }

  @Override
  public void onStart(CallSession session) {
    this.session = session;
    lines.add("start " + session.callId() + " " + session.sessionId());
  }

  @Override
  public void onSegmentStart(CallSession session, Segment segment) {
    lines.add("segmentStart " + segment.id() + " " + segment.participant().type() + " "
        + segment.format().encoding() + "/" + segment.format().sampleRate() + "/" + segment.format().ptimeMillis()
        + " " + segment.channel());
  }

  @Override
  public void onAudio(CallSession session, AudioFrame frame) {
    frames.add(frame);
  }

  @Override
  public void onGap(CallSession session, Gap gap) {
    gaps.add(gap);
  }

  @Override
  public void onSegmentInfo(CallSession session, Segment segment, SegmentInfo info) {
    lines.add("info " + segment.id() + " " + info.event() + " " + info.data());
  }

  @Override
  public void onSegmentStop(CallSession session, Segment segment) {
    lines.add("segmentStop " + segment.id());
  }

  @Override
  public void onTransportEvent(CallSession session, TransportEvent event) {
    transportEvents.add(event);
  }

  @Override
  public void onError(CallSession session, CallStreamException error) {
    errors.add(error);
  }

  @Override
  public void onEnd(CallSession session, EndReason reason, Throwable cause) {
    this.session = session;
    lines.add("end " + reason);
    endCause = cause;
    end.complete(reason);
  }

  EndReason awaitEnd() throws Exception {
    return end.get(60, TimeUnit.SECONDS); // generous for a loaded CI host
  }

  List<AudioFrame> frames(String segmentId) {
    synchronized (frames) {
      return frames.stream().filter(f -> f.segment().id().equals(segmentId)).toList();
    }
  }

  void assertErrorMentioning(String text) {
    synchronized (errors) {
      assertThat(errors).extracting(Throwable::getMessage).anySatisfy(m -> assertThat(m).contains(text));
    }
  }

  /** Collects the listeners a server creates. */
  static final class Factory implements CallStreamListener.Factory {
    final BlockingQueue<RecordingCallListener> created = new LinkedBlockingQueue<>();

    @Override
    public CallStreamListener create(CallInfo info) {
      RecordingCallListener listener = new RecordingCallListener(info);
      created.add(listener);
      return listener;
    }

    RecordingCallListener next() throws InterruptedException {
      RecordingCallListener listener = created.poll(60, TimeUnit.SECONDS); // a handshake on a loaded host
      assertThat(listener).as("a call's listener").isNotNull();
      return listener;
    }
  }
}
