package dev.callstream.provisioning;

import static dev.callstream.provisioning.MockServers.baseUrl;
import static dev.callstream.provisioning.MockServers.body;
import static dev.callstream.provisioning.MockServers.countingClient;
import static dev.callstream.provisioning.MockServers.json;
import static dev.callstream.provisioning.MockServers.take;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StreamingProfileClientTest {
  private static final String PROFILE_RESPONSE =
      "{\"subAccountId\":\"99990001\",\"mainAccountId\":\"99990000\",\"productType\":\"QUEUE\","
          + "\"productId\":1234,\"rcAccountId\":\"37439510\",\"streamingUrl\":\"wss://a.example\","
          + "\"secret\":\"s3cr3t-value\"}";

  private final ObjectMapper mapper = new ObjectMapper();
  private final List<Duration> sleeps = new ArrayList<>();
  private final FakeClock clock = new FakeClock(Instant.parse("2025-01-01T00:00:00Z"));
  private MockWebServer server;
  private StreamingProfileClient client;

  @BeforeEach
  void start() throws IOException {
    server = MockServers.startLoopback();
    client = clientBuilder().token("ringcx-token-1").build();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private StreamingProfileClient.Builder clientBuilder() {
    return StreamingProfileClient.builder()
        .baseUrl(baseUrl(server))
        .clock(clock)
        .sleeper(sleeps::add);
  }

  private static StreamingProfile fullProfile() {
    return StreamingProfile.builder()
        .productType(ProductType.QUEUE)
        .productId(1234)
        .subAccountId("99990001")
        .mainAccountId("99990000")
        .rcAccountId("37439510")
        .streamingUrl("wss://a.example:8443")
        .secret("s3cr3t-value")
        .build();
  }

  @Test
  void createPostsTheProfileAsJsonWithBearerTokenAndReturnsTheServersProfile() throws Exception {
    server.enqueue(json(200, PROFILE_RESPONSE));

    StreamingProfile created = client.create(fullProfile());

    RecordedRequest request = take(server);
    assertThat(request.getMethod()).isEqualTo("POST");
    assertThat(request.getTarget()).isEqualTo("/platform/api/media/product");
    assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer ringcx-token-1");
    assertThat(request.getHeaders().get("Accept")).isEqualTo("application/json");
    assertThat(request.getHeaders().get("Content-Type")).startsWith("application/json");
    assertThat(request.getHeaders().get("User-Agent")).matches("callstream/[0-9][^ ]*");
    assertThat(mapper.readTree(body(request)))
        .isEqualTo(
            mapper.readTree(
                "{\"productType\":\"QUEUE\",\"productId\":1234,\"subAccountId\":\"99990001\","
                    + "\"mainAccountId\":\"99990000\",\"rcAccountId\":\"37439510\","
                    + "\"streamingUrl\":\"wss://a.example:8443\",\"secret\":\"s3cr3t-value\"}"));
    assertThat(created)
        .isEqualTo(
            fullProfile().toBuilder().streamingUrl("wss://a.example").build());
  }

  @Test
  void updatePutsOnlyTheFieldsThatAreSet() throws Exception {
    server.enqueue(json(200, PROFILE_RESPONSE));

    client.update(
        StreamingProfile.builder()
            .productType(ProductType.CAMPAIGN)
            .productId(7)
            .subAccountId("99990001")
            .streamingUrl("wss://1.2.3.4:8443")
            .build());

    RecordedRequest request = take(server);
    assertThat(request.getMethod()).isEqualTo("PUT");
    assertThat(request.getTarget()).isEqualTo("/platform/api/media/product");
    assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer ringcx-token-1");
    assertThat(mapper.readTree(body(request)))
        .isEqualTo(
            mapper.readTree(
                "{\"productType\":\"CAMPAIGN\",\"productId\":7,\"subAccountId\":\"99990001\","
                    + "\"streamingUrl\":\"wss://1.2.3.4:8443\"}"));
  }

  @Test
  void getReadsTheProfileAtItsKeyPathAndToleratesStringIdsAndUnknownFields() throws Exception {
    server.enqueue(
        json(
            200,
            "{\"subAccountId\":99990001,\"mainAccountId\":99990000,\"productType\":\"campaign\","
                + "\"productId\":\"42\",\"streamingUrl\":\"wss://b.example\",\"newField\":{\"x\":1}}"));

    StreamingProfile profile = client.get("99990001", ProductType.CAMPAIGN, 42);

    RecordedRequest request = take(server);
    assertThat(request.getMethod()).isEqualTo("GET");
    assertThat(request.getTarget())
        .isEqualTo("/platform/api/media/product/account/99990001/type/CAMPAIGN/id/42");
    assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer ringcx-token-1");
    assertThat(request.getHeaders().get("User-Agent")).startsWith("callstream/");
    assertThat(body(request)).isEmpty();
    assertThat(profile)
        .isEqualTo(
            new StreamingProfile(
                ProductType.CAMPAIGN, 42, "99990001", "99990000", null, "wss://b.example", null));
  }

  @Test
  void getJsonReturnsTheBodyAsSent() throws Exception {
    server.enqueue(json(200, "{\"productId\":\"42\",\"extra\":true}"));

    assertThat(client.getJson("1", ProductType.QUEUE, 42)).isEqualTo("{\"productId\":\"42\",\"extra\":true}");
  }

  @Test
  void deleteSendsDeleteAtTheKeyPathAndReturnsTheBodyText() throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).body("Product deleted").build());

    String answer = client.delete("99990001", ProductType.QUEUE, 1234);

    RecordedRequest request = take(server);
    assertThat(request.getMethod()).isEqualTo("DELETE");
    assertThat(request.getTarget())
        .isEqualTo("/platform/api/media/product/account/99990001/type/QUEUE/id/1234");
    assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer ringcx-token-1");
    assertThat(answer).isEqualTo("Product deleted");
  }

  @Test
  void pathSegmentsAreUrlEncoded() throws Exception {
    server.enqueue(json(200, PROFILE_RESPONSE));

    client.getJson("a/b c?d", ProductType.QUEUE, 1);

    assertThat(take(server).getTarget())
        .isEqualTo("/platform/api/media/product/account/a%2Fb%20c%3Fd/type/QUEUE/id/1");
  }

  @Test
  void aBaseUrlWithAPathPrefixKeepsIt() throws Exception {
    server.enqueue(json(200, PROFILE_RESPONSE));
    StreamingProfileClient prefixed =
        clientBuilder().baseUrl(baseUrl(server) + "/proxy/").token("t").build();

    prefixed.create(fullProfile());

    assertThat(take(server).getTarget()).isEqualTo("/proxy/platform/api/media/product");
  }

  @Test
  void invalidStreamingUrlOrMissingFieldIsRefusedBeforeAnyRequest() {
    assertThatThrownBy(
            () -> client.create(fullProfile().toBuilder().streamingUrl("ws://a.example").build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("streamingUrl");
    assertThatThrownBy(
            () -> client.update(fullProfile().toBuilder().streamingUrl("wss://a/path").build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("streamingUrl");
    assertThatThrownBy(() -> client.create(fullProfile().toBuilder().rcAccountId(null).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("rcAccountId is required");
    assertThatThrownBy(() -> client.create(fullProfile().toBuilder().mainAccountId(" ").build()))
        .hasMessage("mainAccountId is required");
    assertThatThrownBy(() -> client.update(fullProfile().toBuilder().productId(null).build()))
        .hasMessage("productId is required");
    assertThatThrownBy(() -> client.update(fullProfile().toBuilder().productType(null).build()))
        .hasMessage("productType is required");
    assertThatThrownBy(() -> client.get("", ProductType.QUEUE, 1))
        .hasMessage("subAccountId is required");
    assertThatThrownBy(() -> client.delete("1", null, 1)).hasMessage("productType is required");

    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void updateDoesNotRequireTheAccountsThatCreateRequires() throws Exception {
    server.enqueue(json(200, PROFILE_RESPONSE));

    client.update(fullProfile().toBuilder().mainAccountId(null).rcAccountId(null).build());

    assertThat(mapper.readTree(body(take(server))).has("mainAccountId")).isFalse();
  }

  @Test
  void profileToStringMasksTheSecret() {
    assertThat(fullProfile().toString()).contains("secret=***").doesNotContain("s3cr3t-value");
    assertThat(fullProfile().toBuilder().secret(null).build().toString()).contains("secret=null");
  }

  @Test
  void httpErrorCarriesStatusReasonAndTheServersJsonMessage() throws Exception {
    server.enqueue(
        new MockResponse.Builder()
            .status("HTTP/1.1 404 Not Found")
            .setHeader("Content-Type", "application/json")
            .body("{\"timestamp\":1,\"message\":\"Product not found\",\"error\":\"Not Found\"}")
            .build());

    assertThatThrownBy(() -> client.get("99990001", ProductType.QUEUE, 5))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(404);
              assertThat(e.reason()).isEqualTo("Not Found");
              assertThat(e.serverMessage()).isEqualTo("Product not found");
              assertThat(e.method()).isEqualTo("GET");
              assertThat(e)
                  .hasMessage(
                      "HTTP 404 Not Found: Product not found (GET"
                          + " /platform/api/media/product/account/99990001/type/QUEUE/id/5)");
            });
  }

  @Test
  void errorMessageFallsBackToErrorThenErrorMessageThenTheBody() {
    server.enqueue(json(400, "{\"error\":\"bad thing\"}"));
    server.enqueue(json(400, "{\"errorMessage\":\"other thing\"}"));
    server.enqueue(new MockResponse.Builder().code(400).body("plain\ntext " + "x".repeat(900)).build());

    assertThatThrownBy(() -> client.create(fullProfile()))
        .extracting(e -> ((ApiException) e).serverMessage())
        .isEqualTo("bad thing");
    assertThatThrownBy(() -> client.create(fullProfile()))
        .extracting(e -> ((ApiException) e).serverMessage())
        .isEqualTo("other thing");
    assertThatThrownBy(() -> client.create(fullProfile()))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.reason()).isEqualTo("Client Error");
              assertThat(e.serverMessage()).startsWith("plain text xxx").hasSize(503);
            });
  }

  @Test
  void secretsAndTokensEchoedByTheServerNeverReachTheException() {
    server.enqueue(
        json(
            400,
            "{\"details\":{\"streamingUrl\":\"wss://a\",\"secret\":\"s3cr3t-value\"},"
                + "\"auth\":\"Bearer ringcx-token-1\"}"));
    server.enqueue(json(400, "{\"message\":\"bad secret s3cr3t-value for ringcx-token-1\"}"));

    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> client.create(fullProfile()))
          .isInstanceOfSatisfying(
              ApiException.class,
              e ->
                  assertThat(e.getMessage())
                      .contains("***")
                      .doesNotContain("s3cr3t-value")
                      .doesNotContain("ringcx-token-1"));
    }
  }

  @Test
  void idempotentCallsAreRetriedOn503HonouringRetryAfterSeconds() throws Exception {
    server.enqueue(new MockResponse.Builder().code(503).setHeader("Retry-After", "7").build());
    server.enqueue(new MockResponse.Builder().code(503).build());
    server.enqueue(json(200, PROFILE_RESPONSE));

    StreamingProfile profile = client.get("99990001", ProductType.QUEUE, 1234);

    assertThat(profile.productId()).isEqualTo(1234);
    assertThat(server.getRequestCount()).isEqualTo(3);
    // Retry-After first, then the exponential backoff (500 ms doubled once).
    assertThat(sleeps).containsExactly(Duration.ofSeconds(7), Duration.ofSeconds(1));
  }

  @Test
  void retryAfterAsHttpDateIsHonouredAndCapped() throws Exception {
    String inTenSeconds =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(
            clock.instant().plusSeconds(10).atOffset(ZoneOffset.UTC));
    server.enqueue(
        new MockResponse.Builder().code(429).setHeader("Retry-After", inTenSeconds).build());
    server.enqueue(new MockResponse.Builder().code(503).setHeader("Retry-After", "3600").build());
    server.enqueue(json(200, PROFILE_RESPONSE));

    client.update(fullProfile());

    assertThat(sleeps).containsExactly(Duration.ofSeconds(10), Duration.ofSeconds(30));
    for (int i = 0; i < 3; i++) {
      assertThat(take(server).getMethod()).isEqualTo("PUT");
    }
  }

  @Test
  void deleteGivesUpAfterThreeAttempts() {
    for (int i = 0; i < 4; i++) {
      server.enqueue(new MockResponse.Builder().code(500).body("boom").build());
    }

    assertThatThrownBy(() -> client.delete("1", ProductType.QUEUE, 1))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(500));
    assertThat(server.getRequestCount()).isEqualTo(3);
    assertThat(sleeps).containsExactly(Duration.ofMillis(500), Duration.ofSeconds(1));
  }

  @Test
  void postIsNeverRetriedOn503() {
    server.enqueue(new MockResponse.Builder().code(503).setHeader("Retry-After", "1").build());
    server.enqueue(json(200, PROFILE_RESPONSE));

    assertThatThrownBy(() -> client.create(fullProfile()))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(503));
    assertThat(server.getRequestCount()).isEqualTo(1);
    assertThat(sleeps).isEmpty();
  }

  @Test
  void clientErrorsOtherThan429AreNotRetried() {
    server.enqueue(json(400, "{\"message\":\"no\"}"));
    server.enqueue(json(200, PROFILE_RESPONSE));

    assertThatThrownBy(() -> client.get("1", ProductType.QUEUE, 1)).isInstanceOf(ApiException.class);
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void a401IsRetriedExactlyOnceWithAFreshToken() throws Exception {
    RotatingTokens rotating = new RotatingTokens();
    StreamingProfileClient rotatingClient = clientBuilder().tokenProvider(rotating).build();
    server.enqueue(new MockResponse.Builder().code(401).body("Jwt is expired").build());
    server.enqueue(json(200, PROFILE_RESPONSE));

    rotatingClient.create(fullProfile());

    assertThat(take(server).getHeaders().get("Authorization")).isEqualTo("Bearer token-1");
    assertThat(take(server).getHeaders().get("Authorization")).isEqualTo("Bearer token-2");
    assertThat(rotating.invalidated()).containsExactly("token-1");

    server.enqueue(new MockResponse.Builder().code(401).body("Jwt is expired").build());
    server.enqueue(new MockResponse.Builder().code(401).body("Jwt is expired").build());
    server.enqueue(json(200, PROFILE_RESPONSE));
    assertThatThrownBy(() -> rotatingClient.get("1", ProductType.QUEUE, 1))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(401);
              assertThat(e.serverMessage()).isEqualTo("Jwt is expired");
            });
    assertThat(server.getRequestCount()).isEqualTo(4);
  }

  @Test
  void a401WithAFixedTokenIsNotRetried() {
    server.enqueue(new MockResponse.Builder().code(401).build());
    server.enqueue(json(200, PROFILE_RESPONSE));

    assertThatThrownBy(() -> client.get("1", ProductType.QUEUE, 1))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(401);
              assertThat(e.getMessage()).doesNotContain("ringcx-token-1");
            });
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void transportFailureIsATransportExceptionNotAnApiException() throws Exception {
    MockWebServer closed = MockServers.startLoopback();
    String url = baseUrl(closed);
    closed.close();
    StreamingProfileClient unreachable = clientBuilder().baseUrl(url).token("t0ken").build();

    assertThatThrownBy(() -> unreachable.get("1", ProductType.QUEUE, 1))
        .isInstanceOf(TransportException.class)
        .isInstanceOf(ProvisioningException.class)
        .hasMessageStartingWith("GET /platform/api/media/product/account/1/type/QUEUE/id/1 failed")
        .hasCauseInstanceOf(IOException.class);
    assertThat(sleeps).isEmpty();
  }

  @Test
  void anInjectedHttpClientIsUsed() throws Exception {
    AtomicInteger intercepted = new AtomicInteger();
    OkHttpClient http = countingClient(intercepted);
    server.enqueue(json(200, PROFILE_RESPONSE));

    clientBuilder().httpClient(http).objectMapper(new ObjectMapper()).token("t").build()
        .get("1", ProductType.QUEUE, 1);

    assertThat(intercepted).hasValue(1);
  }

  @Test
  void aResponseThatIsNotAProfileIsAProvisioningException() {
    server.enqueue(json(200, "[1,2]"));
    server.enqueue(json(200, "{\"productType\":\"CHAT\"}"));

    assertThatThrownBy(() -> client.get("1", ProductType.QUEUE, 1))
        .isInstanceOf(ProvisioningException.class)
        .hasMessageContaining("expected a JSON object");
    assertThatThrownBy(() -> client.get("1", ProductType.QUEUE, 1))
        .isInstanceOf(ProvisioningException.class)
        .hasMessageContaining("productType");
  }

  @Test
  void builderRequiresATokenSourceAndAUsableBaseUrl() {
    assertThatThrownBy(() -> StreamingProfileClient.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("token");
    assertThatThrownBy(() -> StreamingProfileClient.builder().baseUrl("ftp://x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ftp://x");
    assertThat(TokenProvider.fixed("abc").toString()).doesNotContain("abc");
  }
}
