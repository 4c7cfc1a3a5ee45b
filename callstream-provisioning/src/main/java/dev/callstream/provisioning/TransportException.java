package dev.callstream.provisioning;

/**
 * A request that got no HTTP answer: connection refused, timeout, TLS failure, a response cut off
 * or larger than allowed. The cause is the underlying {@link java.io.IOException} when there is one.
 * Not retried by the client: whether the server acted on the request is unknown.
 */
public final class TransportException extends ProvisioningException {
  private static final long serialVersionUID = 1L;

  public TransportException(String message, Throwable cause) {
    super(message, cause);
  }
}
