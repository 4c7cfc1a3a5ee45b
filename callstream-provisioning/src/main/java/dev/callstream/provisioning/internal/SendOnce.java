package dev.callstream.provisioning.internal;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Puts a request on the wire at most once. OkHttp on its own sends a request again after a 503
 * with {@code Retry-After: 0}, a 408, some redirects and some connection failures; for a stream
 * start that would be a duplicate the platform cannot tell apart. Tag the request with a new
 * {@code SendOnce} and install {@link #INTERCEPTOR} as a network interceptor: a second
 * transmission then fails with {@link ResendRefusedException}, which names the first answer.
 */
public final class SendOnce {
  /** Stateless; acts only on requests tagged with a {@code SendOnce}. */
  public static final Interceptor INTERCEPTOR = SendOnce::intercept;

  private final AtomicBoolean sent = new AtomicBoolean();
  private volatile int firstStatus;
  private volatile String firstReason = "";

  /** A new tag for one request. */
  public static SendOnce tag() {
    return new SendOnce();
  }

  private SendOnce() {}

  private static Response intercept(Interceptor.Chain chain) throws IOException {
    Request request = chain.request();
    SendOnce once = request.tag(SendOnce.class);
    if (once == null) {
      return chain.proceed(request);
    }
    if (!once.sent.compareAndSet(false, true)) {
      throw new ResendRefusedException(once.firstStatus, once.firstReason);
    }
    Response response;
    try {
      response = chain.proceed(request);
    } catch (IOException e) {
      // OkHttp's own marker for "the connection was shutting down before this request was
      // written" (HTTP/2 GOAWAY): nothing left the client, so a retry on a new connection is safe.
      if (e.getClass().getSimpleName().equals("ConnectionShutdownException")) {
        once.sent.set(false);
      }
      throw e;
    }
    once.firstStatus = response.code();
    once.firstReason = response.message();
    return response;
  }

  /** A second transmission of a {@link SendOnce} request was refused; the first one went out. */
  public static final class ResendRefusedException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int firstStatus;
    private final String firstReason;

    ResendRefusedException(int firstStatus, String firstReason) {
      super(
          "not sent again (the first attempt "
              + (firstStatus == 0 ? "got no answer" : "was answered " + firstStatus)
              + ")");
      this.firstStatus = firstStatus;
      this.firstReason = firstReason == null ? "" : firstReason;
    }

    /** The status of the first attempt's answer, 0 if it got none. */
    public int firstStatus() {
      return firstStatus;
    }

    /** The reason phrase of the first attempt's answer, possibly empty. */
    public String firstReason() {
      return firstReason;
    }
  }
}
