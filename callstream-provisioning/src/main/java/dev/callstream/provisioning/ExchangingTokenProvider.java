package dev.callstream.provisioning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callstream.provisioning.internal.ClientCore;
import dev.callstream.provisioning.internal.JsonHttp;
import dev.callstream.provisioning.internal.SlidingWindowLimiter;
import dev.callstream.provisioning.internal.Version;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Obtains RingCX access tokens by exchanging a RingCentral access token, and keeps them fresh.
 *
 * <ul>
 *   <li>Exchange: {@code POST {baseUrl}/api/auth/login/rc/accesstoken?includeRefresh=true} with
 *       the form {@code rcAccessToken=...&rcTokenType=Bearer}.
 *   <li>The token is cached and renewed {@linkplain Builder#refreshMargin(Duration) shortly
 *       before} its lifetime (5 minutes, or the response's {@code expiresIn}) ends: first with
 *       {@code POST {baseUrl}/api/auth/token/refresh} ({@code refresh_token=...}), falling back to
 *       a new exchange if the refresh fails.
 *   <li>The platform allows 5 exchanges per minute. A 6th exchange within a sliding minute is not
 *       sent: it fails fast with {@link ExchangeRateLimitException} (which says when to retry)
 *       rather than blocking callers for up to a minute. Refreshes do not count.
 * </ul>
 *
 * <p>Thread-safe. Concurrent callers share one in-flight exchange or refresh (and its failure);
 * while a token is being renewed ahead of its expiry, other callers keep using the current one.
 * Tokens never appear in logs, exception messages or {@code toString()}.
 *
 * <pre>{@code
 * TokenProvider tokens = ExchangingTokenProvider.builder()
 *     .rcAccessToken(() -> myRingCentralSdk.accessToken())
 *     .build();
 * }</pre>
 */
public final class ExchangingTokenProvider implements TokenProvider {
  private static final Logger log = LoggerFactory.getLogger(ExchangingTokenProvider.class);

  private final Supplier<String> rcAccessToken;
  private final HttpUrl exchangeUrl;
  private final HttpUrl refreshUrl;
  private final JsonHttp http;
  private final Clock clock;
  private final Duration tokenLifetime;
  private final Duration refreshMargin;
  private final SlidingWindowLimiter exchangeLimiter;

  private final Object lock = new Object();
  // Guarded by lock.
  private Token current;
  private CompletableFuture<Token> renewal;

  private ExchangingTokenProvider(Builder builder) {
    this.rcAccessToken = builder.rcAccessToken;
    this.exchangeUrl =
        builder
            .baseUrl
            .newBuilder()
            .addPathSegments("api/auth/login/rc/accesstoken")
            .addQueryParameter("includeRefresh", "true")
            .build();
    this.refreshUrl = builder.baseUrl.newBuilder().addPathSegments("api/auth/token/refresh").build();
    this.http =
        new JsonHttp(
            builder.httpClient != null ? builder.httpClient : new OkHttpClient(),
            builder.objectMapper != null ? builder.objectMapper : new ObjectMapper(),
            builder.userAgent);
    this.clock = builder.clock;
    this.tokenLifetime = builder.tokenLifetime;
    this.refreshMargin = builder.refreshMargin;
    this.exchangeLimiter =
        new SlidingWindowLimiter(builder.maxExchangesPerMinute, Duration.ofMinutes(1), clock);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the cached RingCX token, renewing it first when it is due.
   *
   * @throws ApiException if the exchange was refused (for example an invalid RingCentral token)
   * @throws ExchangeRateLimitException if an exchange is needed but the per-minute limit is spent
   * @throws TransportException if the auth server could not be reached
   */
  @Override
  public String token() {
    CompletableFuture<Token> pending;
    Token previous = null;
    boolean leader = false;
    synchronized (lock) {
      Instant now = clock.instant();
      if (current != null && now.isBefore(current.renewAt())) {
        return current.access();
      }
      if (renewal != null) {
        if (current != null && now.isBefore(current.expiresAt())) {
          return current.access();
        }
        pending = renewal;
      } else {
        renewal = pending = new CompletableFuture<>();
        previous = current;
        leader = true;
      }
    }
    return (leader ? lead(pending, previous) : await(pending)).access();
  }

  private Token lead(CompletableFuture<Token> pending, Token previous) {
    Token fresh;
    try {
      fresh = renew(previous);
    } catch (RuntimeException | Error e) {
      // Complete the shared future whatever happened, or the waiting callers would hang.
      synchronized (lock) {
        renewal = null;
      }
      pending.completeExceptionally(e);
      throw e;
    }
    synchronized (lock) {
      current = fresh;
      renewal = null;
    }
    pending.complete(fresh);
    return fresh;
  }

  private static Token await(CompletableFuture<Token> pending) {
    try {
      return pending.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException failure) {
        throw failure;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw e;
    }
  }

  /** Forgets {@code token} if it is the cached one, so the next {@link #token()} renews. */
  @Override
  public void invalidate(String token) {
    synchronized (lock) {
      if (current != null && current.access().equals(token)) {
        current = current.expired();
      }
    }
  }

  private Token renew(Token previous) {
    if (previous != null && previous.refresh() != null) {
      try {
        return refresh(previous.refresh());
      } catch (ProvisioningException e) {
        log.debug(
            "RingCX token refresh failed ({}); exchanging the RingCentral token",
            e.getClass().getSimpleName());
      }
    }
    return exchange();
  }

  private Token exchange() {
    Duration wait = exchangeLimiter.tryAcquire();
    if (!wait.isZero()) {
      throw new ExchangeRateLimitException(
          exchangeLimiter.permits(), exchangeLimiter.window(), wait);
    }
    String rcToken = rcAccessToken.get();
    if (rcToken == null || rcToken.isBlank()) {
      throw new ProvisioningException("the RingCentral access token supplier returned no token");
    }
    FormBody form =
        new FormBody.Builder().add("rcAccessToken", rcToken).add("rcTokenType", "Bearer").build();
    Token token = post(exchangeUrl, form, List.of(rcToken), null);
    log.debug("exchanged a RingCentral token for a RingCX token valid until {}", token.expiresAt());
    return token;
  }

  private Token refresh(String refreshToken) {
    FormBody form = new FormBody.Builder().add("refresh_token", refreshToken).build();
    Token token = post(refreshUrl, form, List.of(refreshToken), refreshToken);
    log.debug("refreshed the RingCX token; valid until {}", token.expiresAt());
    return token;
  }

  private Token post(HttpUrl url, FormBody form, List<String> secrets, String previousRefresh) {
    Instant requestedAt = clock.instant();
    Request request = http.newRequest(url).post(form).build();
    JsonHttp.Answer answer = http.send(request);
    if (!answer.successful()) {
      throw http.error(answer, request, secrets);
    }
    JsonNode body = http.json(answer);
    String access = text(body, "accessToken");
    if (access == null) {
      throw new ProvisioningException(
          "POST " + url.encodedPath() + " answered " + answer.status() + " without an accessToken");
    }
    String refresh = text(body, "refreshToken");
    Duration lifetime = lifetime(body);
    Duration margin = refreshMargin.compareTo(lifetime) < 0 ? refreshMargin : lifetime.dividedBy(2);
    // Measured from before the request, so network time only makes the renewal earlier.
    Instant expiresAt = requestedAt.plus(lifetime);
    return new Token(
        access, refresh != null ? refresh : previousRefresh, expiresAt.minus(margin), expiresAt);
  }

  private Duration lifetime(JsonNode body) {
    for (String name : new String[] {"expiresIn", "expires_in"}) {
      JsonNode field = body.get(name);
      if (field != null && field.canConvertToLong() && field.asLong() > 0) {
        return Duration.ofSeconds(field.asLong());
      }
    }
    return tokenLifetime;
  }

  private static String text(JsonNode body, String name) {
    JsonNode field = body.isObject() ? body.get(name) : null;
    if (field == null || !field.isValueNode() || field.isNull() || field.asText().isBlank()) {
      return null;
    }
    return field.asText();
  }

  @Override
  public String toString() {
    return "ExchangingTokenProvider[" + exchangeUrl.host() + "]";
  }

  private record Token(String access, String refresh, Instant renewAt, Instant expiresAt) {
    Token expired() {
      return new Token(access, refresh, Instant.MIN, Instant.MIN);
    }

    @Override
    public String toString() {
      return "Token[expiresAt=" + expiresAt + "]";
    }
  }

  /** The provider a client builds from {@code rcAccessToken(...)}: same base URL, HTTP client, mapper and user agent. */
  static TokenProvider forClient(
      String rcAccessToken, String baseUrl, OkHttpClient client, ObjectMapper mapper, String userAgent) {
    return builder()
        .rcAccessToken(rcAccessToken)
        .baseUrl(baseUrl)
        .httpClient(client)
        .objectMapper(mapper)
        .userAgent(userAgent)
        .build();
  }

  /** Configures an {@link ExchangingTokenProvider}; not thread-safe. */
  public static final class Builder {
    private Supplier<String> rcAccessToken;
    private HttpUrl baseUrl = HttpUrl.get(StreamingProfileClient.DEFAULT_BASE_URL);
    private OkHttpClient httpClient;
    private ObjectMapper objectMapper;
    private String userAgent = Version.userAgent();
    private Clock clock = Clock.systemUTC();
    private Duration tokenLifetime = Duration.ofMinutes(5);
    private Duration refreshMargin = Duration.ofSeconds(60);
    private int maxExchangesPerMinute = 5;

    private Builder() {}

    /** The RingCentral access token to exchange. Required (this or the supplier form). */
    public Builder rcAccessToken(String token) {
      Objects.requireNonNull(token, "rcAccessToken");
      if (token.isBlank()) {
        throw new IllegalArgumentException("rcAccessToken is blank");
      }
      this.rcAccessToken = () -> token;
      return this;
    }

    /** Supplies the current RingCentral access token at each exchange (they expire too). */
    public Builder rcAccessToken(Supplier<String> supplier) {
      this.rcAccessToken = Objects.requireNonNull(supplier, "rcAccessToken");
      return this;
    }

    /** The auth host; default {@value StreamingProfileClient#DEFAULT_BASE_URL}. */
    public Builder baseUrl(String baseUrl) {
      this.baseUrl = ClientCore.parseBaseUrl(baseUrl);
      return this;
    }

    /** The HTTP client to use; default a new {@code OkHttpClient} for this provider. */
    public Builder httpClient(OkHttpClient httpClient) {
      this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
      return this;
    }

    /** Reads token responses; default a new {@code ObjectMapper}. Not public: the JSON mapping is ours. */
    Builder objectMapper(ObjectMapper objectMapper) {
      this.objectMapper = Objects.requireNonNull(objectMapper, "objectMapper");
      return this;
    }

    /** Default {@code callstream/<version>}. */
    public Builder userAgent(String userAgent) {
      this.userAgent = Objects.requireNonNull(userAgent, "userAgent");
      return this;
    }

    /** The clock for token expiry and the exchange limit; tests inject a fake one. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Lifetime assumed when the response does not state one; default 5 minutes. */
    public Builder tokenLifetime(Duration lifetime) {
      if (lifetime.isNegative() || lifetime.isZero()) {
        throw new IllegalArgumentException("tokenLifetime <= 0: " + lifetime);
      }
      this.tokenLifetime = lifetime;
      return this;
    }

    /** How long before expiry a token is renewed; default 60 seconds. */
    public Builder refreshMargin(Duration margin) {
      if (margin.isNegative()) {
        throw new IllegalArgumentException("refreshMargin < 0: " + margin);
      }
      this.refreshMargin = margin;
      return this;
    }

    /** Exchanges allowed per sliding minute; default 5, the platform's limit. */
    public Builder maxExchangesPerMinute(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxExchangesPerMinute < 1: " + max);
      }
      this.maxExchangesPerMinute = max;
      return this;
    }

    public ExchangingTokenProvider build() {
      if (rcAccessToken == null) {
        throw new IllegalStateException("rcAccessToken is required");
      }
      return new ExchangingTokenProvider(this);
    }
  }
}
