package dev.callstream.testkit;

import dev.callstream.core.CallStreamException;

/** The server refused the WebSocket upgrade: an HTTP 4xx, or a 5xx on every attempt. */
public final class HandshakeFailedException extends CallStreamException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final int attempts;

  public HandshakeFailedException(String callId, int status, int attempts) {
    super("upgrade refused with HTTP " + status + " after " + attempts + " attempt(s), call " + callId);
    this.status = status;
    this.attempts = attempts;
  }

  /** The HTTP status of the last attempt. */
  public int status() {
    return status;
  }

  /** How many upgrade requests were made. */
  public int attempts() {
    return attempts;
  }
}
