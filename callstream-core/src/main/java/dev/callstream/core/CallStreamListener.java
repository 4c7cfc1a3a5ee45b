package dev.callstream.core;

/**
 * Receives one call's stream. Override only what you need: every method has an empty default.
 *
 * <h2>Threading</h2>
 * A {@link Factory} creates one listener per call, so a listener can keep its call's state in plain
 * fields. Calls for one call are sequential and in order (each happens-before the next); different
 * calls run concurrently on a shared pool. Do not block: hand slow I/O to your own executor. A
 * listener that is slow fills only its own call's bounded buffer, after which the server stops reading
 * that call until it catches up (see the server's back-pressure); a listener that throws ends only its
 * own call, with {@link EndReason#ERROR}.
 *
 * <h2>Order</h2>
 * {@code onConnected}, {@code onStart}, then {@code onAudio} and {@code onGap} per channel in
 * timeline order ({@link AudioFrame#position()} 0, 1, 2... with every missing position reported once
 * by {@code onGap}), {@code onStop} per Stop received, {@code onUnknownEvent} and {@code onError} as
 * they come, and finally exactly one {@link #onEnd}. No further calls are made after {@code onEnd}.
 *
 * <h2>Nullness</h2>
 * Arguments are never null unless the method says so.
 */
public interface CallStreamListener {

  /** The platform's first message. */
  default void onConnected(CallSession session, Connected connected) {}

  /** The stream's metadata. {@link CallSession#start()} returns it from now on. */
  default void onStart(CallSession session, Start start) {}

  /** The next frame of one channel, in timeline order. */
  default void onAudio(CallSession session, AudioFrame frame) {}

  /**
   * Frames of one channel that never arrived (or came too late). Positions
   * {@code fromPosition .. fromPosition + frameCount - 1} are missing; recorders fill them with
   * silence so the timeline stays aligned.
   */
  default void onGap(CallSession session, AudioChannel channel, long fromPosition, int frameCount) {}

  /** One Stop; the platform sends one per perspective. */
  default void onStop(CallSession session, Stop stop) {}

  /** An event this version does not know, kept raw. */
  default void onUnknownEvent(CallSession session, Unknown event) {}

  /**
   * A problem that did not end the call, such as a malformed message that was skipped. The call goes
   * on.
   */
  default void onError(CallSession session, CallStreamException error) {}

  /**
   * The terminal event: called exactly once per call, after every other callback.
   *
   * @param reason why the call ended
   * @param cause what went wrong for {@link EndReason#ERROR}, else usually null
   */
  default void onEnd(CallSession session, EndReason reason, Throwable cause) {}

  /** Creates one listener per call. */
  @FunctionalInterface
  interface Factory {
    /** A factory whose listeners ignore everything. */
    Factory NONE = info -> new CallStreamListener() {};

    /**
     * Creates the listener for a new call. Called once per admitted call, before any other callback
     * of that call, on a dispatch thread. Throwing refuses the call (it ends with ERROR).
     */
    CallStreamListener create(CallInfo info);
  }
}
