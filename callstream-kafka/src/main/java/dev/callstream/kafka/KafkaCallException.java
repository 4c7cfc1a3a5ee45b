package dev.callstream.kafka;

/** Kafka could not be used as configured: a missing topic, an unreachable cluster. */
public class KafkaCallException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public KafkaCallException(String message, Throwable cause) {
    super(message, cause);
  }
}
