package dev.callstream.core;

/**
 * The one unchecked exception family of callstream. Subclasses add diagnostic fields; every message
 * names what was wrong (and the call id where one is known) but never contains audio or secrets.
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
