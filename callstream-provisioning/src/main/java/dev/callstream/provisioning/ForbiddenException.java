package dev.callstream.provisioning;

/**
 * HTTP 403 Forbidden: the token is valid but the user or account may not do this (OAuth scope,
 * sub-account mapping, streaming access). Sending it again unchanged will fail again.
 */
public final class ForbiddenException extends ApiException {
  private static final long serialVersionUID = 1L;

  public ForbiddenException(String reason, String serverMessage, String method, String path) {
    super(403, reason, serverMessage, method, path);
  }
}
