package dev.callstream.core;

import java.util.Objects;

/**
 * An event about one segment, such as {@code hold} or {@code unhold}.
 *
 * @param event the event name as sent, never null
 * @param data the event's data as sent, or null
 */
public record SegmentInfo(String event, String data) {
  public SegmentInfo {
    Objects.requireNonNull(event, "event");
  }
}
