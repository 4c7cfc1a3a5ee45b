package dev.callstream.core.internal;

import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamException;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.EndReason;
import dev.callstream.core.Gap;
import dev.callstream.core.Segment;
import dev.callstream.core.SegmentInfo;
import dev.callstream.core.TransportEvent;
import java.util.function.Consumer;

/** Several listeners as one: every callback goes to each in order; the first exception is rethrown after all ran. */
public final class AllListeners implements CallStreamListener {
  private final CallStreamListener[] listeners;

  public AllListeners(CallStreamListener... listeners) {
    this.listeners = listeners.clone();
  }

  private void each(Consumer<CallStreamListener> callback) {
    RuntimeException first = null;
    Error firstError = null;
    for (CallStreamListener listener : listeners) {
      try {
        callback.accept(listener);
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        }
      } catch (Error e) {
        if (firstError == null) {
          firstError = e;
        }
      }
    }
    if (firstError != null) {
      throw firstError;
    }
    if (first != null) {
      throw first;
    }
  }

  @Override
  public void onStart(CallSession session) {
    each(l -> l.onStart(session));
  }

  @Override
  public void onSegmentStart(CallSession session, Segment segment) {
    each(l -> l.onSegmentStart(session, segment));
  }

  @Override
  public void onAudio(CallSession session, AudioFrame frame) {
    each(l -> l.onAudio(session, frame));
  }

  @Override
  public void onGap(CallSession session, Gap gap) {
    each(l -> l.onGap(session, gap));
  }

  @Override
  public void onSegmentInfo(CallSession session, Segment segment, SegmentInfo info) {
    each(l -> l.onSegmentInfo(session, segment, info));
  }

  @Override
  public void onSegmentStop(CallSession session, Segment segment) {
    each(l -> l.onSegmentStop(session, segment));
  }

  @Override
  public void onTransportEvent(CallSession session, TransportEvent event) {
    each(l -> l.onTransportEvent(session, event));
  }

  @Override
  public void onError(CallSession session, CallStreamException error) {
    each(l -> l.onError(session, error));
  }

  @Override
  public void onEnd(CallSession session, EndReason reason, Throwable cause) {
    each(l -> l.onEnd(session, reason, cause));
  }
}
