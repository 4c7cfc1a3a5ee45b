package dev.callstream.provisioning;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.callstream.provisioning.internal.ClientCore;
import dev.callstream.provisioning.internal.JsonHttp;
import dev.callstream.provisioning.internal.SendOnce;
import dev.callstream.provisioning.internal.Sleeper;
import dev.callstream.provisioning.internal.SlidingWindowLimiter;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okio.BufferedSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts and stops the audio stream of a live RingCX dialog or of one of its segments (the Media
 * Control API): stream only after consent, only the agent leg of a transferred call, or stop
 * before sensitive information is discussed. A streaming profile must be configured first (see
 * {@link StreamingProfileClient}).
 *
 * <pre>{@code
 * MediaControlClient media = MediaControlClient.builder().rcAccessToken(ringCentralToken).build();
 * StreamScope agentLeg = StreamScope.segment(rcAccountId, subAccountId, dialogId, segmentId);
 * String streamId = MediaControlClient.streamId("qa-review", dialogId, segmentId);
 * StreamStartOutcome outcome = media.start(agentLeg, StartStreamRequest.builder()
 *     .url("wss://media.example.com/ringcx/audio").streamId(streamId).build());
 * if (outcome.uncertain()) {
 *   // check your receiver for streamId before starting again; see StreamStartOutcome
 * }
 * ...
 * media.stop(agentLeg, streamId);
 * }</pre>
 *
 * <p><b>Requests.</b> {@code POST
 * {baseUrl}/voice/api/cx/integration/v1/accounts/{rcAccountId}/sub-accounts/{subAccountId}/dialogs/{dialogId}[/segments/{segmentId}]/streams}
 * with the JSON body {@code {url, streamId, token?, properties?: {encoding?, rate?, ptime?}}}
 * (absent fields left out) starts; {@code DELETE} of the same path plus {@code /{streamId}} stops.
 * Path segments are URL-encoded. Both are answered {@code 200} with an empty body. Headers as for
 * {@link StreamingProfileClient}: {@code Authorization: Bearer <token>}, {@code Accept}, {@code
 * User-Agent}.
 *
 * <p><b>Rate limit.</b> The platform allows 120 requests a minute. Every request this client sends
 * (starts, stops and their retries, from any thread) takes a place in one sliding window of
 * {@linkplain Builder#maxRequestsPerMinute 120 per 60 s}; a request beyond it <em>waits</em> (the
 * calling thread blocks) until the window has room, so a burst of 200 starts is paced over about
 * a minute rather than refused. Token exchanges are not counted here (they have their own limit).
 *
 * <p><b>Retries.</b> A start is <b>never</b> sent twice after a timeout, a connection cut or a 5xx:
 * the platform cannot tell a duplicate start of a {@code streamId} from a new one, so {@link
 * #start} returns a {@link StreamStartOutcome} that is {@linkplain StreamStartOutcome#uncertain()
 * uncertain} and leaves the decision to you (this also stops OkHttp's own silent resends). A 401
 * is retried once with a fresh token and a 429 up to {@linkplain Builder#maxAttempts 3 attempts}
 * (both mean nothing was done). A stop is retried on 429 and 5xx, honouring {@code Retry-After};
 * a stop that follows a first attempt which took effect may then be answered 404 or 409.
 *
 * <p><b>Errors.</b> {@link ApiException} for an HTTP error ({@link BadRequestException}, {@link
 * ForbiddenException}, {@link NotFoundException} and {@link ConflictException} for 400, 403, 404
 * and 409), {@link TransportException} when no answer arrived. The access token and the receiver
 * token never appear in an exception message, in {@code toString()} or in a log line.
 *
 * <p>Thread-safe; calls block the calling thread. The client owns nothing that needs closing: an
 * injected {@code OkHttpClient} stays the caller's.
 */
public final class MediaControlClient {
  /** The current RingCX host, as for {@link StreamingProfileClient#DEFAULT_BASE_URL}. */
  public static final String DEFAULT_BASE_URL = StreamingProfileClient.DEFAULT_BASE_URL;

  /** The platform's published limit for media-control requests per minute. */
  public static final int PLATFORM_REQUESTS_PER_MINUTE = 120;

  private static final Logger log = LoggerFactory.getLogger(MediaControlClient.class);
  private static final String STREAM_ID_PREFIX = "cs-";

  private final ClientCore core;
  private final JsonHttp http;
  private final SlidingWindowLimiter limiter;

  private MediaControlClient(ClientCore core, SlidingWindowLimiter limiter) {
    this.core = core;
    this.http = core.http();
    this.limiter = limiter;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A {@code streamId} derived from your own keys (a CRM case, a dialog id, a purpose): the same
   * keys give the same id in any process, on any machine and in any version of this library, so a
   * worker that restarts stops the stream another one started, and a repeated start is
   * recognisable. Different key lists give different ids ({@code ("ab", "c")} is not {@code ("a",
   * "bc")}). The keys themselves do not appear in the id, so an id in the platform's or the
   * receiver's logs does not reveal them.
   *
   * @return {@code "cs-"} and 32 lower-case hex digits (the first 128 bits of a SHA-256 over the
   *     length-prefixed UTF-8 keys)
   * @throws NullPointerException if a key is null
   */
  public static String streamId(String key, String... moreKeys) {
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
    update(sha256, Objects.requireNonNull(key, "key"));
    for (String more : moreKeys) {
      update(sha256, Objects.requireNonNull(more, "key"));
    }
    return STREAM_ID_PREFIX + HexFormat.of().formatHex(sha256.digest(), 0, 16);
  }

  private static void update(MessageDigest digest, String key) {
    byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
    digest.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
    digest.update(bytes);
  }

  /**
   * Starts streaming {@code scope} to {@code request.url()} ({@code POST .../streams}). Waits for
   * room in the rate limit first.
   *
   * <p><b>Never retried after a timeout or a 5xx.</b> When the request went out but the answer is
   * missing or a 5xx, the stream may or may not have started, and a second start of the same
   * {@code streamId} would be ambiguous for the platform; so this returns an {@linkplain
   * StreamStartOutcome#uncertain() uncertain} outcome instead of retrying or throwing. Check
   * whether your receiver got the stream before you start it again (with the same {@code
   * streamId}) or stop it.
   *
   * @return {@code STARTED} on 200, {@code UNCERTAIN} (with its cause) when the request may have
   *     been acted on
   * @throws BadRequestException 400: {@code url} or {@code streamId} missing, or a malformed body
   * @throws ForbiddenException 403: the user or account may not control media of this sub-account
   * @throws NotFoundException 404: the dialog or segment is no longer addressable
   * @throws ConflictException 409: duplicate or conflicting stream state for this {@code streamId}
   * @throws ApiException another HTTP error (including a 429 after the last attempt); nothing was
   *     started by this request
   * @throws TransportException the request never left (connection refused, unknown host, TLS
   *     handshake failed): nothing was started, sending it again is safe
   * @throws ProvisioningException no token could be obtained, or the thread was interrupted while
   *     waiting for the rate limit (nothing sent)
   */
  public StreamStartOutcome start(StreamScope scope, StartStreamRequest request) {
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(request, "request");
    HttpUrl url = streamsUrl(scope).build();
    byte[] body = http.write(startBody(request)).getBytes(StandardCharsets.UTF_8);
    List<String> secrets = new ArrayList<>();
    secrets.add(request.receiverToken());
    ClientCore.Attempts attempts = core.attempts();
    while (true) {
      pace("POST", url);
      Request httpRequest =
          core.request(url, attempts.token())
              .post(new OneShotBody(body))
              .tag(SendOnce.class, SendOnce.tag())
              .build();
      JsonHttp.Answer answer;
      try {
        answer = core.send(httpRequest);
      } catch (TransportException e) {
        if (neverSent(e)) {
          throw e;
        }
        log.debug(
            "POST {} outcome uncertain, not retried: {}", url.encodedPath(), e.getMessage());
        return StreamStartOutcome.uncertain(request.streamId(), uncertainCause(e, httpRequest));
      }
      if (answer.successful()) {
        return StreamStartOutcome.started(request.streamId());
      }
      if (attempts.reauthenticated(answer)
          || attempts.retried(answer, answer.status() == 429, httpRequest)) {
        continue;
      }
      secrets.add(attempts.token());
      ApiException error = http.error(answer, httpRequest, secrets);
      if (answer.status() >= 500) {
        log.debug("POST {} outcome uncertain, not retried: {}", url.encodedPath(), answer.status());
        return StreamStartOutcome.uncertain(request.streamId(), error);
      }
      throw error;
    }
  }

  /**
   * Stops the stream {@code streamId} of {@code scope} ({@code DELETE .../streams/{streamId}}).
   * Waits for room in the rate limit first; retried on 429 and 5xx (see the class comment).
   *
   * @throws IllegalArgumentException if {@code streamId} is blank, {@code .} or {@code ..}
   * @throws NotFoundException 404: the dialog or segment is no longer addressable
   * @throws ConflictException 409: conflicting stream state (for example a start still in flight)
   * @throws ApiException another HTTP error
   * @throws TransportException no answer arrived (not retried: it may have been acted on)
   */
  public void stop(StreamScope scope, String streamId) {
    Objects.requireNonNull(scope, "scope");
    StreamScope.requireId("streamId", streamId);
    HttpUrl url = streamsUrl(scope).addPathSegment(streamId).build();
    ClientCore.Attempts attempts = core.attempts();
    while (true) {
      pace("DELETE", url);
      Request httpRequest = core.request(url, attempts.token()).delete().build();
      JsonHttp.Answer answer = core.send(httpRequest);
      if (answer.successful()) {
        return;
      }
      boolean retryable = answer.status() == 429 || answer.status() >= 500;
      if (attempts.reauthenticated(answer) || attempts.retried(answer, retryable, httpRequest)) {
        continue;
      }
      throw http.error(answer, httpRequest, List.of(attempts.token()));
    }
  }

  private HttpUrl.Builder streamsUrl(StreamScope scope) {
    HttpUrl.Builder url =
        core.baseUrl()
            .newBuilder()
            .addPathSegments("voice/api/cx/integration/v1/accounts")
            .addPathSegment(scope.rcAccountId())
            .addPathSegment("sub-accounts")
            .addPathSegment(scope.subAccountId())
            .addPathSegment("dialogs")
            .addPathSegment(scope.dialogId());
    if (scope.isSegment()) {
      url.addPathSegment("segments").addPathSegment(scope.segmentId());
    }
    return url.addPathSegment("streams");
  }

  private ObjectNode startBody(StartStreamRequest request) {
    ObjectNode body = http.mapper().createObjectNode();
    body.put("url", request.url());
    body.put("streamId", request.streamId());
    if (request.receiverToken() != null) {
      body.put("token", request.receiverToken());
    }
    if (request.hasProperties()) {
      ObjectNode properties = body.putObject("properties");
      if (request.encoding() != null) {
        properties.put("encoding", request.encoding());
      }
      if (request.rate() != null) {
        properties.put("rate", request.rate());
      }
      if (request.ptime() != null) {
        properties.put("ptime", request.ptime());
      }
    }
    return body;
  }

  /**
   * Failures that happen before a request is written: nothing reached the platform. Everything
   * else (timeouts, resets, a cut response) may have been acted on.
   */
  private static boolean neverSent(TransportException e) {
    Throwable cause = e.getCause();
    return cause instanceof ConnectException
        || cause instanceof NoRouteToHostException
        || cause instanceof UnknownHostException
        || cause instanceof SSLHandshakeException
        || cause instanceof SSLPeerUnverifiedException;
  }

  /** The 5xx of the first attempt when OkHttp tried to send the start again, else {@code e}. */
  private static ProvisioningException uncertainCause(TransportException e, Request request) {
    if (e.getCause() instanceof SendOnce.ResendRefusedException refused
        && refused.firstStatus() != 0) {
      String reason =
          refused.firstReason().isBlank()
              ? JsonHttp.standardReason(refused.firstStatus())
              : refused.firstReason();
      return JsonHttp.error(
          refused.firstStatus(), reason, "", request.method(), request.url().encodedPath());
    }
    return e;
  }

  private void pace(String method, HttpUrl url) {
    while (true) {
      Duration wait = limiter.tryAcquire();
      if (wait.isZero()) {
        return;
      }
      log.debug(
          "{} {} waits {} ms for the rate limit ({} requests a minute)",
          method,
          url.encodedPath(),
          wait.toMillis(),
          limiter.permits());
      try {
        core.sleeper().sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ProvisioningException(
            method
                + " "
                + url.encodedPath()
                + " interrupted while waiting for the rate limit; not sent",
            e);
      }
    }
  }

  @Override
  public String toString() {
    return "MediaControlClient[" + core.baseUrl() + "]";
  }

  /**
   * A body OkHttp must not send twice on its own: with {@code isOneShot} it gives up instead of
   * silently resending after a failure once the request started going out.
   */
  private static final class OneShotBody extends RequestBody {
    private final byte[] bytes;

    OneShotBody(byte[] bytes) {
      this.bytes = bytes;
    }

    @Override
    public MediaType contentType() {
      return JsonHttp.JSON;
    }

    @Override
    public long contentLength() {
      return bytes.length;
    }

    @Override
    public boolean isOneShot() {
      return true;
    }

    @Override
    public void writeTo(BufferedSink sink) throws java.io.IOException {
      sink.write(bytes);
    }
  }

  /** Configures a {@link MediaControlClient}; not thread-safe. */
  public static final class Builder {
    private final ClientCore.Options options = new ClientCore.Options();
    private int maxRequestsPerMinute = PLATFORM_REQUESTS_PER_MINUTE;

    private Builder() {}

    /** The API host; default {@value #DEFAULT_BASE_URL}, or a test server's URL. */
    public Builder baseUrl(String baseUrl) {
      options.baseUrl(baseUrl);
      return this;
    }

    /**
     * The HTTP client to use; default a new {@code OkHttpClient}. Its pool and dispatcher are
     * shared; the client adds one network interceptor of its own, to a derived client, that keeps
     * OkHttp from sending a start twice.
     */
    public Builder httpClient(OkHttpClient httpClient) {
      options.httpClient(httpClient);
      return this;
    }

    /** Where bearer tokens come from. One of this, {@link #token} or {@link #rcAccessToken}. */
    public Builder tokenProvider(TokenProvider tokenProvider) {
      options.tokenProvider(tokenProvider);
      return this;
    }

    /** A RingCX access token you manage yourself: {@link TokenProvider#fixed(String)}. */
    public Builder token(String ringCxToken) {
      return tokenProvider(TokenProvider.fixed(ringCxToken));
    }

    /**
     * A RingCentral access token, exchanged for RingCX tokens at this client's base URL with the
     * same HTTP client; see {@link ExchangingTokenProvider} for more control.
     */
    public Builder rcAccessToken(String ringCentralToken) {
      options.rcAccessToken(ringCentralToken);
      return this;
    }

    /** Default {@code callstream/<version>}. */
    public Builder userAgent(String userAgent) {
      options.userAgent(userAgent);
      return this;
    }

    /**
     * Requests in any 60 s window, for this client; default {@value
     * #PLATFORM_REQUESTS_PER_MINUTE}, the platform's limit. Lower it when several clients share
     * one account.
     */
    public Builder maxRequestsPerMinute(int maxRequestsPerMinute) {
      if (maxRequestsPerMinute < 1) {
        throw new IllegalArgumentException("maxRequestsPerMinute < 1: " + maxRequestsPerMinute);
      }
      this.maxRequestsPerMinute = maxRequestsPerMinute;
      return this;
    }

    /** Attempts in all for a request answered 429 (and a stop answered 5xx); default 3. */
    public Builder maxAttempts(int maxAttempts) {
      options.maxAttempts(maxAttempts);
      return this;
    }

    /** The first backoff without {@code Retry-After}, doubled on each retry; default 500 ms. */
    public Builder initialBackoff(Duration initialBackoff) {
      options.initialBackoff(initialBackoff);
      return this;
    }

    /** The longest wait before a retry, whatever {@code Retry-After} says; default 30 s. */
    public Builder maxRetryAfter(Duration maxRetryAfter) {
      options.maxRetryAfter(maxRetryAfter);
      return this;
    }

    /** The clock of the rate limit and of {@code Retry-After} dates; default UTC system clock. */
    public Builder clock(Clock clock) {
      options.clock(clock);
      return this;
    }

    // For tests: advance a fake clock instead of waiting.
    Builder sleeper(Sleeper sleeper) {
      options.sleeper(sleeper);
      return this;
    }

    /**
     * @throws IllegalStateException if no token source was given
     */
    public MediaControlClient build() {
      // Starts go through a derived client whose interceptor keeps OkHttp from sending them twice;
      // the token exchange uses the client as given.
      ClientCore core =
          options.build(
              log,
              client -> client.newBuilder().addNetworkInterceptor(SendOnce.INTERCEPTOR).build(),
              ExchangingTokenProvider::forClient);
      return new MediaControlClient(
          core,
          new SlidingWindowLimiter(maxRequestsPerMinute, Duration.ofMinutes(1), options.clock()));
    }
  }
}
