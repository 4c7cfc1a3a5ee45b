package dev.callstream.provisioning;

import static dev.callstream.provisioning.MockServers.baseUrl;
import static dev.callstream.provisioning.MockServers.body;
import static dev.callstream.provisioning.MockServers.countingClient;
import static dev.callstream.provisioning.MockServers.json;
import static dev.callstream.provisioning.MockServers.take;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MediaControlClientTest {
  private static final String STREAMS =
      "/voice/api/cx/integration/v1/accounts/37439510/sub-accounts/99990001/dialogs/dlg-1";
  private static final String RECEIVER_TOKEN = "receiver-auth-token-7f3a";
  private static final StreamScope DIALOG = StreamScope.dialog("37439510", "99990001", "dlg-1");
  private static final StreamScope AGENT_SEGMENT =
      StreamScope.segment("37439510", "99990001", "dlg-1", "seg-agent-2");

  private final ObjectMapper mapper = new ObjectMapper();
  private final FakeClock clock = new FakeClock(Instant.parse("2025-01-01T00:00:00Z"));
  private final List<Duration> sleeps = Collections.synchronizedList(new ArrayList<>());
  private MockWebServer server;
  private MediaControlClient client;

  @BeforeEach
  void start() throws IOException {
    server = MockServers.startLoopback();
    client = clientBuilder().token("ringcx-token-1").build();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** A client whose waits advance the fake clock instead of the real one. */
  private MediaControlClient.Builder clientBuilder() {
    return MediaControlClient.builder()
        .baseUrl(baseUrl(server))
        .clock(clock)
        .sleeper(
            duration -> {
              sleeps.add(duration);
              clock.advance(duration);
            });
  }

  private static StartStreamRequest fullRequest() {
    return StartStreamRequest.builder()
        .url("wss://media.example.com/ringcx/audio")
        .streamId("crm-case-4472-dialog")
        .receiverToken(RECEIVER_TOKEN)
        .encoding("PCMU")
        .rate(8000)
        .ptime(20)
        .build();
  }

  private static StartStreamRequest minimalRequest(String streamId) {
    return StartStreamRequest.builder()
        .url("wss://media.example.com/ringcx/audio")
        .streamId(streamId)
        .build();
  }

  private static MockResponse ok() {
    return new MockResponse.Builder().code(200).build();
  }

  @Test
  void aDialogStartPostsTheFullBodyToTheDialogsStreamsPath() throws Exception {
    server.enqueue(ok());

    StreamStartOutcome outcome = client.start(DIALOG, fullRequest());

    assertThat(outcome.started()).isTrue();
    assertThat(outcome.status()).isEqualTo(StreamStartOutcome.Status.STARTED);
    assertThat(outcome.streamId()).isEqualTo("crm-case-4472-dialog");
    assertThat(outcome.cause()).isNull();
    RecordedRequest request = take(server);
    assertThat(request.getMethod()).isEqualTo("POST");
    assertThat(request.getTarget()).isEqualTo(STREAMS + "/streams");
    assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer ringcx-token-1");
    assertThat(request.getHeaders().get("Content-Type")).startsWith("application/json");
    assertThat(request.getHeaders().get("Accept")).isEqualTo("application/json");
    assertThat(request.getHeaders().get("User-Agent")).matches("callstream/[0-9][^ ]*");
    assertThat(mapper.readTree(body(request)))
        .isEqualTo(
            mapper.readTree(
                "{\"url\":\"wss://media.example.com/ringcx/audio\","
                    + "\"streamId\":\"crm-case-4472-dialog\",\"token\":\"" + RECEIVER_TOKEN + "\","
                    + "\"properties\":{\"encoding\":\"PCMU\",\"rate\":8000,\"ptime\":20}}"));
  }

  @Test
  void aSegmentStartPostsToTheSegmentsStreamsPathAndLeavesOutAbsentFields() throws Exception {
    server.enqueue(ok());

    client.start(AGENT_SEGMENT, minimalRequest("qa-review-4472-agent-segment"));

    RecordedRequest request = take(server);
    assertThat(request.getMethod()).isEqualTo("POST");
    assertThat(request.getTarget()).isEqualTo(STREAMS + "/segments/seg-agent-2/streams");
    assertThat(mapper.readTree(body(request)))
        .isEqualTo(
            mapper.readTree(
                "{\"url\":\"wss://media.example.com/ringcx/audio\","
                    + "\"streamId\":\"qa-review-4472-agent-segment\"}"));
  }

  @Test
  void onlyTheGivenPropertiesAreSent() throws Exception {
    server.enqueue(ok());

    client.start(
        DIALOG,
        StartStreamRequest.builder().url("wss://m.example/a").streamId("s1").rate(16000).build());

    assertThat(mapper.readTree(body(take(server))))
        .isEqualTo(
            mapper.readTree(
                "{\"url\":\"wss://m.example/a\",\"streamId\":\"s1\","
                    + "\"properties\":{\"rate\":16000}}"));
  }

  @Test
  void aDialogStopDeletesTheStreamIdUnderTheDialog() throws Exception {
    server.enqueue(ok());

    client.stop(DIALOG, "crm-case-4472-dialog");

    RecordedRequest request = take(server);
    assertThat(request.getMethod()).isEqualTo("DELETE");
    assertThat(request.getTarget()).isEqualTo(STREAMS + "/streams/crm-case-4472-dialog");
    assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer ringcx-token-1");
    assertThat(body(request)).isEmpty();
  }

  @Test
  void aSegmentStopDeletesTheStreamIdUnderTheSegment() throws Exception {
    server.enqueue(ok());

    client.stop(AGENT_SEGMENT, "qa-review-4472-agent-segment");

    RecordedRequest request = take(server);
    assertThat(request.getMethod()).isEqualTo("DELETE");
    assertThat(request.getTarget())
        .isEqualTo(STREAMS + "/segments/seg-agent-2/streams/qa-review-4472-agent-segment");
  }

  @Test
  void identifiersAreUrlEncodedPathSegments() throws Exception {
    server.enqueue(ok());

    client.stop(StreamScope.segment("a/b", "c d", "e?f", "g#h"), "i%j");

    assertThat(take(server).getTarget())
        .isEqualTo(
            "/voice/api/cx/integration/v1/accounts/a%2Fb/sub-accounts/c%20d/dialogs/e%3Ff"
                + "/segments/g%23h/streams/i%25j");
  }

  @Test
  void identifiersThatAreBlankOrDotSegmentsAreRefusedBeforeAnyRequest() {
    assertThatThrownBy(() -> StreamScope.dialog("1", " ", "d"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("subAccountId is required");
    assertThatThrownBy(() -> StreamScope.dialog("1", "2", ".."))
        .hasMessage("dialogId must not be \"..\"");
    assertThatThrownBy(() -> StreamScope.segment("1", "2", "3", null))
        .hasMessage("segmentId is required");
    assertThatThrownBy(() -> client.stop(DIALOG, ".")).hasMessage("streamId must not be \".\"");
    assertThatThrownBy(() -> client.stop(DIALOG, "")).hasMessage("streamId is required");
    assertThatThrownBy(() -> minimalRequest(null)).hasMessage("streamId is required");
    assertThatThrownBy(() -> StartStreamRequest.builder().streamId("s").build())
        .hasMessage("url is required");
    assertThatThrownBy(() -> StartStreamRequest.builder().streamId("s").url("media/x").build())
        .hasMessageContaining("url must be absolute");
    assertThatThrownBy(
            () -> StartStreamRequest.builder().url("wss://a/b").streamId("s").rate(0).build())
        .hasMessage("rate < 1: 0");
    assertThatThrownBy(
            () -> StartStreamRequest.builder().url("wss://a/b").streamId("s").ptime(-20).build())
        .hasMessage("ptime < 1: -20");

    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void eachDocumentedErrorStatusIsItsOwnExceptionTypeWithTheServersMessage() {
    server.enqueue(json(400, "{\"message\":\"url is required\"}"));
    server.enqueue(
        json(
            403,
            "{\"errorCode\":\"access.denied.exception\",\"generalMessage\":\"You do not have"
                + " permission to access this resource\",\"timestamp\":1611847650696}"));
    server.enqueue(json(404, "{\"message\":\"Dialog not found\"}"));
    server.enqueue(json(409, "{\"message\":\"Stream already exists\"}"));

    assertThatThrownBy(() -> client.start(DIALOG, fullRequest()))
        .isInstanceOfSatisfying(
            BadRequestException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.reason()).isEqualTo("Client Error");
              assertThat(e.serverMessage()).isEqualTo("url is required");
              assertThat(e)
                  .hasMessage(
                      "HTTP 400 Client Error: url is required (POST " + STREAMS + "/streams)");
            });
    assertThatThrownBy(() -> client.start(DIALOG, fullRequest()))
        .isInstanceOfSatisfying(
            ForbiddenException.class,
            e ->
                assertThat(e.serverMessage())
                    .isEqualTo("You do not have permission to access this resource"));
    assertThatThrownBy(() -> client.start(AGENT_SEGMENT, fullRequest()))
        .isInstanceOfSatisfying(
            NotFoundException.class, e -> assertThat(e.status()).isEqualTo(404));
    assertThatThrownBy(() -> client.start(DIALOG, fullRequest()))
        .isInstanceOfSatisfying(
            ConflictException.class,
            e -> assertThat(e.serverMessage()).isEqualTo("Stream already exists"))
        .isInstanceOf(ApiException.class)
        .isInstanceOf(ProvisioningException.class);
    assertThat(server.getRequestCount()).isEqualTo(4);
    assertThat(sleeps).isEmpty();
  }

  @Test
  void stopErrorsAreTypedToo() {
    server.enqueue(json(404, "{\"message\":\"Segment not found\"}"));
    server.enqueue(json(409, "{\"message\":\"Stream is starting\"}"));
    server.enqueue(json(403, "{}"));
    server.enqueue(json(400, "{}"));

    assertThatThrownBy(() -> client.stop(AGENT_SEGMENT, "s1"))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("Segment not found")
        .hasMessageContaining("DELETE " + STREAMS + "/segments/seg-agent-2/streams/s1");
    assertThatThrownBy(() -> client.stop(DIALOG, "s1")).isInstanceOf(ConflictException.class);
    assertThatThrownBy(() -> client.stop(DIALOG, "s1")).isInstanceOf(ForbiddenException.class);
    assertThatThrownBy(() -> client.stop(DIALOG, "s1")).isInstanceOf(BadRequestException.class);
    assertThat(server.getRequestCount()).isEqualTo(4);
  }

  @Test
  void aStartAnswered5xxIsUncertainAndNotSentAgain() throws Exception {
    server.enqueue(new MockResponse.Builder().code(502).body("upstream died").build());
    server.enqueue(ok());

    StreamStartOutcome outcome = client.start(DIALOG, fullRequest());

    assertThat(outcome.uncertain()).isTrue();
    assertThat(outcome.started()).isFalse();
    assertThat(outcome.streamId()).isEqualTo("crm-case-4472-dialog");
    assertThat(outcome.cause())
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(502);
              assertThat(e.serverMessage()).isEqualTo("upstream died");
            });
    assertThatThrownBy(outcome::orThrow).isSameAs(outcome.cause());
    assertThat(server.getRequestCount()).isEqualTo(1);
    assertThat(sleeps).isEmpty();
  }

  @Test
  void okHttpsOwnResendAfterA503WithRetryAfterZeroIsBlocked() throws Exception {
    // OkHttp by itself sends a request again when a 503 says Retry-After: 0.
    server.enqueue(new MockResponse.Builder().code(503).setHeader("Retry-After", "0").build());
    server.enqueue(ok());

    StreamStartOutcome outcome = client.start(DIALOG, fullRequest());

    assertThat(outcome.uncertain()).isTrue();
    assertThat(outcome.cause())
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(503);
              assertThat(e).hasMessageStartingWith("HTTP 503 ");
            });
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aStartThatTimesOutIsUncertainAndNotSentAgain() throws Exception {
    server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
    server.enqueue(ok());
    MediaControlClient impatient =
        clientBuilder()
            .httpClient(new OkHttpClient.Builder().readTimeout(300, TimeUnit.MILLISECONDS).build())
            .token("ringcx-token-1")
            .build();

    StreamStartOutcome outcome = impatient.start(DIALOG, fullRequest());

    assertThat(outcome.uncertain()).isTrue();
    assertThat(outcome.cause())
        .isInstanceOf(TransportException.class)
        .hasMessageStartingWith("POST " + STREAMS + "/streams failed")
        .hasMessageNotContaining(RECEIVER_TOKEN);
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aStartWhoseConnectionIsCutAfterSendingIsUncertainAndNotSentAgain() throws Exception {
    server.enqueue(
        new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build());
    server.enqueue(ok());

    StreamStartOutcome outcome = client.start(DIALOG, fullRequest());

    assertThat(outcome.uncertain()).isTrue();
    assertThat(outcome.cause()).isInstanceOf(TransportException.class);
    assertThat(take(server).getMethod()).isEqualTo("POST");
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aStartThatNeverLeftThrowsBecauseSendingItAgainIsSafe() throws Exception {
    MockWebServer closed = MockServers.startLoopback();
    String url = baseUrl(closed);
    closed.close();
    MediaControlClient unreachable = clientBuilder().baseUrl(url).token("t0ken").build();

    assertThatThrownBy(() -> unreachable.start(DIALOG, fullRequest()))
        .isInstanceOf(TransportException.class)
        .hasMessageStartingWith("POST " + STREAMS + "/streams failed")
        .hasCauseInstanceOf(java.net.ConnectException.class);
    assertThatThrownBy(() -> unreachable.stop(DIALOG, "s1"))
        .isInstanceOf(TransportException.class);
  }

  @Test
  void aStartAnswered429IsRetriedAfterRetryAfterBecauseNothingWasDone() throws Exception {
    server.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "4").build());
    server.enqueue(ok());

    StreamStartOutcome outcome = client.start(DIALOG, fullRequest());

    assertThat(outcome.started()).isTrue();
    assertThat(sleeps).containsExactly(Duration.ofSeconds(4));
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void aStartStill429AfterThreeAttemptsThrows() {
    for (int i = 0; i < 3; i++) {
      server.enqueue(new MockResponse.Builder().code(429).build());
    }

    assertThatThrownBy(() -> client.start(DIALOG, fullRequest()))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(429));
    assertThat(sleeps).containsExactly(Duration.ofMillis(500), Duration.ofSeconds(1));
    assertThat(server.getRequestCount()).isEqualTo(3);
  }

  @Test
  void aStopIsRetriedOn5xxWithBackoff() throws Exception {
    server.enqueue(new MockResponse.Builder().code(503).build());
    server.enqueue(new MockResponse.Builder().code(500).build());
    server.enqueue(ok());

    client.stop(DIALOG, "s1");

    assertThat(server.getRequestCount()).isEqualTo(3);
    assertThat(sleeps).containsExactly(Duration.ofMillis(500), Duration.ofSeconds(1));
    for (int i = 0; i < 3; i++) {
      assertThat(take(server).getMethod()).isEqualTo("DELETE");
    }
  }

  @Test
  void a401IsRetriedOnceWithAFreshToken() throws Exception {
    MediaControlClient rotatingClient = clientBuilder().tokenProvider(new RotatingTokens()).build();
    server.enqueue(new MockResponse.Builder().code(401).body("Jwt is expired").build());
    server.enqueue(ok());

    assertThat(rotatingClient.start(DIALOG, fullRequest()).started()).isTrue();

    assertThat(take(server).getHeaders().get("Authorization")).isEqualTo("Bearer token-1");
    assertThat(take(server).getHeaders().get("Authorization")).isEqualTo("Bearer token-2");
  }

  @Test
  void anRcAccessTokenIsExchangedFirstAndTheRingCxTokenIsUsed() throws Exception {
    server.enqueue(json(200, "{\"accessToken\":\"cx-token-x\",\"refreshToken\":\"r-1\"}"));
    server.enqueue(ok());
    MediaControlClient exchanging = clientBuilder().rcAccessToken("rc-token-1").build();

    exchanging.stop(DIALOG, "s1");

    assertThat(take(server).getTarget())
        .isEqualTo("/api/auth/login/rc/accesstoken?includeRefresh=true");
    assertThat(take(server).getHeaders().get("Authorization")).isEqualTo("Bearer cx-token-x");
  }

  @Test
  void aBurstOf200StartsIsPacedTo120AMinuteNotRefused() throws Exception {
    List<Instant> sentAt = Collections.synchronizedList(new ArrayList<>());
    OkHttpClient stamping =
        new OkHttpClient.Builder()
            .addInterceptor(
                chain -> {
                  sentAt.add(clock.instant());
                  return chain.proceed(chain.request());
                })
            .build();
    MediaControlClient paced = clientBuilder().httpClient(stamping).token("t").build();
    for (int i = 0; i < 200; i++) {
      server.enqueue(ok());
    }
    Instant begin = clock.instant();

    for (int i = 0; i < 200; i++) {
      assertThat(paced.start(DIALOG, minimalRequest("s" + i)).started()).isTrue();
    }

    assertThat(server.getRequestCount()).isEqualTo(200);
    assertThat(sentAt).hasSize(200);
    // The first 120 go at once, the other 80 as the first ones leave the 60 s window.
    assertThat(sentAt.subList(0, 120)).allMatch(begin::equals);
    assertThat(sentAt.subList(120, 200)).allMatch(t -> !t.isBefore(begin.plusSeconds(60)));
    for (int i = 0; i + 120 < sentAt.size(); i++) {
      assertThat(Duration.between(sentAt.get(i), sentAt.get(i + 120)))
          .as("requests %d and %d", i, i + 120)
          .isGreaterThanOrEqualTo(Duration.ofSeconds(60));
    }
    assertThat(sleeps.stream().reduce(Duration.ZERO, Duration::plus))
        .isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void theLimitIsSharedByStartsAndStopsOfOneClient() throws Exception {
    MediaControlClient twoAMinute =
        clientBuilder().maxRequestsPerMinute(2).token("t").build();
    for (int i = 0; i < 3; i++) {
      server.enqueue(ok());
    }

    twoAMinute.start(DIALOG, minimalRequest("a"));
    clock.advance(Duration.ofSeconds(10));
    twoAMinute.start(AGENT_SEGMENT, minimalRequest("b"));
    assertThat(sleeps).isEmpty();
    twoAMinute.stop(DIALOG, "a");

    // The stop waited until the first start was 60 s old.
    assertThat(sleeps).containsExactly(Duration.ofSeconds(50));
    assertThat(server.getRequestCount()).isEqualTo(3);
  }

  @Test
  void anInterruptedWaitForTheLimitSendsNothing() throws Exception {
    MediaControlClient oneAMinute =
        MediaControlClient.builder()
            .baseUrl(baseUrl(server))
            .clock(clock)
            .sleeper(
                duration -> {
                  throw new InterruptedException();
                })
            .maxRequestsPerMinute(1)
            .token("t")
            .build();
    server.enqueue(ok());
    oneAMinute.stop(DIALOG, "a");

    assertThatThrownBy(() -> oneAMinute.start(DIALOG, minimalRequest("b")))
        .isInstanceOf(ProvisioningException.class)
        .hasMessageContaining("rate limit; not sent");
    assertThat(Thread.interrupted()).isTrue();
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void theReceiverTokenNeverAppearsInAnExceptionAnOutcomeOrALogLine() throws Exception {
    String echo = "{\"message\":\"bad token " + RECEIVER_TOKEN + " for ringcx-token-1\"}";
    String nested = "{\"request\":{\"streamId\":\"x\",\"token\":\"" + RECEIVER_TOKEN + "\"}}";
    server.enqueue(json(400, echo));
    server.enqueue(json(409, nested));
    server.enqueue(json(500, echo));
    List<String> texts = new ArrayList<>();

    String log =
        captureStderr(
            () -> {
              for (int i = 0; i < 2; i++) {
                try {
                  client.start(DIALOG, fullRequest());
                } catch (ApiException e) {
                  texts.add(e.getMessage());
                  texts.add(e.serverMessage());
                }
              }
              StreamStartOutcome outcome = client.start(DIALOG, fullRequest());
              texts.add(outcome.toString());
              texts.add(outcome.cause().getMessage());
            });

    assertThat(texts).hasSize(6).allMatch(text -> text.contains("***"), "masked");
    assertThat(String.join("\n", texts))
        .doesNotContain(RECEIVER_TOKEN)
        .doesNotContain("ringcx-token-1");
    assertThat(fullRequest().toString())
        .contains("receiverToken=***")
        .doesNotContain(RECEIVER_TOKEN)
        .doesNotContain("media.example.com");
    // The client logs each request at DEBUG (enabled for tests in simplelogger.properties).
    assertThat(log).contains("POST " + STREAMS + "/streams -> 400");
    assertThat(log).doesNotContain(RECEIVER_TOKEN).doesNotContain("ringcx-token-1");
  }

  @Test
  void streamIdIsDeterministicAndTellsKeyListsApart() {
    // Fixed values: an id must stay the same across processes and releases.
    assertThat(MediaControlClient.streamId("crm-case-4472", "agent"))
        .isEqualTo("cs-d4fbdb34ce7e94b8dfa9c9505263dcaf");
    assertThat(MediaControlClient.streamId("ab", "c"))
        .isEqualTo("cs-f2939f903016e5bb29b1e4a61cdbd376")
        .isNotEqualTo(MediaControlClient.streamId("a", "bc"));
    assertThat(MediaControlClient.streamId("é")).isEqualTo("cs-d1e9fa6240157ad2f9401c2bd40da330");
    assertThat(MediaControlClient.streamId("crm-case-4472"))
        .matches("cs-[0-9a-f]{32}")
        .doesNotContain("4472");
    assertThatThrownBy(() -> MediaControlClient.streamId("a", (String) null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void anInjectedHttpClientIsUsedAndABuilderNeedsATokenSource() throws Exception {
    AtomicInteger intercepted = new AtomicInteger();
    OkHttpClient http = countingClient(intercepted);
    server.enqueue(ok());

    clientBuilder().httpClient(http).token("t").build().stop(DIALOG, "s1");

    assertThat(intercepted).hasValue(1);
    assertThatThrownBy(() -> MediaControlClient.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("token");
    assertThatThrownBy(() -> MediaControlClient.builder().maxRequestsPerMinute(0))
        .hasMessage("maxRequestsPerMinute < 1: 0");
    assertThat(client.toString()).doesNotContain("ringcx-token-1");
  }

  /** Runs {@code action} with {@code System.err} captured (where slf4j-simple writes). */
  private static String captureStderr(Runnable action) {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }
}
