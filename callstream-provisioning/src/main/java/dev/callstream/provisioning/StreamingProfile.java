package dev.callstream.provisioning;

/**
 * A streaming profile: where RingCX streams the audio of a queue's or campaign's calls. Used both
 * as the request of {@link StreamingProfileClient#create create} / {@link
 * StreamingProfileClient#update update} and as their response.
 *
 * <p>Every component is nullable so that a partial response can be represented; the client checks
 * that the fields the API requires are present before sending. {@link #toString()} masks the
 * {@code secret}. Build one with {@link #builder()}:
 *
 * <pre>{@code
 * StreamingProfile profile = StreamingProfile.builder()
 *     .productType(ProductType.QUEUE).productId(1234)
 *     .subAccountId("99990001").mainAccountId("99990000").rcAccountId("37439510")
 *     .streamingUrl("wss://stream.example.com")
 *     .secret("shared-secret")
 *     .build();
 * }</pre>
 *
 * @param productType queue or campaign
 * @param productId the queue's or campaign's id
 * @param subAccountId the RingCX sub-account that owns the product
 * @param mainAccountId the RingCX main account (required on create)
 * @param rcAccountId the RingCentral account id (required on create)
 * @param streamingUrl {@code wss://host[:port]}, no path
 * @param secret optional shared secret the platform presents to the streaming server
 */
public record StreamingProfile(
    ProductType productType,
    Integer productId,
    String subAccountId,
    String mainAccountId,
    String rcAccountId,
    String streamingUrl,
    String secret) {

  /** Returns a new empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns a builder holding this profile's values, to change some of them. */
  public Builder toBuilder() {
    return new Builder()
        .productType(productType)
        .productId(productId)
        .subAccountId(subAccountId)
        .mainAccountId(mainAccountId)
        .rcAccountId(rcAccountId)
        .streamingUrl(streamingUrl)
        .secret(secret);
  }

  @Override
  public String toString() {
    return "StreamingProfile[productType="
        + productType
        + ", productId="
        + productId
        + ", subAccountId="
        + subAccountId
        + ", mainAccountId="
        + mainAccountId
        + ", rcAccountId="
        + rcAccountId
        + ", streamingUrl="
        + streamingUrl
        + ", secret="
        + (secret == null ? "null" : "***")
        + "]";
  }

  /** Builds a {@link StreamingProfile}; not thread-safe. */
  public static final class Builder {
    private ProductType productType;
    private Integer productId;
    private String subAccountId;
    private String mainAccountId;
    private String rcAccountId;
    private String streamingUrl;
    private String secret;

    private Builder() {}

    public Builder productType(ProductType productType) {
      this.productType = productType;
      return this;
    }

    public Builder productId(Integer productId) {
      this.productId = productId;
      return this;
    }

    public Builder subAccountId(String subAccountId) {
      this.subAccountId = subAccountId;
      return this;
    }

    public Builder mainAccountId(String mainAccountId) {
      this.mainAccountId = mainAccountId;
      return this;
    }

    public Builder rcAccountId(String rcAccountId) {
      this.rcAccountId = rcAccountId;
      return this;
    }

    public Builder streamingUrl(String streamingUrl) {
      this.streamingUrl = streamingUrl;
      return this;
    }

    public Builder secret(String secret) {
      this.secret = secret;
      return this;
    }

    public StreamingProfile build() {
      return new StreamingProfile(
          productType, productId, subAccountId, mainAccountId, rcAccountId, streamingUrl, secret);
    }
  }
}
