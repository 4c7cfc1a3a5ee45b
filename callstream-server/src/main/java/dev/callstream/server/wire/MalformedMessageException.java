package dev.callstream.server.wire;

/**
 * A message from the platform that cannot be understood: not JSON, no {@code event}, a Media
 * message without perspective or payload, invalid base64, and so on. The message says what was
 * wrong; it never quotes the audio payload.
 */
public final class MalformedMessageException extends dev.callstream.core.MalformedEventException {
  private static final long serialVersionUID = 1L;

  public MalformedMessageException(String message) {
    super(message);
  }

  public MalformedMessageException(String message, Throwable cause) {
    super(message, cause);
  }
}
