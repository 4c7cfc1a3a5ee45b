package dev.callstream.bench;

import dev.callstream.core.AudioChannel;
import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamException;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.EndReason;
import dev.callstream.core.Gap;
import dev.callstream.core.Segment;
import dev.callstream.core.SegmentInfo;
import dev.callstream.core.TransportEvent;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the benchmark server measures: frames delivered to listeners, gaps, calls, and the delivery
 * latency of probe frames (see {@link ProbeAudio}: the first 8 payload bytes carry the sender's
 * {@link System#nanoTime()}, which on Linux is CLOCK_MONOTONIC and so comparable across processes of
 * one machine).
 */
final class Probe {
  private static final long PLAUSIBLE_NANOS = 60_000_000_000L;

  final LongAdder frames = new LongAdder();
  final LongAdder windowFrames = new LongAdder();
  final LongAdder gaps = new LongAdder();
  final LongAdder errors = new LongAdder();
  final LongAdder started = new LongAdder();
  final LongAdder ended = new LongAdder();
  final LatencyHistogram latency = new LatencyHistogram();

  void frame(byte[] payload) {
    long now = System.nanoTime();
    frames.increment();
    windowFrames.increment();
    long sent = ProbeAudio.timestamp(payload);
    long delay = now - sent;
    if (delay >= 0 && delay < PLAUSIBLE_NANOS) {
      latency.recordMicros(delay / 1000);
    }
  }

  void resetWindow() {
    windowFrames.reset();
    latency.reset();
  }

  String statsJson() {
    long s = started.sum();
    long e = ended.sum();
    return "{\"frames\":" + frames.sum() + ",\"windowFrames\":" + windowFrames.sum() + ",\"calls\":" + (s - e)
        + ",\"started\":" + s + ",\"ended\":" + e + ",\"gaps\":" + gaps.sum() + ",\"errors\":" + errors.sum()
        + ",\"latency\":" + latency.toJson() + "}";
  }

  /** Measures at the entry of each callback, then hands it to {@code delegate} (may be null: a no-op listener). */
  CallStreamListener listener(CallStreamListener delegate) {
    return new Listener(delegate);
  }

  private final class Listener implements CallStreamListener {
    private final CallStreamListener delegate;

    Listener(CallStreamListener delegate) {
      this.delegate = delegate;
      started.increment();
    }

    @Override
    public void onStart(CallSession session) {
      if (delegate != null) {
        delegate.onStart(session);
      }
    }

    @Override
    public void onSegmentStart(CallSession session, Segment segment) {
      if (delegate != null) {
        delegate.onSegmentStart(session, segment);
      }
    }

    @Override
    public void onAudio(CallSession session, AudioFrame frame) {
      frame(frame.payload());
      if (delegate != null) {
        delegate.onAudio(session, frame);
      }
    }

    @Override
    public void onGap(CallSession session, Gap gap) {
      gaps.add(gap.frameCount());
      if (delegate != null) {
        delegate.onGap(session, gap);
      }
    }

    @Override
    public void onSegmentInfo(CallSession session, Segment segment, SegmentInfo info) {
      if (delegate != null) {
        delegate.onSegmentInfo(session, segment, info);
      }
    }

    @Override
    public void onSegmentStop(CallSession session, Segment segment) {
      if (delegate != null) {
        delegate.onSegmentStop(session, segment);
      }
    }

    @Override
    public void onTransportEvent(CallSession session, TransportEvent event) {
      if (delegate != null) {
        delegate.onTransportEvent(session, event);
      }
    }

    @Override
    public void onError(CallSession session, CallStreamException error) {
      errors.increment();
      if (delegate != null) {
        delegate.onError(session, error);
      }
    }

    @Override
    public void onEnd(CallSession session, EndReason reason, Throwable cause) {
      ended.increment();
      if (delegate != null) {
        delegate.onEnd(session, reason, cause);
      }
    }
  }
}
