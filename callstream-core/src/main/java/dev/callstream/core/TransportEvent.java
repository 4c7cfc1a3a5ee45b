package dev.callstream.core;

import java.util.Map;

/**
 * A raw event of the transport, for listeners that want the wire as sent: the WebSocket
 * {@code Connected}, {@code Start}, {@code Stop} and unknown events, or the gRPC stream events
 * other than media. The call model ({@link CallStreamListener#onStart}, segments, frames) carries
 * everything a listener usually needs; this is the escape hatch.
 */
public interface TransportEvent {

  /** The transport that sent it. */
  Transport transport();

  /** The wire event name, such as {@code Start} or {@code segment_info}. */
  String name();

  /**
   * The event's fields as a JSON-like value (String, Number, Boolean, null, List, Map), in order,
   * with secrets removed; never null.
   */
  Map<String, Object> fields();
}
