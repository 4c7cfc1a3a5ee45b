package dev.callstream.kafka;

/**
 * The cause of {@code onEnd(SHUTDOWN)} for a call whose replay stopped before its end (the source
 * closed, or its partition moved to another consumer): the consumer group replays the call again
 * from its start, so a sink may discard what it wrote for this one.
 */
public class CallAbandonedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CallAbandonedException(String message) {
    super(message);
  }
}
