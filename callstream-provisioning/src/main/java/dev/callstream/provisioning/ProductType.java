package dev.callstream.provisioning;

import java.util.Locale;

/** What a streaming profile is attached to: an inbound queue or an outbound campaign. */
public enum ProductType {
  /** An inbound queue (ACD). */
  QUEUE,
  /** An outbound campaign. */
  CAMPAIGN;

  /**
   * Parses a product type case-insensitively ({@code queue}, {@code Campaign}).
   *
   * @throws IllegalArgumentException naming {@code productType} if the text is neither
   */
  public static ProductType parse(String text) {
    if (text != null) {
      String upper = text.trim().toUpperCase(Locale.ROOT);
      for (ProductType type : values()) {
        if (type.name().equals(upper)) {
          return type;
        }
      }
    }
    throw new IllegalArgumentException(
        "productType must be QUEUE or CAMPAIGN, not '" + text + "'");
  }
}
