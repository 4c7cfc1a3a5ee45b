package dev.callstream.core;

import java.util.Objects;

/**
 * An event this version does not know, kept with its raw JSON so nothing the platform sends is lost.
 *
 * @param eventName the {@code event} field
 * @param json the whole message as received
 */
public record Unknown(String eventName, String json) implements StreamEvent {
  public Unknown {
    Objects.requireNonNull(eventName, "eventName");
    Objects.requireNonNull(json, "json");
  }
}
