package dev.callstream.core;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Receives one call's stream, whatever the transport. Override only what you need: every method has
 * an empty default.
 *
 * <h2>Threading</h2>
 * A {@link Factory} creates one listener per call, so a listener can keep its call's state in plain
 * fields. Calls for one call are sequential and in order (each happens-before the next); different
 * calls run concurrently. Do not block: hand slow I/O to your own executor. A listener that is slow
 * fills only its own call's bounded buffer, after which the transport stops reading that call until
 * it catches up; a listener that throws ends only its own call, with {@link EndReason#ERROR}.
 *
 * <h2>Order</h2>
 * {@code onStart} once the platform's call metadata is known, {@code onSegmentStart} for each
 * segment before any of its frames (WebSocket: the two fixed segments {@code agent} and
 * {@code conference} right after {@code onStart}), then per segment {@code onAudio} and
 * {@code onGap} in timeline order ({@link AudioFrame#position()} 0, 1, 2... with every missing
 * position reported once by {@code onGap}), {@code onSegmentInfo} as it comes, and
 * {@code onSegmentStop} after every frame of that segment received before its stop.
 * {@code onTransportEvent} and {@code onError} come as they arrive; finally exactly one
 * {@link #onEnd}. No further calls are made after {@code onEnd}.
 *
 * <h2>Nullness</h2>
 * Arguments are never null unless the method says so.
 */
public interface CallStreamListener {

  /** The call's metadata is known: {@link CallSession#metadata()} returns it from now on. */
  default void onStart(CallSession session) {}

  /** A segment (a participant's audio stream) starts; {@link CallSession#segments()} includes it. */
  default void onSegmentStart(CallSession session, Segment segment) {}

  /** The next frame of one segment, in timeline order. */
  default void onAudio(CallSession session, AudioFrame frame) {}

  /** Frames of one segment that never arrived or came too late; each missing position is reported once. */
  default void onGap(CallSession session, Gap gap) {}

  /** An event about a segment, such as hold or unhold. */
  default void onSegmentInfo(CallSession session, Segment segment, SegmentInfo info) {}

  /**
   * A segment ended: every frame of it received before the stop has been delivered (with gaps for
   * what is missing), and no more follow.
   */
  default void onSegmentStop(CallSession session, Segment segment) {}

  /** A raw transport event (WebSocket Connected, Start, Stop, unknown events; gRPC stream events but media). */
  default void onTransportEvent(CallSession session, TransportEvent event) {}

  /**
   * A problem that did not end the call, such as a malformed message that was skipped. The call goes
   * on.
   */
  default void onError(CallSession session, CallStreamException error) {}

  /**
   * The terminal event: called exactly once per call, after every other callback.
   *
   * <p>{@code cause} is never null for {@link EndReason#ERROR} (the listener's own exception, the
   * protocol error, the failed stream). For the other reasons it may be null or say what ended the
   * call, depending on the transport: the WebSocket server sets it for {@link EndReason#CLOSED} when
   * the call idled out or the connection closed with a code other than 1000 or 1001, and passes null
   * when the peer closed normally or the listener closed the call; the gRPC server passes null for
   * {@code CLOSED} (an idle timeout or a cancelled stream is reported through {@link #onError}
   * first); both pass null for {@link EndReason#SHUTDOWN} and {@link EndReason#STOPPED}. A Kafka
   * replay ends a call whose partition moved to another consumer with {@code SHUTDOWN} and a
   * {@code CallAbandonedException}. Use it for diagnostics, and {@code reason} for decisions.
   *
   * @param reason why the call ended
   * @param cause what went wrong: never null for {@code ERROR}; otherwise possibly null (see above)
   */
  default void onEnd(CallSession session, EndReason reason, Throwable cause) {}

  /** Creates one listener per call. */
  @FunctionalInterface
  interface Factory {
    /** A factory whose listeners ignore everything. */
    Factory NONE = info -> new CallStreamListener() {};

    /**
     * Creates the listener for a new call. Called once per admitted call, before any other callback
     * of that call, on the thread that runs the call's callbacks: with the WebSocket server's default
     * {@code Dispatch.POOL} a dispatch-pool thread; with {@code Dispatch.IO_THREAD} usually the I/O
     * (selector) thread that read the call's handshake or Start, so it must not block either (it runs
     * on a dispatch-pool thread instead when another thread was running the call's events at that
     * moment). Throwing refuses the call (it ends with ERROR, and its connection is closed).
     */
    CallStreamListener create(CallInfo info);

    /**
     * A factory whose listener for a call combines one listener from each of {@code factories}: each
     * gets every callback, in the order the factories are given. When one throws, the others still
     * get that callback, and the first exception is then rethrown (ending the call with ERROR).
     */
    static Factory all(Factory... factories) {
      List<Factory> list = List.copyOf(Arrays.asList(factories));
      boolean blocks = list.stream().anyMatch(Factory::blocks);
      return new Factory() {
        @Override
        public CallStreamListener create(CallInfo info) {
          CallStreamListener[] listeners = new CallStreamListener[list.size()];
          for (int i = 0; i < listeners.length; i++) {
            listeners[i] = Objects.requireNonNull(list.get(i).create(info), "a factory returned null");
          }
          return listeners.length == 1 ? listeners[0] : new dev.callstream.core.internal.AllListeners(listeners);
        }

        @Override
        public boolean blocks() {
          return blocks;
        }
      };
    }

    /**
     * Whether this factory's listeners may block the calling thread, for example with synchronous
     * disk or network writes ({@link dev.callstream.core.recording.CallRecorder} does). Transports
     * that can run callbacks on their I/O threads refuse such a factory there: the WebSocket server's
     * builder throws when it is combined with {@code Dispatch.IO_THREAD}. Default false; a factory
     * made by {@link #all} blocks when any of its parts does. A factory that wraps another should
     * answer what the wrapped one answers.
     */
    default boolean blocks() {
      return false;
    }
  }
}
