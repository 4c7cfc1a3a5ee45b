package dev.callstream.spring.boot;

import static dev.callstream.spring.boot.Recordings.callJson;
import static dev.callstream.spring.boot.Recordings.expectedPcm;
import static dev.callstream.spring.boot.Recordings.pcm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callstream.core.AudioChannel;
import dev.callstream.core.EndReason;
import dev.callstream.server.CallStreamEndpoint;
import dev.callstream.testkit.AudioSource;
import dev.callstream.testkit.CallResult;
import dev.callstream.testkit.CallScript;
import dev.callstream.testkit.FakeEngageVoice;
import dev.callstream.testkit.Fault;
import dev.callstream.testkit.HandshakeFailedException;
import dev.callstream.testkit.LoadResult;
import dev.callstream.testkit.Pacing;
import dev.callstream.testkit.RecordedEvent;
import dev.callstream.testkit.RecordingListener;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The starter in a real Boot application on embedded Tomcat (random port, loopback): calls from the
 * testkit reach both the recorder ({@code callstream.recordings}) and the application's own listener
 * bean, recordings are bit-exact, secrets work as {@code record --secret}, and Actuator shows the
 * {@code callstream} health component and metrics.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
        "callstream.secrets=old-secret, right",
        "management.endpoints.web.exposure.include=health,prometheus",
        "management.endpoint.health.show-details=always",
        "spring.main.banner-mode=off"})
class CallStreamStarterTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir
  static Path recordings;

  @DynamicPropertySource
  static void recordingsDirectory(DynamicPropertyRegistry registry) {
    registry.add("callstream.recordings", () -> recordings.toString());
  }

  @LocalServerPort
  int port;

  @Autowired
  RecordingListener userListener;

  @Autowired
  CallStreamEndpoint endpoint;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void concurrentCallsWithFaultsAreRecordedBitExactAndReachTheApplicationsListener() throws Exception {
    int calls = 4;
    LoadResult load;
    try (FakeEngageVoice platform = FakeEngageVoice.builder(uri())
        .secret("right")
        .pacing(Pacing.FLOOD)
        .faults(Fault.DROP, Fault.DUPLICATE, Fault.REORDER, Fault.GARBAGE)
        .faultRate(0.03)
        .seed(18)
        .build()) {
      load = platform.run(calls, this::faultyCall);
    }
    assertThat(load.failedCalls()).as("failed calls: %s", load.results()).isZero();

    for (CallResult call : load.results()) {
      Path folder = recordings.resolve(call.callId() + "-" + call.sessionId());
      await().atMost(TIMEOUT).until(() -> Recordings.finished(folder));
      JsonNode json = callJson(folder);
      assertThat(json.get("endReason").asText()).isEqualTo("stopped");
      assertThat(json.get("complete").asBoolean()).isTrue();
      CallScript script = faultyCall(call.index());
      assertThat(call.agent().dropped()).as("faults were injected").isNotEmpty();
      assertThat(pcm(folder.resolve("agent.wav"))).as("%s agent.wav", folder)
          .isEqualTo(expectedPcm(script.agent(), call.agent()));
      assertThat(pcm(folder.resolve("conference.wav"))).as("%s conference.wav", folder)
          .isEqualTo(expectedPcm(script.conference(), call.conference()));
      assertThat(json.get("channels").get("agent").get("duplicates").asLong()).isEqualTo(call.agent().duplicated().size());

      RecordedEvent.OnEnd end = userListener.awaitEnd(call.callId(), TIMEOUT);
      assertThat(end.reason()).isEqualTo(EndReason.STOPPED);
      assertThat(end.session().stats(AudioChannel.AGENT).frames()).isEqualTo(call.agent().framesSent());
      // the secret is removed before listeners and recordings see the call
      assertThat(json.toString()).doesNotContain("right");
    }
  }

  @Test
  void anAbortedCallLeavesAValidIncompleteRecording() throws Exception {
    AudioSource agent = AudioSource.speechLike(31).limit(Duration.ofSeconds(2));
    CallResult call;
    try (FakeEngageVoice platform = FakeEngageVoice.builder(uri()).secret("old-secret")
        .pacing(Pacing.FLOOD).faults(Fault.ABORT).seed(3).build()) {
      call = platform.play(CallScript.builder().callId("cut").sessionId("1").agent(agent)
          .conference(AudioSource.speechLike(32).limit(Duration.ofSeconds(2))).build());
    }
    assertThat(call.aborted()).isTrue();
    Path folder = recordings.resolve("cut-1");
    await().atMost(TIMEOUT).until(() -> Recordings.finished(folder));
    assertThat(callJson(folder).get("complete").asBoolean()).isFalse();
    assertThat(callJson(folder).get("endReason").asText()).isEqualTo("closed");
    // what arrived before the cut, bit-exact: as many frames as call.json counts, a prefix of what was sent
    byte[] recorded = pcm(folder.resolve("agent.wav"));
    byte[] sent = expectedPcm(agent, call.agent());
    long frames = callJson(folder).get("channels").get("agent").get("frames").asLong();
    assertThat(frames).isPositive().isLessThanOrEqualTo(call.agent().framesSent());
    assertThat(recorded).hasSize((int) frames * 2 * AudioSource.FRAME_BYTES);
    assertThat(recorded).isEqualTo(Arrays.copyOf(sent, recorded.length));
  }

  @Test
  void aWrongSecretIsRefusedWith401BeforeAnythingIsRecorded() throws Exception {
    long foldersBefore = folders();
    try (FakeEngageVoice platform = FakeEngageVoice.builder(uri()).secret("wrong").pacing(Pacing.FLOOD).build()) {
      CallResult call = platform.play(CallScript.builder().callId("intruder").maxDuration(Duration.ofMillis(200)).build());
      assertThat(call.failed()).isTrue();
      assertThat(call.failure()).isInstanceOf(HandshakeFailedException.class);
      assertThat(((HandshakeFailedException) call.failure()).status()).isEqualTo(401);
      assertThat(call.attempts()).as("a 4xx is not retried").isEqualTo(1);
    }
    assertThat(folders()).isEqualTo(foldersBefore);
  }

  @Test
  void aSecretInTheQueryOrTheStartMetadataWorksAsRecordSecret() throws Exception {
    try (FakeEngageVoice platform = FakeEngageVoice.builder(uri()).pacing(Pacing.FLOOD).build()) {
      CallResult query = platform.play(CallScript.builder().callId("by-query").sessionId("1")
          .queryParameter("secret", "old-secret").maxDuration(Duration.ofMillis(400)).build());
      CallResult start = platform.play(CallScript.builder().callId("by-start").sessionId("1")
          .metadata("secret", "right").maxDuration(Duration.ofMillis(400)).build());

      assertThat(query.completed()).as("%s", query.failure()).isTrue();
      assertThat(start.completed()).as("%s", start.failure()).isTrue();
      for (String callId : new String[] {"by-query", "by-start"}) {
        Path folder = recordings.resolve(callId + "-1");
        await().atMost(TIMEOUT).until(() -> Recordings.finished(folder));
        assertThat(callJson(folder).get("complete").asBoolean()).isTrue();
        assertThat(callJson(folder).toString()).doesNotContain("old-secret").doesNotContain("\"right\"");
      }
    }
    // no secret, or a wrong one, in the Start metadata: closed with 1008 before any audio is written
    // (in real time, so that the sender is still sending when the close comes, as the platform is)
    try (FakeEngageVoice platform = FakeEngageVoice.builder(uri()).pacing(Pacing.REALTIME).build()) {
      CallResult none = platform.play(CallScript.builder().callId("no-secret").sessionId("1")
          .maxDuration(Duration.ofSeconds(5)).build());
      CallResult wrongAtStart = platform.play(CallScript.builder().callId("wrong-start").sessionId("1")
          .metadata("secret", "guess").maxDuration(Duration.ofSeconds(5)).build());
      assertThat(none.closeCode()).isEqualTo(1008);
      assertThat(wrongAtStart.closeCode()).isEqualTo(1008);
      assertThat(recordings.resolve("no-secret-1")).doesNotExist();
      assertThat(recordings.resolve("wrong-start-1")).doesNotExist();
    }
  }

  @Test
  void healthShowsTheCallstreamComponent() throws Exception {
    HttpResponse<String> response = get("/actuator/health");
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode component = new ObjectMapper().readTree(response.body()).path("components").path("callstream");
    assertThat(component.path("status").asText()).isEqualTo("UP");
    assertThat(component.path("details").path("maxCalls").asInt()).isEqualTo(500);
    assertThat(component.path("details").path("draining").asBoolean()).isFalse();
    assertThat(component.path("details").path("ready").asBoolean()).isTrue();
    assertThat(component.path("details").has("activeCalls")).isTrue();
  }

  @Test
  void prometheusShowsTheCallMetrics() throws Exception {
    try (FakeEngageVoice platform = FakeEngageVoice.builder(uri()).secret("right").pacing(Pacing.FLOOD).build()) {
      assertThat(platform.play(CallScript.builder().callId("metered").maxDuration(Duration.ofMillis(400)).build())
          .completed()).isTrue();
    }
    userListener.awaitEnd("metered", TIMEOUT);
    await().atMost(TIMEOUT).untilAsserted(() -> {
      HttpResponse<String> response = get("/actuator/prometheus");
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).contains("callstream_calls_active")
          .containsPattern("callstream_calls_started_total\\{[^}]*transport=\"wss\"[^}]*\\} [1-9]");
    });
  }

  @Test
  void theApplicationRunsWithoutTyrusOrGrizzly() {
    assertThatThrownBy(() -> Class.forName("org.glassfish.tyrus.server.TyrusServerContainer"))
        .isInstanceOf(ClassNotFoundException.class);
    assertThatThrownBy(() -> Class.forName("org.glassfish.grizzly.http.server.HttpServer"))
        .isInstanceOf(ClassNotFoundException.class);
    assertThat(endpoint.path()).isEqualTo("/");
  }

  private CallScript faultyCall(int index) {
    return CallScript.builder().index(index).callId("boot" + index).sessionId("s" + index)
        .agent(AudioSource.speechLike(100 + 2 * index).limit(Duration.ofSeconds(3)))
        .conference(AudioSource.speechLike(101 + 2 * index).limit(Duration.ofSeconds(3)))
        .build();
  }

  private URI uri() {
    return URI.create("ws://127.0.0.1:" + port + "/");
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private long folders() throws Exception {
    try (Stream<Path> list = Files.list(recordings)) {
      return list.count();
    }
  }
}
