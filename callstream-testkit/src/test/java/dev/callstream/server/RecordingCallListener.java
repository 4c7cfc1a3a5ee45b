package dev.callstream.server;

import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.EndReason;
import dev.callstream.core.Gap;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** Keeps one call's frames, gap frames and end reason for the drain tests. */
final class RecordingCallListener implements CallStreamListener {
  final List<AudioFrame> frames = new CopyOnWriteArrayList<>();
  final CompletableFuture<EndReason> end = new CompletableFuture<>();
  volatile long gapFrames;

  /** A factory that hands every created listener to {@code created}. */
  static CallStreamListener.Factory factory(BlockingQueue<RecordingCallListener> created) {
    return info -> {
      RecordingCallListener listener = new RecordingCallListener();
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
  public void onAudio(CallSession session, AudioFrame frame) {
    frames.add(frame);
  }

  @Override
  public void onGap(CallSession session, Gap gap) {
    gapFrames += gap.frameCount();
  }

  @Override
  public void onEnd(CallSession session, EndReason reason, Throwable cause) {
    end.complete(reason);
  }
}
