package dev.callstream.server.wire;

import dev.callstream.core.AudioChannel;
import java.util.Objects;

/**
 * About 20 ms of audio from one perspective.
 *
 * <p>{@code payload} is the decoded base64 of the {@code media} field: encoded audio (G.711 mu-law
 * on today's platform), not PCM. It is the event's own array, shared and not copied; treat it as
 * read-only.
 *
 * @param channel which side of the call
 * @param sequence the {@code sequenceId} as sent, or {@link #NO_SEQUENCE} when it was absent, not an
 *     integer, or outside {@code 0..2^31-1}
 * @param payload the encoded audio bytes, never null
 */
public record Media(AudioChannel channel, long sequence, byte[] payload) implements StreamEvent {
  public static final String EVENT = "Media";

  /** Marks a sequence id that was missing or not a valid integer; such frames are dropped as late. */
  public static final long NO_SEQUENCE = -1;

  /** The largest sequence id the platform can send: sequence ids are non-negative 32-bit integers. */
  public static final long MAX_SEQUENCE = Integer.MAX_VALUE;

  public Media {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(payload, "payload");
    if (sequence < NO_SEQUENCE || sequence > MAX_SEQUENCE) {
      sequence = NO_SEQUENCE;
    }
  }

  @Override
  public String eventName() {
    return EVENT;
  }

  /** Never prints the audio. */
  @Override
  public String toString() {
    return "Media[channel=" + channel + ", sequence=" + sequence + ", bytes=" + payload.length + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Media m
        && m.channel == channel
        && m.sequence == sequence
        && java.util.Arrays.equals(m.payload, payload);
  }

  @Override
  public int hashCode() {
    return (channel.hashCode() * 31 + Long.hashCode(sequence)) * 31 + java.util.Arrays.hashCode(payload);
  }
}
