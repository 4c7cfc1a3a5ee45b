package dev.callstream.provisioning;

/**
 * The unchecked exception family of callstream-provisioning: every failure of a call to the RingCX
 * API is one of these. {@link ApiException} is an HTTP error answered by the server, {@link
 * TransportException} a request that got no answer, {@link ExchangeRateLimitException} a token
 * exchange refused locally to stay within the platform's limit.
 *
 * <p>Messages name the operation and what went wrong; they never contain tokens or secrets.
 * Invalid arguments (a malformed {@code streamingUrl}, a missing required field) are reported with
 * {@link IllegalArgumentException} before any request is sent.
 */
public class ProvisioningException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ProvisioningException(String message) {
    super(message);
  }

  public ProvisioningException(String message, Throwable cause) {
    super(message, cause);
  }
}
