package dev.callstream.provisioning;

/**
 * The server answered with an HTTP error status. Carries the {@linkplain #status() status}, the
 * {@linkplain #reason() reason phrase}, and the {@linkplain #serverMessage() server's message}: the
 * {@code message}, {@code error}, {@code errorMessage} or {@code generalMessage} (RingCX) field
 * of a JSON error body, otherwise the body itself, truncated to about 500 characters. Secrets and
 * tokens echoed by the server are replaced by {@code ***} before they reach this exception.
 *
 * <p>The message reads {@code HTTP 404 Not Found: <server message> (GET /platform/api/...)}.
 *
 * <p>The statuses a caller usually handles differently have their own subclasses: {@link
 * BadRequestException} (400), {@link ForbiddenException} (403), {@link NotFoundException} (404)
 * and {@link ConflictException} (409); every other status is a plain {@code ApiException}.
 */
public class ApiException extends ProvisioningException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String reason;
  private final String serverMessage;
  private final String method;
  private final String path;

  public ApiException(int status, String reason, String serverMessage, String method, String path) {
    super(describe(status, reason, serverMessage, method, path));
    this.status = status;
    this.reason = reason == null ? "" : reason;
    this.serverMessage = serverMessage == null ? "" : serverMessage;
    this.method = method;
    this.path = path;
  }

  private static String describe(
      int status, String reason, String serverMessage, String method, String path) {
    StringBuilder text = new StringBuilder("HTTP ").append(status);
    if (reason != null && !reason.isEmpty()) {
      text.append(' ').append(reason);
    }
    if (serverMessage != null && !serverMessage.isEmpty()) {
      text.append(": ").append(serverMessage);
    }
    return text.append(" (").append(method).append(' ').append(path).append(')').toString();
  }

  /** The HTTP status code, for example 404. */
  public int status() {
    return status;
  }

  /** The reason phrase sent by the server, or the standard one for the status; never null. */
  public String reason() {
    return reason;
  }

  /** What the server said about the error, secrets masked; empty when the body was empty. */
  public String serverMessage() {
    return serverMessage;
  }

  /** The HTTP method of the failed request. */
  public String method() {
    return method;
  }

  /** The URL path of the failed request (no query, no host). */
  public String path() {
    return path;
  }
}
