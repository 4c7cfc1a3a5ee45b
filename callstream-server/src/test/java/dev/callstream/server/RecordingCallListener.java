package dev.callstream.server;

import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallInfo;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamException;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.EndReason;
import dev.callstream.core.Gap;
import dev.callstream.core.TransportEvent;
import dev.callstream.server.wire.Connected;
import dev.callstream.server.wire.Start;
import dev.callstream.server.wire.Stop;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Records one call's callbacks as short strings, and its frames, for assertions. */
class RecordingCallListener implements CallStreamListener {
  /** The cause passed to onEnd; set before {@link #awaitEnd} returns. */
  volatile Throwable endCause;

  final CallInfo info;
  final List<String> events = new CopyOnWriteArrayList<>();
  final List<AudioFrame> frames = new CopyOnWriteArrayList<>();
  final List<CallStreamException> errors = new CopyOnWriteArrayList<>();
  final CompletableFuture<EndReason> end = new CompletableFuture<>();
  volatile Start start;
  volatile long gapFrames;
  volatile Thread lastThread;

  RecordingCallListener(CallInfo info) {
    this.info = info;
  }

  /** A factory that hands every created listener to {@code created}. */
  static CallStreamListener.Factory factory(BlockingQueue<RecordingCallListener> created) {
    return info -> {
      RecordingCallListener listener = new RecordingCallListener(info);
      created.add(listener);
      return listener;
    };
  }

  static RecordingCallListener take(BlockingQueue<RecordingCallListener> created) throws InterruptedException {
    // generous: the handshake may wait a long time on a loaded CI host
    RecordingCallListener listener = created.poll(60, TimeUnit.SECONDS);
    if (listener == null) {
      throw new AssertionError("no listener created within 60 s");
    }
    return listener;
  }

  EndReason awaitEnd() throws Exception {
    return end.get(60, TimeUnit.SECONDS);
  }

  @Override
  public void onTransportEvent(CallSession session, TransportEvent event) {
    if (event instanceof Connected) {
      events.add("connected");
    } else if (event instanceof Start start) {
      this.start = start;
      events.add("start:" + start.callId());
    } else if (event instanceof Stop) {
      events.add("stop");
    }
  }

  @Override
  public void onAudio(CallSession session, AudioFrame frame) {
    lastThread = Thread.currentThread();
    frames.add(frame);
    events.add("audio:" + frame.channel().label() + ":" + frame.position());
  }

  @Override
  public void onGap(CallSession session, Gap gap) {
    gapFrames += gap.frameCount();
    events.add("gap:" + gap.channel().label() + ":" + gap.fromPosition() + "+" + gap.frameCount());
  }

  @Override
  public void onError(CallSession session, CallStreamException error) {
    errors.add(error);
    events.add("error");
  }

  @Override
  public void onEnd(CallSession session, EndReason reason, Throwable cause) {
    endCause = cause;
    events.add("end:" + reason.label());
    end.complete(reason);
  }
}
