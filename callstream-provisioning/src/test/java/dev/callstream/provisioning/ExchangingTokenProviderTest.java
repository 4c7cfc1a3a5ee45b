package dev.callstream.provisioning;

import static dev.callstream.provisioning.MockServers.baseUrl;
import static dev.callstream.provisioning.MockServers.body;
import static dev.callstream.provisioning.MockServers.json;
import static dev.callstream.provisioning.MockServers.take;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ExchangingTokenProviderTest {
  private final FakeClock clock = new FakeClock(Instant.parse("2025-01-01T00:00:00Z"));
  private MockWebServer server;
  private ExchangingTokenProvider tokens;

  @BeforeEach
  void start() throws IOException {
    server = MockServers.startLoopback();
    tokens = providerBuilder().build();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private ExchangingTokenProvider.Builder providerBuilder() {
    return ExchangingTokenProvider.builder()
        .rcAccessToken("rc-token-abc")
        .baseUrl(baseUrl(server))
        .clock(clock);
  }

  private static MockResponse tokenResponse(String access, String refresh) {
    return json(
        200,
        "{\"accessToken\":\""
            + access
            + "\""
            + (refresh == null ? "" : ",\"refreshToken\":\"" + refresh + "\"")
            + ",\"tokenType\":\"Bearer\",\"mainAccountId\":\"99990000\",\"agentDetails\":[]}");
  }

  @Test
  void exchangesTheRingCentralTokenWithAFormPostIncludingRefresh() throws Exception {
    server.enqueue(tokenResponse("cx-1", "refresh-1"));

    assertThat(tokens.token()).isEqualTo("cx-1");

    RecordedRequest request = take(server);
    assertThat(request.getMethod()).isEqualTo("POST");
    assertThat(request.getUrl().encodedPath()).isEqualTo("/api/auth/login/rc/accesstoken");
    assertThat(request.getUrl().queryParameter("includeRefresh")).isEqualTo("true");
    assertThat(request.getHeaders().get("Content-Type"))
        .startsWith("application/x-www-form-urlencoded");
    assertThat(request.getHeaders().get("User-Agent")).startsWith("callstream/");
    assertThat(request.getHeaders().get("Authorization")).isNull();
    assertThat(body(request)).isEqualTo("rcAccessToken=rc-token-abc&rcTokenType=Bearer");
  }

  @Test
  void cachesTheTokenUntilShortlyBeforeItExpires() throws Exception {
    server.enqueue(tokenResponse("cx-1", "refresh-1"));
    server.enqueue(tokenResponse("cx-2", "refresh-2"));
    server.enqueue(tokenResponse("cx-3", "refresh-3"));

    assertThat(tokens.token()).isEqualTo("cx-1");
    clock.advance(Duration.ofMinutes(3).plusSeconds(59));
    assertThat(tokens.token()).isEqualTo("cx-1");
    assertThat(server.getRequestCount()).isEqualTo(1);

    clock.advance(Duration.ofSeconds(1)); // 4 minutes: one minute before the 5-minute expiry
    assertThat(tokens.token()).isEqualTo("cx-2");
    take(server);
    RecordedRequest refresh = take(server);
    assertThat(refresh.getMethod()).isEqualTo("POST");
    assertThat(refresh.getUrl().encodedPath()).isEqualTo("/api/auth/token/refresh");
    assertThat(body(refresh)).isEqualTo("refresh_token=refresh-1");

    clock.advance(Duration.ofMinutes(4));
    assertThat(tokens.token()).isEqualTo("cx-3");
    assertThat(body(take(server))).isEqualTo("refresh_token=refresh-2");
  }

  @Test
  void aFailedRefreshFallsBackToANewExchange() throws Exception {
    server.enqueue(tokenResponse("cx-1", "refresh-1"));
    server.enqueue(json(401, "{\"message\":\"refresh token expired\"}"));
    server.enqueue(tokenResponse("cx-2", "refresh-2"));

    tokens.token();
    clock.advance(Duration.ofMinutes(5));

    assertThat(tokens.token()).isEqualTo("cx-2");
    assertThat(take(server).getUrl().encodedPath()).isEqualTo("/api/auth/login/rc/accesstoken");
    assertThat(take(server).getUrl().encodedPath()).isEqualTo("/api/auth/token/refresh");
    assertThat(take(server).getUrl().encodedPath()).isEqualTo("/api/auth/login/rc/accesstoken");
  }

  @Test
  void anExpiresInInTheResponseSetsTheLifetime() {
    server.enqueue(json(200, "{\"accessToken\":\"cx-1\",\"expiresIn\":120}"));
    server.enqueue(tokenResponse("cx-2", null));

    tokens.token();
    clock.advance(Duration.ofSeconds(61)); // renewed 60 s before the 120 s expiry

    assertThat(tokens.token()).isEqualTo("cx-2");
  }

  @Test
  void invalidateForcesRenewalOnlyForTheCurrentToken() {
    server.enqueue(tokenResponse("cx-1", "refresh-1"));
    server.enqueue(tokenResponse("cx-2", "refresh-2"));

    tokens.token();
    tokens.invalidate("some-older-token");
    assertThat(tokens.token()).isEqualTo("cx-1");

    tokens.invalidate("cx-1");
    assertThat(tokens.token()).isEqualTo("cx-2");
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void aSixthExchangeWithinAMinuteFailsFastWithoutARequest() throws Exception {
    for (int i = 1; i <= 6; i++) {
      server.enqueue(tokenResponse("cx-" + i, null)); // no refresh token: every renewal exchanges
    }
    for (int i = 1; i <= 5; i++) {
      assertThat(tokens.token()).isEqualTo("cx-" + i);
      tokens.invalidate("cx-" + i);
      clock.advance(Duration.ofSeconds(10));
    }

    assertThatThrownBy(tokens::token)
        .isInstanceOfSatisfying(
            ExchangeRateLimitException.class,
            e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(10)))
        .hasMessageContaining("5 exchanges in 60 s")
        .isInstanceOf(ProvisioningException.class);
    assertThat(server.getRequestCount()).isEqualTo(5);

    clock.advance(Duration.ofSeconds(10)); // the first exchange leaves the window
    assertThat(tokens.token()).isEqualTo("cx-6");
  }

  @Test
  void concurrentCallersShareOneExchange() throws Exception {
    server.enqueue(
        new MockResponse.Builder(tokenResponse("cx-1", "refresh-1"))
            .headersDelay(300, TimeUnit.MILLISECONDS)
            .build());
    server.enqueue(tokenResponse("cx-unexpected", null));
    int callers = 8;
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try {
      for (Future<String> result : askTogether(pool, callers)) {
        assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("cx-1");
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void concurrentCallersShareTheFailureOfOneExchange() throws Exception {
    server.enqueue(
        new MockResponse.Builder(json(401, "{\"message\":\"invalid token rc-token-abc\"}"))
            .headersDelay(300, TimeUnit.MILLISECONDS)
            .build());
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      for (Future<String> result : askTogether(pool, 4)) {
        assertThatThrownBy(() -> result.get(10, TimeUnit.SECONDS))
            .cause()
            .isInstanceOf(ApiException.class)
            .hasMessageContaining("HTTP 401")
            .hasMessageContaining("invalid token ***")
            .hasMessageNotContaining("rc-token-abc");
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void theClientRetriesA401OnceWithARefreshedToken() throws Exception {
    server.enqueue(tokenResponse("cx-1", "refresh-1"));
    server.enqueue(new MockResponse.Builder().code(401).body("Jwt is expired").build());
    server.enqueue(tokenResponse("cx-2", "refresh-2"));
    server.enqueue(json(200, "{\"productType\":\"QUEUE\",\"productId\":1,\"subAccountId\":\"9\"}"));
    StreamingProfileClient client =
        StreamingProfileClient.builder().baseUrl(baseUrl(server)).tokenProvider(tokens).build();

    StreamingProfile profile = client.get("9", ProductType.QUEUE, 1);

    assertThat(profile.subAccountId()).isEqualTo("9");
    assertThat(take(server).getUrl().encodedPath()).isEqualTo("/api/auth/login/rc/accesstoken");
    assertThat(take(server).getHeaders().get("Authorization")).isEqualTo("Bearer cx-1");
    assertThat(body(take(server))).isEqualTo("refresh_token=refresh-1");
    assertThat(take(server).getHeaders().get("Authorization")).isEqualTo("Bearer cx-2");
  }

  @Test
  void theClientBuilderExchangesAtItsOwnBaseUrl() throws Exception {
    server.enqueue(tokenResponse("cx-1", "refresh-1"));
    server.enqueue(json(200, "{\"productType\":\"QUEUE\",\"productId\":1,\"subAccountId\":\"9\"}"));
    StreamingProfileClient client =
        StreamingProfileClient.builder().baseUrl(baseUrl(server)).rcAccessToken("rc-xyz").build();

    client.get("9", ProductType.QUEUE, 1);

    assertThat(body(take(server))).isEqualTo("rcAccessToken=rc-xyz&rcTokenType=Bearer");
    assertThat(take(server).getHeaders().get("Authorization")).isEqualTo("Bearer cx-1");
  }

  @Test
  void aResponseWithoutAccessTokenIsAnError() {
    server.enqueue(json(200, "{\"refreshToken\":\"r\"}"));

    assertThatThrownBy(tokens::token)
        .isInstanceOf(ProvisioningException.class)
        .hasMessageContaining("without an accessToken");
  }

  @Test
  void toStringRevealsNoToken() {
    server.enqueue(tokenResponse("cx-1", "refresh-1"));
    tokens.token();

    assertThat(tokens.toString()).doesNotContain("cx-1").doesNotContain("rc-token-abc");
  }

  /** {@code callers} threads of {@code pool} ask {@link #tokens} for a token at the same moment. */
  private List<Future<String>> askTogether(ExecutorService pool, int callers) {
    CountDownLatch go = new CountDownLatch(1);
    List<Future<String>> results = new ArrayList<>();
    for (int i = 0; i < callers; i++) {
      results.add(
          pool.submit(
              () -> {
                go.await();
                return tokens.token();
              }));
    }
    go.countDown();
    return results;
  }
}
