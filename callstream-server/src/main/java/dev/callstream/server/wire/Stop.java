package dev.callstream.server.wire;

import dev.callstream.core.AudioChannel;
import java.util.Map;
import java.util.Objects;

/**
 * End of a stream. The platform sends one Stop per perspective, and today's Stop does not say which
 * perspective it ends; {@code channel} is non-null only if a future platform names one.
 *
 * @param channel the perspective this Stop names, or null (the documented platform never names one)
 * @param durationSeconds the {@code duration} field, or null when absent or not a number
 * @param endTime the {@code end_time} field as sent (RFC 3339), or null
 * @param metadata the raw metadata object, unmodifiable, never null
 */
public record Stop(AudioChannel channel, Long durationSeconds, String endTime, Map<String, Object> metadata)
    implements StreamEvent, WireEvent {
  public static final String EVENT = "Stop";

  public Stop {
    // keeps the order as received and JSON nulls (Map.copyOf would drop the order and reject nulls)
    metadata = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(Objects.requireNonNull(metadata, "metadata")));
  }

  @Override
  public String eventName() {
    return EVENT;
  }

  @Override
  public Map<String, Object> fields() {
    return metadata;
  }
}
