package dev.callstream.provisioning;

/**
 * HTTP 400 Bad Request: the request was malformed or missed a required field (for media control:
 * {@code url} or {@code streamId}). Sending it again unchanged will fail again.
 */
public final class BadRequestException extends ApiException {
  private static final long serialVersionUID = 1L;

  public BadRequestException(String reason, String serverMessage, String method, String path) {
    super(400, reason, serverMessage, method, path);
  }
}
