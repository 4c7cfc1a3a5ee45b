package dev.callstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callstream.server.wire.SequenceMode;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FakeEngageVoiceTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private final ObjectMapper json = new ObjectMapper();
  private RawReceiver receiver;

  @BeforeEach
  void startReceiver() throws Exception {
    receiver = new RawReceiver();
  }

  @AfterEach
  void stopReceiver() throws Exception {
    receiver.close();
  }

  private FakeEngageVoice.Builder sender() {
    return FakeEngageVoice.builder(receiver.url()).pacing(Pacing.FLOOD);
  }

  private List<JsonNode> parse(RawReceiver.Connection connection) throws Exception {
    List<JsonNode> nodes = new ArrayList<>();
    for (String text : connection.texts()) {
      nodes.add(json.readTree(text));
    }
    return nodes;
  }

  private static List<JsonNode> media(List<JsonNode> messages, String perspective) {
    return messages.stream()
        .filter(m -> m.path("event").asText().equals("Media") && m.path("perspective").asText().equals(perspective))
        .collect(Collectors.toList());
  }

  private static List<Long> sequences(List<JsonNode> media) {
    return media.stream().map(m -> Long.parseLong(m.get("sequenceId").asText())).collect(Collectors.toList());
  }

  @Test
  void playsConnectedStartMediaAndOneStopPerPerspectiveThenClosesNormally() throws Exception {
    AudioSource agent = AudioSource.tone(440, 0.5);
    AudioSource conference = AudioSource.speechLike(9);
    CallScript script = CallScript.builder()
        .callId("call-42").sessionId("7")
        .agent(agent).conference(conference)
        .queryParameter("tenant", "a b")
        .maxDuration(Duration.ofMillis(200))
        .build();
    try (FakeEngageVoice platform = sender().secret("s3cret").build()) {
      CallResult result = platform.play(script);
      assertThat(result.completed()).isTrue();
      assertThat(result.failure()).isNull();
      assertThat(result.mediaSent()).isEqualTo(20);
      assertThat(result.closeCode()).isEqualTo(1000);
    }

    RawReceiver.Connection connection = receiver.awaitEndedConnection(0, TIMEOUT);
    assertThat(connection.upgrade.query().keySet()).containsExactly(
        "callId", "sessionId", "ani", "dnis", "accountId", "subaccountId", "rcAccountId", "agentId",
        "productType", "productId", "tenant");
    assertThat(connection.upgrade.query()).containsEntry("callId", "call-42").containsEntry("tenant", "a b");
    assertThat(connection.upgrade.headers()).containsEntry("authorization", "Bearer s3cret");
    assertThat(connection.closeCode).isEqualTo(1000);

    List<JsonNode> messages = parse(connection);
    assertThat(messages).hasSize(1 + 1 + 20 + 2);
    assertThat(connection.texts().get(0)).isEqualTo("{\"event\":\"Connected\",\"protocol\":\"AgentSession\",\"version\":\"1.0.0\"}");
    JsonNode start = messages.get(1);
    assertThat(start.get("event").asText()).isEqualTo("Start");
    JsonNode metadata = start.get("metadata");
    assertThat(metadata.get("callId").asText()).isEqualTo("call-42");
    assertThat(metadata.get("sessionId").asText()).isEqualTo("7");
    assertThat(metadata.get("contentType").asText()).isEqualTo("audio/x-mulaw");
    assertThat(metadata.get("sampleRateHertz").isNumber()).isTrue();
    assertThat(metadata.get("sampleRateHertz").asInt()).isEqualTo(8000);
    for (String id : List.of("ani", "dnis", "accountId", "subaccountId", "rcAccountId", "agentId", "productType", "productId")) {
      assertThat(metadata.get(id).asText()).as(id).isEqualTo(script.id(id));
    }

    byte[] expected = new byte[AudioSource.FRAME_BYTES];
    for (int k = 0; k < 10; k++) {
      JsonNode agentFrame = messages.get(2 + 2 * k);
      JsonNode conferenceFrame = messages.get(3 + 2 * k);
      assertThat(agentFrame.get("perspective").asText()).isEqualTo("Participant");
      assertThat(conferenceFrame.get("perspective").asText()).isEqualTo("Conference");
      assertThat(agentFrame.get("sequenceId").isTextual()).isTrue();
      assertThat(agentFrame.get("sequenceId").asText()).isEqualTo(Integer.toString(k + 1));
      assertThat(conferenceFrame.get("sequenceId").asText()).isEqualTo(Integer.toString(k + 1));
      agent.readFrame(k, expected);
      assertThat(Base64.getDecoder().decode(agentFrame.get("media").asText())).hasSize(160).isEqualTo(expected);
      conference.readFrame(k, expected);
      assertThat(Base64.getDecoder().decode(conferenceFrame.get("media").asText())).isEqualTo(expected);
    }
    for (JsonNode stop : messages.subList(22, 24)) {
      assertThat(stop.get("event").asText()).isEqualTo("Stop");
      assertThat(stop.get("metadata").get("duration").isNumber()).isTrue();
      assertThat(OffsetDateTime.parse(stop.get("metadata").get("end_time").asText())).isNotNull();
    }
  }

  @Test
  void aServerThatClosesRightAfterTheSecondStopCompletesTheCall() throws Exception {
    receiver.closeAfterTwoStops();
    try (FakeEngageVoice platform = sender().build()) {
      for (int call = 0; call < 20; call++) {
        CallResult result = platform.play(CallScript.builder().maxDuration(Duration.ofMillis(100)).build());
        assertThat(result.completed()).as("call %d: %s", call, result).isTrue();
        assertThat(result.closeCode()).isEqualTo(1000);
      }
    }
  }

  @Test
  void padsTheShorterSideWithMulawSilence() throws Exception {
    byte[] agentAudio = new byte[5 * 160];
    java.util.Arrays.fill(agentAudio, (byte) 0x10);
    CallScript script = CallScript.builder()
        .agent(AudioSource.ofMulaw(agentAudio))
        .conference(AudioSource.tone(1000, 0.2).limit(Duration.ofMillis(200)))
        .build();
    try (FakeEngageVoice platform = sender().build()) {
      CallResult result = platform.play(script);
      assertThat(result.agent().framesSent()).isEqualTo(10);
      assertThat(result.conference().framesSent()).isEqualTo(10);
    }
    List<JsonNode> agentFrames = media(parse(receiver.awaitEndedConnection(0, TIMEOUT)), "Participant");
    assertThat(agentFrames).hasSize(10);
    for (int k = 0; k < 10; k++) {
      byte[] payload = Base64.getDecoder().decode(agentFrames.get(k).get("media").asText());
      byte expected = k < 5 ? (byte) 0x10 : (byte) 0xFF;
      for (byte b : payload) {
        assertThat(b).isEqualTo(expected);
      }
    }
  }

  @Test
  void perConnectionSequenceModeNumbersBothPerspectivesWithOneCounter() throws Exception {
    try (FakeEngageVoice platform = sender().sequenceMode(SequenceMode.PER_CONNECTION).build()) {
      platform.play(CallScript.builder().maxDuration(Duration.ofMillis(100)).build());
    }
    List<JsonNode> messages = parse(receiver.awaitEndedConnection(0, TIMEOUT));
    assertThat(sequences(media(messages, "Participant"))).containsExactly(1L, 3L, 5L, 7L, 9L);
    assertThat(sequences(media(messages, "Conference"))).containsExactly(2L, 4L, 6L, 8L, 10L);
  }

  @Test
  void dropSkipsExactlyTheReportedFramesAndIsRepeatableFromTheSeed() throws Exception {
    CallScript script = CallScript.builder().index(3).maxDuration(Duration.ofSeconds(4)).build();
    CallResult first;
    CallResult again;
    CallResult otherSeed;
    try (FakeEngageVoice platform = sender().faults(Fault.DROP).faultRate(0.05).seed(11).build()) {
      first = platform.play(script);
      again = platform.play(script);
    }
    try (FakeEngageVoice platform = sender().faults(Fault.DROP).faultRate(0.05).seed(12).build()) {
      otherSeed = platform.play(script);
    }
    assertThat(first.agent().dropped()).isNotEmpty();
    assertThat(first.conference().dropped()).isNotEmpty();
    assertThat(again.agent().dropped()).isEqualTo(first.agent().dropped());
    assertThat(again.conference().dropped()).isEqualTo(first.conference().dropped());
    assertThat(otherSeed.agent().dropped()).isNotEqualTo(first.agent().dropped());
    // about 5 % of 200 frames
    assertThat(first.agent().dropped().size()).isBetween(2, 25);

    List<JsonNode> messages = parse(receiver.awaitEndedConnection(0, TIMEOUT));
    for (String perspective : List.of("Participant", "Conference")) {
      ChannelReport report = perspective.equals("Participant") ? first.agent() : first.conference();
      List<Long> expected = new ArrayList<>();
      for (long seq = 1; seq <= 200; seq++) {
        if (!report.dropped().contains(seq)) {
          expected.add(seq);
        }
      }
      assertThat(sequences(media(messages, perspective))).isEqualTo(expected);
      assertThat(report.framesSent()).isEqualTo(expected.size());
    }
  }

  @Test
  void duplicateSendsTheReportedFramesTwiceInARow() throws Exception {
    CallResult result;
    try (FakeEngageVoice platform = sender().faults(Fault.DUPLICATE).faultRate(0.05).build()) {
      result = platform.play(CallScript.builder().maxDuration(Duration.ofSeconds(4)).build());
    }
    List<Long> received = sequences(media(parse(receiver.awaitEndedConnection(0, TIMEOUT)), "Participant"));
    assertThat(result.agent().duplicated()).isNotEmpty();
    assertThat(received).hasSize(200 + result.agent().duplicated().size());
    assertThat(result.agent().mediaSent()).isEqualTo(received.size());
    for (long seq : result.agent().duplicated()) {
      int at = received.indexOf(seq);
      assertThat(received.get(at + 1)).isEqualTo(seq);
    }
    assertThat(received.stream().distinct().count()).isEqualTo(200);
  }

  @Test
  void reorderSendsAFrameRightAfterItsSuccessorWithinTheWindow() throws Exception {
    CallResult result;
    try (FakeEngageVoice platform = sender().faults(Fault.REORDER).faultRate(0.05).seed(5).build()) {
      result = platform.play(CallScript.builder().maxDuration(Duration.ofSeconds(4)).build());
    }
    List<JsonNode> messages = parse(receiver.awaitEndedConnection(0, TIMEOUT));
    for (String perspective : List.of("Participant", "Conference")) {
      ChannelReport report = perspective.equals("Participant") ? result.agent() : result.conference();
      List<Long> received = sequences(media(messages, perspective));
      assertThat(report.reordered()).isNotEmpty();
      assertThat(received).hasSize(200).doesNotHaveDuplicates();
      for (int i = 0; i < received.size(); i++) {
        long seq = received.get(i);
        assertThat(Math.abs(seq - (i + 1))).isLessThanOrEqualTo(2);
        if (seq != i + 1) {
          assertThat(report.reordered()).contains(seq > i + 1 ? seq - 1 : seq);
        }
      }
      for (long seq : report.reordered()) {
        assertThat(received.indexOf(seq)).isEqualTo(received.indexOf(seq + 1) + 1);
      }
    }
  }

  @Test
  void abortCutsTheConnectionMidCallWithoutStopOrClose() throws Exception {
    CallResult result;
    try (FakeEngageVoice platform = sender().faults(Fault.ABORT).build()) {
      result = platform.play(CallScript.builder().maxDuration(Duration.ofSeconds(2)).build());
    }
    assertThat(result.aborted()).isTrue();
    assertThat(result.completed()).isTrue();
    RawReceiver.Connection connection = receiver.awaitEndedConnection(0, TIMEOUT);
    List<JsonNode> messages = parse(connection);
    assertThat(connection.closeCode).isEqualTo(-1);
    assertThat(messages).noneMatch(m -> m.path("event").asText().equals("Stop"));
    long agentFrames = media(messages, "Participant").size();
    assertThat(agentFrames).isEqualTo(result.agent().framesSent()).isBetween(25L, 75L);
  }

  @Test
  void garbageAddsThreeMalformedMessagesWithoutReplacingAudio() throws Exception {
    CallResult result;
    try (FakeEngageVoice platform = sender().faults(Fault.GARBAGE).build()) {
      result = platform.play(CallScript.builder().maxDuration(Duration.ofSeconds(1)).build());
    }
    assertThat(result.garbageSent()).isEqualTo(3);
    RawReceiver.Connection connection = receiver.awaitEndedConnection(0, TIMEOUT);
    int invalidJson = 0;
    int missingEvent = 0;
    int badBase64 = 0;
    int goodMedia = 0;
    for (String text : connection.texts()) {
      JsonNode node;
      try {
        node = json.readTree(text);
      } catch (java.io.IOException e) {
        invalidJson++;
        continue;
      }
      if (!node.has("event")) {
        missingEvent++;
      } else if (node.get("event").asText().equals("Media")) {
        try {
          assertThat(Base64.getDecoder().decode(node.get("media").asText())).hasSize(160);
          goodMedia++;
        } catch (IllegalArgumentException e) {
          badBase64++;
        }
      }
    }
    assertThat(new int[] {invalidJson, missingEvent, badBase64}).containsExactly(1, 1, 1);
    assertThat(goodMedia).isEqualTo(100);
  }

  @Test
  void retriesTheUpgradeOn5xxAndSucceedsOnTheThirdAttempt() throws Exception {
    receiver.refuseNext(503, 502);
    try (FakeEngageVoice platform = sender().retryBackoff(Duration.ofMillis(10)).build()) {
      CallResult result = platform.play(CallScript.builder().maxDuration(Duration.ofMillis(100)).build());
      assertThat(result.completed()).isTrue();
      assertThat(result.attempts()).isEqualTo(3);
    }
    assertThat(receiver.upgrades()).hasSize(3);
  }

  @Test
  void givesUpAfterThreeAttemptsOf5xx() throws Exception {
    receiver.refuseAll(503);
    try (FakeEngageVoice platform = sender().retryBackoff(Duration.ofMillis(10)).build()) {
      CallResult result = platform.play(CallScript.builder().maxDuration(Duration.ofMillis(100)).build());
      assertThat(result.failed()).isTrue();
      assertThat(result.failure()).isInstanceOfSatisfying(HandshakeFailedException.class, e -> {
        assertThat(e.status()).isEqualTo(503);
        assertThat(e.attempts()).isEqualTo(3);
      });
    }
    assertThat(receiver.upgrades()).hasSize(3);
  }

  @Test
  void givesUpAtOnceOn4xx() throws Exception {
    receiver.refuseAll(401);
    try (FakeEngageVoice platform = sender().retryBackoff(Duration.ofMillis(10)).build()) {
      CallResult result = platform.play(CallScript.builder().maxDuration(Duration.ofMillis(100)).build());
      assertThat(result.failed()).isTrue();
      assertThat(result.attempts()).isEqualTo(1);
      assertThat(((HandshakeFailedException) result.failure()).status()).isEqualTo(401);
    }
    assertThat(receiver.upgrades()).hasSize(1);
  }

  @Test
  void failsACallWhoseServerIsNotThere() throws Exception {
    java.net.URI url = receiver.url();
    receiver.close();
    try (FakeEngageVoice platform = FakeEngageVoice.builder(url).pacing(Pacing.FLOOD).build()) {
      CallResult result = platform.play(CallScript.builder().maxDuration(Duration.ofMillis(100)).build());
      assertThat(result.failed()).isTrue();
      assertThat(result.failure()).hasMessageContaining("cannot connect");
    }
  }

  @Test
  void runsConcurrentCallsWithDistinctIds() throws Exception {
    LoadResult load;
    try (FakeEngageVoice platform = sender().build()) {
      load = platform.run(20, i -> CallScript.numbered(1, i).maxDuration(Duration.ofMillis(500)).build());
    }
    assertThat(load.calls()).isEqualTo(20);
    assertThat(load.failedCalls()).isZero();
    assertThat(load.mediaSent()).isEqualTo(20 * 50);
    assertThat(receiver.upgrades().stream().map(u -> u.query().get("callId")).distinct().count()).isEqualTo(20);
    assertThat(receiver.upgrades().stream().map(u -> u.query().get("sessionId")).distinct().count()).isEqualTo(20);
    JsonNode summary = json.readTree(load.toJson());
    assertThat(summary.get("calls").asInt()).isEqualTo(20);
    assertThat(summary.get("mediaSent").asLong()).isEqualTo(1000);
    assertThat(summary.get("mediaPerSecond").isNumber()).isTrue();
  }

  @Test
  void realTimePacingSendsFrameKAtStartPlusKTimes20Ms() throws Exception {
    assertPacing(Duration.ofSeconds(3));
  }

  @Test
  @org.junit.jupiter.api.Tag("slow")
  void realTimePacingHoldsOverThirtySeconds() throws Exception {
    assertPacing(Duration.ofSeconds(30));
  }

  private void assertPacing(Duration duration) throws Exception {
    try (FakeEngageVoice platform = FakeEngageVoice.builder(receiver.url()).build()) {
      platform.play(CallScript.builder().maxDuration(duration).build());
    }
    RawReceiver.Connection connection = receiver.awaitEndedConnection(0, TIMEOUT);
    List<RawReceiver.Message> agent = connection.messages.stream()
        .filter(m -> m.text().contains("\"Participant\""))
        .collect(Collectors.toList());
    int frames = (int) (duration.toMillis() / 20);
    assertThat(agent).hasSize(frames);
    long first = agent.get(0).nanoTime();
    double elapsed = (agent.get(frames - 1).nanoTime() - first) / 1e6;
    double expected = (frames - 1) * 20.0;
    assertThat(elapsed).isCloseTo(expected, org.assertj.core.data.Percentage.withPercentage(2));
    // and no frame is more than a few ms late against the absolute clock. The clock's origin is the
    // earliest start any frame implies (t_k - k * 20 ms), not frame 0's arrival: a frame 0 that was
    // itself delayed on a loaded machine would make the next frames look early.
    long origin = Long.MAX_VALUE;
    for (int k = 0; k < frames; k++) {
      origin = Math.min(origin, agent.get(k).nanoTime() - k * 20_000_000L);
    }
    for (int k = 0; k < frames; k++) {
      double at = (agent.get(k).nanoTime() - origin) / 1e6;
      assertThat(at).as("frame %d", k).isBetween(k * 20.0 - 5, k * 20.0 + 60);
    }
  }
}
