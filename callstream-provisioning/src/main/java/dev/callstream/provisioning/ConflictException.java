package dev.callstream.provisioning;

/**
 * HTTP 409 Conflict: the request conflicts with the current state (for media control: a duplicate
 * or conflicting stream state, such as a second start of a {@code streamId} or parallel start and
 * stop of one stream).
 */
public final class ConflictException extends ApiException {
  private static final long serialVersionUID = 1L;

  public ConflictException(String reason, String serverMessage, String method, String path) {
    super(409, reason, serverMessage, method, path);
  }
}
