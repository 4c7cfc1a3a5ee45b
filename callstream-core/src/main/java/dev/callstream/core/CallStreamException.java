package dev.callstream.core;

/**
 * The unchecked exception family of a call's stream: what goes wrong while receiving, decoding,
 * sequencing or recording a call, reported through {@link CallStreamListener#onError} or as the
 * cause of {@link CallStreamListener#onEnd}, and thrown when a server cannot start. Subclasses add
 * diagnostic fields; every message names what was wrong (and the call id where one is known) but
 * never contains audio or secrets.
 *
 * <p>It is not the only family: the RingCX API client has its own ({@code ProvisioningException} in
 * callstream-provisioning), and so does the Kafka module ({@code KafkaCallException},
 * {@code CallAbandonedException}). Invalid arguments to builders and factories are reported with
 * {@link IllegalArgumentException}, {@link IllegalStateException} or {@link NullPointerException}
 * where they are passed.
 */
public class CallStreamException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CallStreamException(String message) {
    super(message);
  }

  public CallStreamException(String message, Throwable cause) {
    super(message, cause);
  }
}
