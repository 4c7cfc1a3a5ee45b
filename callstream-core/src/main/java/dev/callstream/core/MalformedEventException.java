package dev.callstream.core;

/**
 * An event from the transport that cannot be taken into the call: a message that cannot be parsed,
 * media for an unknown or stopped segment, a second start, and so on. The call goes on; the event
 * is skipped and reported through {@link CallStreamListener#onError}. The message says what was
 * wrong and never quotes audio or secrets.
 */
public class MalformedEventException extends CallStreamException {
  private static final long serialVersionUID = 1L;

  public MalformedEventException(String message) {
    super(message);
  }

  public MalformedEventException(String message, Throwable cause) {
    super(message, cause);
  }
}
