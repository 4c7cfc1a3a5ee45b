package dev.callstream.provisioning;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * The body of a media-control stream start ({@code StartStreamRequestDTO}): where the audio goes,
 * the caller's {@code streamId}, and optionally a token for the receiver and the audio properties.
 *
 * <pre>{@code
 * StartStreamRequest request = StartStreamRequest.builder()
 *     .url("wss://media.example.com/ringcx/audio")
 *     .streamId(MediaControlClient.streamId("crm-case-4472", "agent"))
 *     .receiverToken(receiverToken)                  // optional; never printed
 *     .encoding("PCMU").rate(8000).ptime(20)         // optional
 *     .build();
 * }</pre>
 *
 * <p>Immutable. {@link #toString()} masks the receiver token and leaves out the URL (which may
 * carry credentials of its own).
 *
 * @param url where the platform sends the audio: an absolute URL ({@code wss://...}); required
 * @param streamId your identifier for this stream, reused to stop it; required. See {@link
 *     MediaControlClient#streamId} for a deterministic one
 * @param receiverToken opaque token passed through to the stream receiver, or null
 * @param encoding requested audio encoding (free-form, for example {@code PCMU}), or null
 * @param rate requested sample rate in Hz, or null
 * @param ptime requested packetization time in milliseconds, or null
 */
public record StartStreamRequest(
    String url,
    String streamId,
    String receiverToken,
    String encoding,
    Integer rate,
    Integer ptime) {

  /**
   * @throws IllegalArgumentException naming the field: a missing {@code url} or {@code streamId},
   *     a {@code url} that is not absolute, a blank token or encoding, a rate or ptime below 1
   */
  public StartStreamRequest {
    requireUrl(url);
    StreamScope.requireId("streamId", streamId);
    if (receiverToken != null && receiverToken.isBlank()) {
      throw new IllegalArgumentException("receiverToken is blank (leave it out instead)");
    }
    if (encoding != null && encoding.isBlank()) {
      throw new IllegalArgumentException("encoding is blank (leave it out instead)");
    }
    if (rate != null && rate < 1) {
      throw new IllegalArgumentException("rate < 1: " + rate);
    }
    if (ptime != null && ptime < 1) {
      throw new IllegalArgumentException("ptime < 1: " + ptime);
    }
  }

  /** Returns a new empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Whether any of encoding, rate and ptime is set (sent as {@code properties}). */
  public boolean hasProperties() {
    return encoding != null || rate != null || ptime != null;
  }

  @Override
  public String toString() {
    return "StartStreamRequest[streamId="
        + streamId
        + ", receiverToken="
        + (receiverToken == null ? "null" : "***")
        + ", encoding="
        + encoding
        + ", rate="
        + rate
        + ", ptime="
        + ptime
        + "]";
  }

  // The URL is never repeated in a message: it may carry a credential in its query.
  private static void requireUrl(String url) {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("url is required");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("url is not a valid URL (" + e.getReason() + ")");
    }
    if (!uri.isAbsolute() || uri.getHost() == null) {
      throw new IllegalArgumentException("url must be absolute with a host, like wss://host/path");
    }
  }

  /** Builds a {@link StartStreamRequest}; not thread-safe. */
  public static final class Builder {
    private String url;
    private String streamId;
    private String receiverToken;
    private String encoding;
    private Integer rate;
    private Integer ptime;

    private Builder() {}

    /** Where the platform sends the audio (required). */
    public Builder url(String url) {
      this.url = url;
      return this;
    }

    /** Your identifier for the stream, reused to stop it (required). */
    public Builder streamId(String streamId) {
      this.streamId = streamId;
      return this;
    }

    /** Opaque token the platform passes to the receiver (the {@code token} field); optional. */
    public Builder receiverToken(String receiverToken) {
      this.receiverToken = receiverToken;
      return this;
    }

    /** {@code properties.encoding}; optional. */
    public Builder encoding(String encoding) {
      this.encoding = encoding;
      return this;
    }

    /** {@code properties.rate} in Hz; optional. */
    public Builder rate(Integer rate) {
      this.rate = rate;
      return this;
    }

    /** {@code properties.ptime} in milliseconds; optional. */
    public Builder ptime(Integer ptime) {
      this.ptime = ptime;
      return this;
    }

    /**
     * @throws IllegalArgumentException as the {@linkplain StartStreamRequest#StartStreamRequest
     *     constructor} does
     */
    public StartStreamRequest build() {
      return new StartStreamRequest(url, streamId, receiverToken, encoding, rate, ptime);
    }
  }
}
