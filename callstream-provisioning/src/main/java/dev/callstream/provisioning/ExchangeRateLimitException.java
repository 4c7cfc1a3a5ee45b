package dev.callstream.provisioning;

import java.time.Duration;

/**
 * A RingCentral-to-RingCX token exchange was refused locally because the last minute already saw
 * as many exchanges as the platform allows (5 per minute). Nothing was sent. Retry after {@link
 * #retryAfter()}; a burst of these usually means the RingCentral token is being rejected or tokens
 * are not being cached.
 */
public final class ExchangeRateLimitException extends ProvisioningException {
  private static final long serialVersionUID = 1L;

  private final Duration retryAfter;

  public ExchangeRateLimitException(int limit, Duration window, Duration retryAfter) {
    super(
        "token exchange limit reached: "
            + limit
            + " exchanges in "
            + window.toSeconds()
            + " s; next allowed in "
            + retryAfter.toMillis()
            + " ms");
    this.retryAfter = retryAfter;
  }

  /** How long until the next exchange is allowed. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
