package dev.callstream.server.wire;

import dev.callstream.core.audio.AudioFormat;
import java.util.Map;
import java.util.Objects;

/**
 * The stream's metadata, sent once right after {@link Connected}.
 *
 * <p>Ids arrive from the platform as JSON strings or numbers; they are all kept here as strings
 * exactly as written (a number {@code 2} becomes {@code "2"}). Every field is nullable when the
 * platform leaves it out, except {@code metadata}, which holds the whole metadata object as
 * received (unknown fields included), in order, unmodifiable.
 *
 * @param callId the call id (the platform's UII)
 * @param sessionId the session id within the call
 * @param ani the caller's number
 * @param dnis the dialled number
 * @param accountId the Engage Voice account id
 * @param subaccountId the Engage Voice sub-account id
 * @param rcAccountId the RingCentral office account id
 * @param agentId the agent id
 * @param productType {@code Queue}, {@code Campaign} or {@code Manual}, as sent
 * @param productId the queue or campaign id
 * @param contentType the audio content type ({@code contentType} or {@code audioContentType} on the wire)
 * @param sampleRateHertz the sample rate, or 0 when absent
 * @param metadata the raw metadata object
 */
public record Start(
    String callId,
    String sessionId,
    String ani,
    String dnis,
    String accountId,
    String subaccountId,
    String rcAccountId,
    String agentId,
    String productType,
    String productId,
    String contentType,
    int sampleRateHertz,
    Map<String, Object> metadata)
    implements StreamEvent, WireEvent {
  public static final String EVENT = "Start";

  public Start {
    // keeps the order as received and JSON nulls (Map.copyOf would drop the order and reject nulls)
    metadata = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(Objects.requireNonNull(metadata, "metadata")));
  }

  /** The audio format this Start announces (20 ms frames); mu-law 8 kHz when the content type is absent. */
  public AudioFormat audioFormat() {
    return fromContentType(contentType, sampleRateHertz);
  }

  /**
   * The format named by a content type ({@code audio/x-mulaw}, {@code audio/PCMU}, {@code audio/x-alaw},
   * {@code audio/PCMA}, {@code audio/L16} (big-endian, as RFC 3551), {@code audio/pcm16} or
   * {@code linear16} (little-endian)...). An absent or unknown content type means mu-law, which is all
   * the platform documents; a missing rate means 8000 Hz.
   */
  public static AudioFormat fromContentType(String contentType, int sampleRateHertz) {
    int rate = sampleRateHertz > 0 ? sampleRateHertz : 8000;
    if (contentType == null) {
      return new AudioFormat(AudioFormat.Encoding.MULAW, rate);
    }
    String type = contentType.toLowerCase(java.util.Locale.ROOT);
    if (type.contains("alaw") || type.contains("pcma") || type.contains("g711a")) {
      return new AudioFormat(AudioFormat.Encoding.ALAW, rate);
    }
    if (type.contains("pcm16") || type.contains("linear16")) {
      return new AudioFormat(AudioFormat.Encoding.PCM16, rate);
    }
    if (type.contains("l16")) {
      return new AudioFormat(AudioFormat.Encoding.L16, rate);
    }
    return new AudioFormat(AudioFormat.Encoding.MULAW, rate);
  }

  @Override
  public String eventName() {
    return EVENT;
  }

  @Override
  public Map<String, Object> fields() {
    return metadata;
  }

  /** Never prints metadata values: they may include a shared secret. */
  @Override
  public String toString() {
    return "Start[callId=" + callId + ", sessionId=" + sessionId + ", contentType=" + contentType
        + ", sampleRateHertz=" + sampleRateHertz + ", fields=" + metadata.keySet() + "]";
  }
}
