package dev.callstream.provisioning;

import java.util.Objects;

/**
 * Supplies the RingCX access token sent as {@code Authorization: Bearer <token>}.
 *
 * <p>Implementations must be thread-safe: the client calls {@link #token()} before every request
 * and {@link #invalidate(String)} when the server answers 401, then asks for a token once more and
 * retries the request once if it got a different one. Use {@link #fixed(String)} for a token you
 * manage yourself, or {@link ExchangingTokenProvider} to obtain and renew RingCX tokens from a
 * RingCentral token.
 */
public interface TokenProvider {

  /**
   * Returns a token believed to be valid; never null. May block while a token is obtained.
   *
   * @throws ProvisioningException if no token can be obtained
   */
  String token();

  /**
   * Tells the provider that the server rejected {@code token} (HTTP 401), so the next {@link
   * #token()} must not return it. Does nothing if the provider has already moved on to another
   * token. The default does nothing.
   */
  default void invalidate(String token) {}

  /** A provider that always returns {@code token}; its {@code toString()} does not reveal it. */
  static TokenProvider fixed(String token) {
    Objects.requireNonNull(token, "token");
    if (token.isBlank()) {
      throw new IllegalArgumentException("token is blank");
    }
    return new TokenProvider() {
      @Override
      public String token() {
        return token;
      }

      @Override
      public String toString() {
        return "TokenProvider.fixed(***)";
      }
    };
  }
}
