package dev.callstream.provisioning;

/**
 * HTTP 404 Not Found: the addressed resource does not exist (a streaming profile that was never
 * created; for media control, a dialog or segment that is no longer addressable, typically because
 * the interaction ended).
 */
public final class NotFoundException extends ApiException {
  private static final long serialVersionUID = 1L;

  public NotFoundException(String reason, String serverMessage, String method, String path) {
    super(404, reason, serverMessage, method, path);
  }
}
