package dev.callstream.core.internal;

import dev.callstream.core.AudioChannel;
import dev.callstream.core.AudioFormat;
import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallInfo;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamException;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.ChannelStats;
import dev.callstream.core.Connected;
import dev.callstream.core.EndReason;
import dev.callstream.core.MalformedMessageException;
import dev.callstream.core.Media;
import dev.callstream.core.SequenceMode;
import dev.callstream.core.Start;
import dev.callstream.core.Stop;
import dev.callstream.core.StreamEvent;
import dev.callstream.core.Unknown;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport-independent state machine of one call: takes decoded events in arrival order,
 * sequences audio per channel, drives the call's listener and guarantees exactly one terminal
 * {@code onEnd}. Any transport (the WSS server, a future gRPC server, tests) feeds it.
 *
 * <p>Not thread-safe: the caller serializes every call to one driver (the server does so on the
 * call's dispatch lane). The {@link #session()} may be read from any thread.
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

  /** A sequence id more than this many frames ahead of the timeline is dropped as late, never gap-filled. */
  public static final int MAX_FORWARD_JUMP = 3000;

  private final CallInfo info;
  private final CallStreamListener listener;
  private final Runnable closeConnection;
  private final Session session;
  private final CallSequencer sequencer;
  private final List<Stop> stops = new ArrayList<>();

  /** Set when the end begins: no event is taken after it. */
  private boolean ending;
  private volatile boolean ended;
  /** Depth of driver methods on the stack, to defer an end requested from inside a callback. */
  private int depth;
  private EndReason deferredReason;
  private Throwable deferredCause;

  /**
   * @param info the handshake's call info
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
    this.session = new Session();
    this.sequencer = new CallSequencer(reorderWindow, new CallSequencer.Output() {
      @Override
      public void frame(AudioChannel channel, long position, Media media) {
        listener.onAudio(session, new AudioFrame(channel, position, media.sequence(), session.format, media.payload()));
      }

      @Override
      public void gap(AudioChannel channel, long fromPosition, int frameCount) {
        if (log.isDebugEnabled()) {
          log.debug("call {} {} gap of {} frames at position {}", LogSafe.id(session.callId()), channel.label(), frameCount, fromPosition);
        }
        listener.onGap(session, channel, fromPosition, frameCount);
      }
    });
  }

  /** The session handed to the listener (live counters). */
  public CallSession session() {
    return session;
  }

  /**
   * Handles one event. After the second Stop the call ends with {@link EndReason#STOPPED}. A listener
   * that throws ends the call with {@link EndReason#ERROR} and {@code closeConnection} is run.
   *
   * @return false once the call has ended (further events are ignored)
   */
  public boolean accept(StreamEvent event) {
    Objects.requireNonNull(event, "event");
    if (ending) {
      return false;
    }
    depth++;
    try {
      dispatch(event);
    } catch (Throwable t) {
      listenerFailed(t);
    } finally {
      depth--;
    }
    runDeferredEnd();
    return !ending;
  }

  private void dispatch(StreamEvent event) {
    if (event instanceof Media media) {
      sequencer.accept(media);
    } else if (event instanceof Start start) {
      if (session.start != null) {
        reportError(new MalformedMessageException("duplicate Start for call " + LogSafe.id(session.callId()) + " ignored"));
        return;
      }
      session.format = start.audioFormat();
      session.start = start;
      log.debug("call {} started, session {}", LogSafe.id(session.callId()), LogSafe.id(session.sessionId()));
      listener.onStart(session, start);
    } else if (event instanceof Stop stop) {
      stops.add(stop);
      session.stops = List.copyOf(stops);
      listener.onStop(session, stop);
      if (bothSidesStopped()) {
        end(EndReason.STOPPED, null);
      }
    } else if (event instanceof Connected connected) {
      listener.onConnected(session, connected);
    } else if (event instanceof Unknown unknown) {
      listener.onUnknownEvent(session, unknown);
    }
  }

  /** The platform sends one Stop per perspective without naming it: two Stops end the call, unless both name the same side. */
  private boolean bothSidesStopped() {
    boolean agent = false;
    boolean conference = false;
    int unnamed = 0;
    for (Stop stop : stops) {
      if (stop.channel() == AudioChannel.AGENT) {
        agent = true;
      } else if (stop.channel() == AudioChannel.CONFERENCE) {
        conference = true;
      } else {
        unnamed++;
      }
    }
    return (agent ? 1 : 0) + (conference ? 1 : 0) + unnamed >= 2;
  }

  /** Reports a non-fatal problem (a skipped malformed message, dropped frames) to the listener. */
  public void reportError(CallStreamException error) {
    Objects.requireNonNull(error, "error");
    if (ending) {
      return;
    }
    depth++;
    try {
      listener.onError(session, error);
    } catch (Throwable t) {
      listenerFailed(t);
    } finally {
      depth--;
    }
    runDeferredEnd();
  }

  /**
   * Ends the call if it has not ended: flushes held frames (missing ones become gaps), then
   * {@code onEnd(reason, cause)}. Idempotent: only the first end counts.
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
      sequencer.flush();
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

  /** The listener's view of the call; fields are written on the dispatch lane and read from anywhere. */
  private final class Session implements CallSession {
    volatile Start start;
    volatile AudioFormat format = AudioFormat.MULAW_8K;
    volatile List<Stop> stops = List.of();

    @Override
    public CallInfo info() {
      return info;
    }

    @Override
    public Start start() {
      return start;
    }

    @Override
    public String callId() {
      Start s = start;
      if (s != null && s.callId() != null) {
        return s.callId();
      }
      return info.callId() != null ? info.callId() : "unknown";
    }

    @Override
    public String sessionId() {
      Start s = start;
      if (s != null && s.sessionId() != null) {
        return s.sessionId();
      }
      return info.sessionId() != null ? info.sessionId() : "unknown";
    }

    @Override
    public AudioFormat format() {
      return format;
    }

    @Override
    public List<Stop> stops() {
      return stops;
    }

    @Override
    public SequenceMode sequenceMode() {
      return sequencer.mode();
    }

    @Override
    public ChannelStats stats(AudioChannel channel) {
      return sequencer.stats(Objects.requireNonNull(channel, "channel"));
    }

    @Override
    public void close() {
      runCloseConnection();
    }

    @Override
    public String toString() {
      // often logged by listeners: peer-controlled ids made single-line
      return "CallSession[callId=" + LogSafe.id(callId()) + ", sessionId=" + LogSafe.id(sessionId()) + "]";
    }
  }
}
