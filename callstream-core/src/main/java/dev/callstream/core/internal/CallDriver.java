package dev.callstream.core.internal;

import dev.callstream.core.CallInfo;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamException;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.EndReason;
import dev.callstream.core.StreamEvent;

/**
 * The transport-independent state machine of one call: takes decoded events in arrival order,
 * sequences audio per channel, drives the call's listener and guarantees exactly one terminal
 * {@code onEnd}. Any transport (the WSS server, a future gRPC server, tests) feeds it.
 *
 * <p>Not thread-safe: the caller serializes every call to one driver (the server does so on the
 * call's dispatch lane).
 */
public final class CallDriver {

  /** Default reorder window in frames. */
  public static final int DEFAULT_REORDER_WINDOW = 5;

  /** A sequence id more than this many frames ahead of the timeline is dropped as late, never gap-filled. */
  public static final int MAX_FORWARD_JUMP = 3000;

  /**
   * @param info the handshake's call info
   * @param listener the call's listener
   * @param reorderWindow frames to hold for a missing one before declaring a gap (at least 1)
   * @param closeConnection asked to close the transport when the listener calls
   *     {@link CallSession#close()} or throws; may be called more than once
   */
  public CallDriver(CallInfo info, CallStreamListener listener, int reorderWindow, Runnable closeConnection) {
    throw new UnsupportedOperationException("TODO");
  }

  /** The session handed to the listener (live counters). */
  public CallSession session() {
    throw new UnsupportedOperationException("TODO");
  }

  /**
   * Handles one event. After the second Stop the call ends with {@link EndReason#STOPPED}. A listener
   * that throws ends the call with {@link EndReason#ERROR} and {@code closeConnection} is run.
   *
   * @return false once the call has ended (further events are ignored)
   */
  public boolean accept(StreamEvent event) {
    throw new UnsupportedOperationException("TODO");
  }

  /** Reports a non-fatal problem (a skipped malformed message, dropped frames) to the listener. */
  public void reportError(CallStreamException error) {
    throw new UnsupportedOperationException("TODO");
  }

  /**
   * Ends the call if it has not ended: flushes held frames (missing ones become gaps), then
   * {@code onEnd(reason, cause)}. Idempotent: only the first end counts.
   */
  public void end(EndReason reason, Throwable cause) {
    throw new UnsupportedOperationException("TODO");
  }

  /** True once {@code onEnd} has been called. */
  public boolean ended() {
    throw new UnsupportedOperationException("TODO");
  }
}
