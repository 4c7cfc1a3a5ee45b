package dev.callstream.provisioning.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callstream.provisioning.ProvisioningException;
import dev.callstream.provisioning.StreamingProfileClient;
import dev.callstream.provisioning.TokenProvider;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.UnaryOperator;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.slf4j.Logger;

/**
 * What {@code StreamingProfileClient} and {@code MediaControlClient} share: the base URL, the token
 * source (with the exchange of a RingCentral token), the JSON HTTP client, and the plumbing of a
 * request (bearer header, timed send, a fresh token after a 401, backoff before a retry). Each
 * client keeps its own policy (which answers are retried, what is never sent twice) and logs under
 * its own name. Thread-safe once built.
 */
public final class ClientCore {
  private final Logger log;
  private final HttpUrl baseUrl;
  private final TokenProvider tokens;
  private final JsonHttp http;
  private final int maxAttempts;
  private final Duration initialBackoff;
  private final Duration maxRetryAfter;
  private final Sleeper sleeper;
  private final Clock clock;

  private ClientCore(Options options, Logger log, TokenProvider tokens, JsonHttp http) {
    this.log = log;
    this.baseUrl = options.baseUrl;
    this.tokens = tokens;
    this.http = http;
    this.maxAttempts = options.maxAttempts;
    this.initialBackoff = options.initialBackoff;
    this.maxRetryAfter = options.maxRetryAfter;
    this.sleeper = options.sleeper;
    this.clock = options.clock;
  }

  /** {@code baseUrl} parsed, when it is an http(s) URL without query or fragment. */
  public static HttpUrl parseBaseUrl(String baseUrl) {
    Objects.requireNonNull(baseUrl, "baseUrl");
    HttpUrl url = HttpUrl.parse(baseUrl);
    if (url == null) {
      throw new IllegalArgumentException("baseUrl is not an http:// or https:// URL: " + baseUrl);
    }
    if (url.query() != null || url.fragment() != null) {
      throw new IllegalArgumentException("baseUrl must not have a query or fragment: " + baseUrl);
    }
    return url;
  }

  public HttpUrl baseUrl() {
    return baseUrl;
  }

  public JsonHttp http() {
    return http;
  }

  public Clock clock() {
    return clock;
  }

  public Sleeper sleeper() {
    return sleeper;
  }

  /** The current token. */
  public String token() {
    return tokens.token();
  }

  /** A different token after invalidating {@code rejected} (answered 401), or null if the provider has none. */
  private String refreshed(String rejected) {
    tokens.invalidate(rejected);
    String fresh = tokens.token();
    return fresh.equals(rejected) ? null : fresh;
  }

  /** A request to {@code url} with the JSON headers and {@code Authorization: Bearer token}. */
  public Request.Builder request(HttpUrl url, String token) {
    return http.newRequest(url).header("Authorization", "Bearer " + token);
  }

  /** Sends {@code request}; logs its status and duration at DEBUG (the path only: no token, no body). */
  public JsonHttp.Answer send(Request request) {
    long startNanos = System.nanoTime();
    JsonHttp.Answer answer = http.send(request);
    log.debug(
        "{} {} -> {} in {} ms",
        request.method(),
        request.url().encodedPath(),
        answer.status(),
        (System.nanoTime() - startNanos) / 1_000_000);
    return answer;
  }

  /** Whether attempt number {@code attempt} (from 1) may be followed by another. */
  private boolean mayRetry(int attempt) {
    return attempt < maxAttempts;
  }

  /**
   * Waits before attempt {@code attempt + 1}: what {@code Retry-After} asks, else the initial
   * backoff doubled per attempt, never longer than the maximum.
   *
   * @throws ProvisioningException when the thread is interrupted (its flag set again)
   */
  private void pauseBeforeRetry(JsonHttp.Answer answer, int attempt, Request request) {
    Duration backoff = initialBackoff.multipliedBy(1L << (attempt - 1));
    Duration delay =
        RetryAfter.parse(answer.headers().get("Retry-After"), clock.instant()).orElse(backoff);
    if (delay.compareTo(maxRetryAfter) > 0) {
      delay = maxRetryAfter;
    }
    log.debug(
        "{} {} will be retried in {} ms",
        request.method(),
        request.url().encodedPath(),
        delay.toMillis());
    try {
      sleeper.sleep(delay);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProvisioningException(
          request.method() + " " + request.url().encodedPath() + " interrupted before a retry", e);
    }
  }

  /** The attempts of one request, starting with the current token. */
  public Attempts attempts() {
    return new Attempts(token());
  }

  /**
   * What both clients do between the attempts of one request: send it once more with a fresh token
   * after its first 401 (a 401 means nothing was done), and count the retries the client's policy
   * asks for against the limit, waiting before each. Not thread-safe: one per request.
   */
  public final class Attempts {
    private String token;
    private boolean reauthenticated;
    private int attempt = 1;

    private Attempts(String token) {
      this.token = token;
    }

    /** The token to send now. */
    public String token() {
      return token;
    }

    /**
     * Whether to send again with a fresh {@link #token()}: {@code answer} is the request's first 401
     * and the token provider then supplies a different token.
     */
    public boolean reauthenticated(JsonHttp.Answer answer) {
      if (answer.status() != 401 || reauthenticated) {
        return false;
      }
      reauthenticated = true;
      String fresh = refreshed(token);
      if (fresh == null) {
        return false;
      }
      token = fresh;
      return true;
    }

    /**
     * Whether to send again after {@code answer}: when {@code retryable} (the client's policy) and
     * attempts are left, this waits as {@code Retry-After} or the backoff says, then returns true.
     *
     * @throws ProvisioningException when the thread is interrupted while waiting (its flag set again)
     */
    public boolean retried(JsonHttp.Answer answer, boolean retryable, Request request) {
      if (!retryable || !mayRetry(attempt)) {
        return false;
      }
      pauseBeforeRetry(answer, attempt, request);
      attempt++;
      return true;
    }
  }

  /**
   * The settings both clients' builders take, with their defaults and checks; the builders keep
   * their public setters (and javadoc) and store here. Not thread-safe.
   */
  public static final class Options {
    private HttpUrl baseUrl = HttpUrl.get(StreamingProfileClient.DEFAULT_BASE_URL);
    private OkHttpClient httpClient;
    private ObjectMapper objectMapper;
    private TokenProvider tokenProvider;
    private String rcAccessToken;
    private String userAgent = Version.userAgent();
    private int maxAttempts = 3;
    private Duration initialBackoff = Duration.ofMillis(500);
    private Duration maxRetryAfter = Duration.ofSeconds(30);
    private Sleeper sleeper = Sleeper.THREAD;
    private Clock clock = Clock.systemUTC();

    public HttpUrl baseUrl() {
      return baseUrl;
    }

    public Clock clock() {
      return clock;
    }

    public void baseUrl(String baseUrl) {
      this.baseUrl = parseBaseUrl(baseUrl);
    }

    public void httpClient(OkHttpClient httpClient) {
      this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
    }

    public void objectMapper(ObjectMapper objectMapper) {
      this.objectMapper = Objects.requireNonNull(objectMapper, "objectMapper");
    }

    /** Replaces an {@link #rcAccessToken} given before. */
    public void tokenProvider(TokenProvider tokenProvider) {
      this.tokenProvider = Objects.requireNonNull(tokenProvider, "tokenProvider");
      this.rcAccessToken = null;
    }

    /** Replaces a {@link #tokenProvider} given before. */
    public void rcAccessToken(String ringCentralToken) {
      Objects.requireNonNull(ringCentralToken, "rcAccessToken");
      if (ringCentralToken.isBlank()) {
        throw new IllegalArgumentException("rcAccessToken is blank");
      }
      this.rcAccessToken = ringCentralToken;
      this.tokenProvider = null;
    }

    public void userAgent(String userAgent) {
      this.userAgent = Objects.requireNonNull(userAgent, "userAgent");
    }

    public void maxAttempts(int maxAttempts) {
      if (maxAttempts < 1 || maxAttempts > 10) {
        throw new IllegalArgumentException("maxAttempts not in 1..10: " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
    }

    public void initialBackoff(Duration initialBackoff) {
      if (initialBackoff.isNegative()) {
        throw new IllegalArgumentException("initialBackoff < 0: " + initialBackoff);
      }
      this.initialBackoff = initialBackoff;
    }

    public void maxRetryAfter(Duration maxRetryAfter) {
      if (maxRetryAfter.isNegative()) {
        throw new IllegalArgumentException("maxRetryAfter < 0: " + maxRetryAfter);
      }
      this.maxRetryAfter = maxRetryAfter;
    }

    public void clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
    }

    public void sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    /**
     * The core of a client: the given or a new {@code OkHttpClient} and {@code ObjectMapper}, the
     * token source (a RingCentral token is exchanged at the base URL with the same HTTP client,
     * mapper and user agent), and JSON HTTP on {@code forRequests} applied to the HTTP client (the
     * token exchange uses the HTTP client as given).
     *
     * @param log the client's logger, for its request lines
     * @param exchange makes the token provider that exchanges a RingCentral token
     * @throws IllegalStateException if no token source was given
     */
    public ClientCore build(Logger log, UnaryOperator<OkHttpClient> forRequests, Exchange exchange) {
      OkHttpClient client = httpClient != null ? httpClient : new OkHttpClient();
      ObjectMapper mapper = objectMapper != null ? objectMapper : new ObjectMapper();
      TokenProvider tokens =
          rcAccessToken != null
              ? exchange.provider(rcAccessToken, baseUrl.toString(), client, mapper, userAgent)
              : tokenProvider;
      if (tokens == null) {
        throw new IllegalStateException(
            "no token source: call token(...), rcAccessToken(...) or tokenProvider(...)");
      }
      return new ClientCore(
          this, log, tokens, new JsonHttp(forRequests.apply(client), mapper, userAgent));
    }
  }

  /** Makes the token provider that exchanges a RingCentral token (its builder's mapper setter is not public). */
  @FunctionalInterface
  public interface Exchange {
    TokenProvider provider(
        String rcAccessToken, String baseUrl, OkHttpClient client, ObjectMapper mapper, String userAgent);
  }
}
