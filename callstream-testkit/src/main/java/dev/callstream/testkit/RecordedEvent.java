package dev.callstream.testkit;

import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallMetadata;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamException;
import dev.callstream.core.EndReason;
import dev.callstream.core.Gap;
import dev.callstream.core.Segment;
import dev.callstream.core.SegmentInfo;
import dev.callstream.core.TransportEvent;

/**
 * One listener callback as recorded by {@link RecordingListener}: one record type per
 * {@link dev.callstream.core.CallStreamListener} method, each with the call's id and session.
 */
public sealed interface RecordedEvent {

  /** {@link CallSession#callId()} at the time of the callback. */
  String callId();

  /** The call's session (live: its stats keep changing until the call ends). */
  CallSession session();

  /** {@code onStart}, with the call's metadata as it was then. */
  record OnStart(String callId, CallSession session, CallMetadata metadata) implements RecordedEvent {}

  /** {@code onSegmentStart}. */
  record OnSegmentStart(String callId, CallSession session, Segment segment) implements RecordedEvent {}

  /** {@code onAudio}. */
  record OnAudio(String callId, CallSession session, AudioFrame frame) implements RecordedEvent {}

  /** {@code onGap}. */
  record OnGap(String callId, CallSession session, Gap gap) implements RecordedEvent {}

  /** {@code onSegmentInfo}. */
  record OnSegmentInfo(String callId, CallSession session, Segment segment, SegmentInfo info) implements RecordedEvent {}

  /** {@code onSegmentStop}. */
  record OnSegmentStop(String callId, CallSession session, Segment segment) implements RecordedEvent {}

  /** {@code onTransportEvent}: a raw wire event (WebSocket Connected, Start, Stop, unknown events). */
  record OnTransportEvent(String callId, CallSession session, TransportEvent event) implements RecordedEvent {}

  /** {@code onError}. */
  record OnError(String callId, CallSession session, CallStreamException error) implements RecordedEvent {}

  /** {@code onEnd}: the call's terminal event. {@code cause} is nullable. */
  record OnEnd(String callId, CallSession session, EndReason reason, Throwable cause) implements RecordedEvent {}
}
