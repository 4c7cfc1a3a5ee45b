package dev.callstream.server.wire;

import java.util.Objects;

/**
 * An event this version does not know, kept with its raw JSON so nothing the platform sends is lost.
 *
 * @param eventName the {@code event} field
 * @param json the whole message as received
 */
public record Unknown(String eventName, String json) implements StreamEvent, WireEvent {
  public Unknown {
    Objects.requireNonNull(eventName, "eventName");
    Objects.requireNonNull(json, "json");
  }

  /** {@code {"json": <the message as received>}}: this version does not know its fields. */
  @Override
  public java.util.Map<String, Object> fields() {
    return java.util.Map.of("json", json);
  }
}
