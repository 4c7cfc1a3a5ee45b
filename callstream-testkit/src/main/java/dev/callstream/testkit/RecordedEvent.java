package dev.callstream.testkit;

import dev.callstream.core.AudioChannel;
import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamException;
import dev.callstream.core.Connected;
import dev.callstream.core.EndReason;
import dev.callstream.core.Start;
import dev.callstream.core.Stop;
import dev.callstream.core.Unknown;

/**
 * One listener callback as recorded by {@link RecordingListener}: one record type per
 * {@link dev.callstream.core.CallStreamListener} method, each with the call's id and session.
 */
public sealed interface RecordedEvent {

  /** {@link CallSession#callId()} at the time of the callback. */
  String callId();

  /** The call's session (live: its stats keep changing until the call ends). */
  CallSession session();

  /** {@code onConnected}. */
  record OnConnected(String callId, CallSession session, Connected connected) implements RecordedEvent {}

  /** {@code onStart}. */
  record OnStart(String callId, CallSession session, Start start) implements RecordedEvent {}

  /** {@code onAudio}. */
  record OnAudio(String callId, CallSession session, AudioFrame frame) implements RecordedEvent {}

  /** {@code onGap}. */
  record OnGap(String callId, CallSession session, AudioChannel channel, long fromPosition, int frameCount)
      implements RecordedEvent {}

  /** {@code onStop}. */
  record OnStop(String callId, CallSession session, Stop stop) implements RecordedEvent {}

  /** {@code onUnknownEvent}. */
  record OnUnknown(String callId, CallSession session, Unknown event) implements RecordedEvent {}

  /** {@code onError}. */
  record OnError(String callId, CallSession session, CallStreamException error) implements RecordedEvent {}

  /** {@code onEnd}: the call's terminal event. {@code cause} is nullable. */
  record OnEnd(String callId, CallSession session, EndReason reason, Throwable cause) implements RecordedEvent {}
}
