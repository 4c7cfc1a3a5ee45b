package dev.callstream.cli;

import static dev.callstream.cli.RecordTestAudio.FRAME_SAMPLES;
import static dev.callstream.cli.RecordTestAudio.all;
import static dev.callstream.cli.RecordTestAudio.expectedMono;
import static dev.callstream.cli.RecordTestAudio.frame;
import static dev.callstream.cli.RecordTestAudio.speech;
import static dev.callstream.cli.RecordTestCall.AGENT;
import static dev.callstream.cli.RecordTestCall.CONFERENCE;
import static dev.callstream.cli.RecordTestSupport.assertRecordedWhole;
import static dev.callstream.cli.RecordTestSupport.assertRecording;
import static dev.callstream.cli.RecordTestSupport.assertSamples;
import static dev.callstream.cli.RecordTestSupport.callJson;
import static dev.callstream.cli.RecordTestSupport.folderOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.callstream.testsupport.Wav;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code callstream record} end to end, in-process: flags parsed by the real command line, the real
 * server over TLS (self-signed unless a test says otherwise), a JDK WebSocket client streaming
 * speech-like mu-law, and the recorded samples compared with the reference G.711 decode of what was
 * sent.
 */
class RecordServerTest {
  @TempDir Path dir;

  private final StringWriter outText = new StringWriter();
  private final StringWriter errText = new StringWriter();
  private final PrintWriter out = new PrintWriter(outText, true);
  private final PrintWriter err = new PrintWriter(errText, true);
  private RecordServer server;
  private HttpClient client;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private RecordServer start(String... flags) throws Exception {
    List<String> args = new ArrayList<>(List.of("record", "--port", "0", "--recordings", dir.toString()));
    args.addAll(List.of(flags));
    CommandLine.ParseResult parsed = Main.commandLine(out, err).parseArgs(args.toArray(String[]::new));
    RecordCommand command = (RecordCommand) parsed.subcommand().commandSpec().userObject();
    server = RecordServer.start(command.settings(), out, err);
    client = RecordTestCall.client(server.tls().secure() ? server.tls().clientContext() : null);
    return server;
  }

  private RecordTestCall open(String callId, String sessionId) {
    return RecordTestCall.open(client, server.uri(), callId, sessionId);
  }

  private List<String> outLines() {
    return outText.toString().lines().toList();
  }

  /** Waits for the {@code count}-th {@code call ended <name> } line and returns the ended lines. */
  private List<String> awaitEnded(String name, int count) {
    String prefix = "call ended " + name + " ";
    await().atMost(Duration.ofSeconds(30)).until(
        () -> outLines().stream().filter(line -> line.startsWith(prefix)).count() >= count);
    return outLines().stream().filter(line -> line.startsWith(prefix)).toList();
  }

  private Path awaitEndedFolder(String name, String reason, boolean complete) {
    String line = awaitEnded(name, 1).get(0);
    assertThat(line).startsWith("call ended " + name + " " + reason + " complete=" + complete + " ");
    return folderOf(line);
  }

  private List<Path> callFolders() throws Exception {
    try (Stream<Path> folders = Files.list(dir)) {
      return folders.filter(Files::isDirectory).sorted().toList();
    }
  }

  @Test
  void recordsBothSidesBitExactInMonoAndStereoWithCallJson() throws Exception {
    start();
    assertThat(outLines()).first().asString().matches("listening on wss://127\\.0\\.0\\.1:\\d+/");
    assertThat(errText.toString()).containsPattern("tls: self-signed certificate sha256 ([0-9A-F]{2}:){31}[0-9A-F]{2}");
    byte[] agent = speech(1, 150);
    byte[] conference = speech(2, 150);

    open("call-1", "7").streamWhole(agent, conference);

    Path folder = awaitEndedFolder("call-1-7", "stopped", true);
    assertThat(folder).isEqualTo(dir.resolve("call-1-7"));
    assertThat(outLines()).contains("call started call-1-7 " + folder);
    assertRecordedWhole(folder, agent, conference);
    JsonNode json = callJson(folder);
    assertThat(json.get("callId").asText()).isEqualTo("call-1");
    assertThat(json.get("sessionId").asText()).isEqualTo("7");
    assertThat(json.get("query").get("dnis").asText()).isEqualTo("5556667777");
    assertThat(json.get("start").get("contentType").asText()).isEqualTo("audio/x-mulaw");
    assertThat(json.get("stops")).hasSize(2);
    assertThat(json.get("stops").get(0).get("duration").asInt()).isEqualTo(3);
    assertThat(json.get("complete").asBoolean()).isTrue();
    assertThat(json.get("endReason").asText()).isEqualTo("stopped");
    for (String side : List.of("agent", "conference")) {
      JsonNode stats = json.get("channels").get(side);
      assertThat(stats.get("frames").asLong()).as(side).isEqualTo(150);
      assertThat(stats.get("gaps").asLong() + stats.get("duplicates").asLong() + stats.get("late").asLong())
          .as(side).isZero();
    }
  }

  @Test
  void alignsASideThatLagsInTimeOrLostItsFirstFrames() throws Exception {
    start();
    int frames = 120;
    byte[] agent = speech(3, frames);
    byte[] conference = speech(4, frames);

    // The conference side arrives 80 frames (1.6 s) behind the agent: aligned by sequence, not time.
    RecordTestCall lagging = open("lag", "1").connected().start();
    for (int i = 0; i < 80; i++) {
      lagging.media(AGENT, i + 1, frame(agent, i));
    }
    for (int i = 0; i < frames; i++) {
      lagging.media(CONFERENCE, i + 1, frame(conference, i));
      if (80 + i < frames) {
        lagging.media(AGENT, 80 + i + 1, frame(agent, 80 + i));
      }
    }
    lagging.stop(2).stop(2);

    // The conference side's first 10 frames never arrive: it starts with 10 frames of silence.
    boolean[] lateStart = all(frames);
    java.util.Arrays.fill(lateStart, 0, 10, false);
    RecordTestCall lossy = open("lossy", "1").connected().start();
    for (int i = 0; i < frames; i++) {
      lossy.media(AGENT, i + 1, frame(agent, i));
      if (lateStart[i]) {
        lossy.media(CONFERENCE, i + 1, frame(conference, i));
      }
    }
    lossy.stop(2).stop(2);

    assertRecordedWhole(awaitEndedFolder("lag-1", "stopped", true), agent, conference);
    Path lossyFolder = awaitEndedFolder("lossy-1", "stopped", true);
    assertRecording(lossyFolder,
        expectedMono(agent, all(frames), frames), expectedMono(conference, lateStart, frames));
    assertThat(callJson(lossyFolder).get("channels").get("conference").get("gaps").asLong()).isEqualTo(10);
  }

  @Test
  void fillsDroppedFramesWithSilenceSoEveryFileLastsTheCall() throws Exception {
    start();
    int frames = 100;
    byte[] agent = speech(5, frames);
    byte[] conference = speech(6, frames);
    boolean[] agentSent = all(frames);
    boolean[] conferenceSent = all(frames);
    agentSent[10] = agentSent[11] = agentSent[40] = false;
    conferenceSent[25] = false;

    RecordTestCall call = open("gaps", "1").connected().start();
    for (int i = 0; i < frames; i++) {
      if (agentSent[i]) {
        call.media(AGENT, i + 1, frame(agent, i));
      }
      if (conferenceSent[i]) {
        call.media(CONFERENCE, i + 1, frame(conference, i));
      }
    }
    call.stop(2).stop(2);

    Path folder = awaitEndedFolder("gaps-1", "stopped", true);
    short[] expectedAgent = expectedMono(agent, agentSent, frames);
    assertRecording(folder, expectedAgent, expectedMono(conference, conferenceSent, frames));
    Wav agentWav = Wav.read(folder.resolve("agent.wav"));
    for (int slot : new int[] {10, 11, 40}) {
      for (int s = slot * FRAME_SAMPLES; s < (slot + 1) * FRAME_SAMPLES; s++) {
        assertThat(agentWav.samples()[s]).as("agent sample %d in dropped frame %d", s, slot).isZero();
      }
    }
    assertThat(agentWav.seconds()).isEqualTo(2.0);
    assertThat(Wav.read(folder.resolve("stereo.wav")).seconds()).isEqualTo(2.0);
    JsonNode channels = callJson(folder).get("channels");
    assertThat(channels.get("agent").get("gaps").asLong()).isEqualTo(3);
    assertThat(channels.get("agent").get("frames").asLong()).isEqualTo(97);
    assertThat(channels.get("conference").get("gaps").asLong()).isEqualTo(1);
  }

  @Test
  void putsReorderedFramesBackAndDropsDuplicates() throws Exception {
    start();
    int frames = 100;
    byte[] agent = speech(7, frames);
    byte[] conference = speech(8, frames);
    List<Integer> agentOrder = new ArrayList<>();
    for (int i = 0; i < frames; i++) {
      agentOrder.add(i);
    }
    // swaps within the 5-frame window, and the very first frames out of order too
    java.util.Collections.swap(agentOrder, 0, 2);
    java.util.Collections.swap(agentOrder, 20, 21);
    java.util.Collections.swap(agentOrder, 50, 54);
    agentOrder.add(62, 60); // a duplicate of frame 60 after 61
    List<Integer> conferenceOrder = new ArrayList<>(agentOrder.stream().distinct().sorted().toList());
    java.util.Collections.swap(conferenceOrder, 30, 33);
    conferenceOrder.add(71, 70);

    RecordTestCall call = open("reorder", "1").connected().start();
    for (int i = 0; i < Math.max(agentOrder.size(), conferenceOrder.size()); i++) {
      if (i < agentOrder.size()) {
        call.media(AGENT, agentOrder.get(i) + 1, frame(agent, agentOrder.get(i)));
      }
      if (i < conferenceOrder.size()) {
        call.media(CONFERENCE, conferenceOrder.get(i) + 1, frame(conference, conferenceOrder.get(i)));
      }
    }
    call.stop(2).stop(2);

    Path folder = awaitEndedFolder("reorder-1", "stopped", true);
    assertRecordedWhole(folder, agent, conference);
    JsonNode channels = callJson(folder).get("channels");
    for (String side : List.of("agent", "conference")) {
      assertThat(channels.get(side).get("frames").asLong()).as(side).isEqualTo(frames);
      assertThat(channels.get(side).get("duplicates").asLong()).as(side).isEqualTo(1);
      assertThat(channels.get(side).get("reordered").asLong()).as(side).isPositive();
      assertThat(channels.get(side).get("gaps").asLong()).as(side).isZero();
    }
  }

  @Test
  void aConnectionCutWithoutStopLeavesValidFilesWithAllAudioReceived() throws Exception {
    start();
    int frames = 120;
    byte[] agent = speech(9, frames);
    byte[] conference = speech(10, frames);
    RecordTestCall call = open("cut", "1").connected().start().mediaBoth(agent, conference);

    call.abort();

    Path folder = awaitEndedFolder("cut-1", "closed", false);
    assertRecordedWhole(folder, agent, conference);
    JsonNode json = callJson(folder);
    assertThat(json.get("complete").asBoolean()).isFalse();
    assertThat(json.get("endReason").asText()).isEqualTo("closed");
    assertThat(json.get("stops")).isEmpty();
  }

  @Test
  void fiftyConcurrentCallsEachRecordTheirOwnAudio() throws Exception {
    start();
    int calls = 50;
    int frames = 60;
    ExecutorService senders = Executors.newFixedThreadPool(calls);
    try {
      List<Future<?>> sent = new ArrayList<>();
      for (int c = 0; c < calls; c++) {
        int id = c;
        sent.add(senders.submit(() ->
            open("many" + id, "1").streamWhole(speech(1000 + 2 * id, frames), speech(1001 + 2 * id, frames))));
      }
      for (Future<?> future : sent) {
        future.get(60, TimeUnit.SECONDS);
      }
    } finally {
      senders.shutdownNow();
    }
    await().atMost(Duration.ofSeconds(30))
        .until(() -> outLines().stream().filter(line -> line.startsWith("call ended ")).count() == calls);
    for (int c = 0; c < calls; c++) {
      Path folder = awaitEndedFolder("many" + c + "-1", "stopped", true);
      assertRecordedWhole(folder, speech(1000 + 2 * c, frames), speech(1001 + 2 * c, frames));
    }
    assertThat(callFolders()).hasSize(calls);
  }

  @Test
  void aWrongSecretGets401AndRecordsNothing() throws Exception {
    start("--secret", "first-secret-7f3a", "--secret", "second-secret-91bc");

    assertThat(RecordTestCall.refusedStatus(client, server.uri(), "bad1", Map.of(),
        Map.of("Authorization", "Bearer wrong-secret"))).isEqualTo(401);
    assertThat(RecordTestCall.refusedStatus(client, server.uri(), "bad2", Map.of("secret", "wrong-secret"),
        Map.of())).isEqualTo(401);

    assertThat(callFolders()).isEmpty();
    assertThat(outLines()).hasSize(1);
  }

  @Test
  void acceptsAnyConfiguredSecretFromHeaderQueryOrStartAndNeverStoresIt() throws Exception {
    start("--secret", "first-secret-7f3a", "--secret", "second-secret-91bc");
    byte[] agent = speech(11, 25);
    byte[] conference = speech(12, 25);

    RecordTestCall.open(client, server.uri(), "header", "1", Map.of(),
        Map.of("Authorization", "Bearer second-secret-91bc")).streamWhole(agent, conference);
    RecordTestCall.open(client, server.uri(), "query", "1", Map.of("secret", "first-secret-7f3a"), Map.of())
        .streamWhole(agent, conference);
    RecordTestCall atStart = open("start", "1").connected().start(",\"secret\":\"second-secret-91bc\"")
        .mediaBoth(agent, conference);
    atStart.stop(0).stop(0);

    for (String name : List.of("header-1", "query-1", "start-1")) {
      Path folder = awaitEndedFolder(name, "stopped", true);
      assertRecordedWhole(folder, agent, conference);
      assertThat(Files.readString(folder.resolve("call.json")))
          .doesNotContain("first-secret-7f3a", "second-secret-91bc");
    }
    assertThat(outText.toString() + errText.toString()).doesNotContain("first-secret-7f3a", "second-secret-91bc");
  }

  @Test
  void aWrongOrMissingStartSecretClosesWith1008BeforeAnyAudioIsWritten() throws Exception {
    start("--secret", "first-secret-7f3a");

    RecordTestCall wrong = open("wrongstart", "1").connected().start(",\"secret\":\"not-it\"");
    assertThat(wrong.awaitCloseCode(10)).isEqualTo(1008);
    RecordTestCall missing = open("nostart", "1").connected();
    missing.send("{\"event\":\"Media\",\"perspective\":\"Participant\",\"sequenceId\":\"1\",\"media\":\"AAAA\"}");
    assertThat(missing.awaitCloseCode(10)).isEqualTo(1008);

    await().atMost(Duration.ofSeconds(10)).until(() -> server.activeCalls() == 0);
    assertThat(callFolders()).isEmpty();
    assertThat(outLines()).noneMatch(line -> line.startsWith("call "));
  }

  @Test
  void refusesCallsBeyondMaxCallsWith503() throws Exception {
    start("--max-calls", "2");
    RecordTestCall first = open("cap1", "1").connected().start();
    RecordTestCall second = open("cap2", "1").connected().start();

    assertThat(RecordTestCall.refusedStatus(client, server.uri(), "cap3", Map.of(), Map.of())).isEqualTo(503);

    first.stop(0).stop(0);
    awaitEnded("cap1-1", 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> server.activeCalls() == 1);
    byte[] agent = speech(13, 10);
    open("cap3", "1").streamWhole(agent, agent);
    assertRecordedWhole(awaitEndedFolder("cap3-1", "stopped", true), agent, agent);
    second.stop(0).stop(0);
    awaitEnded("cap2-1", 1);
  }

  @Test
  void recordsOneSequenceCounterSharedByBothSides() throws Exception {
    start();
    int frames = 100;
    byte[] agent = speech(14, frames);
    byte[] conference = speech(15, frames);
    RecordTestCall call = open("shared", "1").connected().start();
    for (int i = 0; i < frames; i++) {
      call.media(AGENT, 2L * i + 1, frame(agent, i)).media(CONFERENCE, 2L * i + 2, frame(conference, i));
    }
    call.stop(2).stop(2);

    Path folder = awaitEndedFolder("shared-1", "stopped", true);
    assertRecordedWhole(folder, agent, conference);
    assertThat(callJson(folder).get("channels").get("agent").get("gaps").asLong()).isZero();
  }

  @Test
  void aRetriedCallLandsInTheNextFolderAndOverwritesNothing() throws Exception {
    start();
    byte[] firstTry = speech(16, 30);
    byte[] secondTry = speech(17, 30);

    open("retry/../x", "1").streamWhole(firstTry, firstTry);
    awaitEnded("retry_.._x-1", 1);
    open("retry/../x", "1").streamWhole(secondTry, secondTry);
    List<String> ended = awaitEnded("retry_.._x-1", 2);

    assertThat(ended.stream().map(RecordTestSupport::folderOf))
        .containsExactly(dir.resolve("retry_.._x-1"), dir.resolve("retry_.._x-1-2"));
    assertRecordedWhole(dir.resolve("retry_.._x-1"), firstTry, firstTry);
    assertRecordedWhole(dir.resolve("retry_.._x-1-2"), secondTry, secondTry);
    assertThat(callFolders()).hasSize(2);
  }

  @Test
  void servesPlainWebSocketWithTlsNone() throws Exception {
    start("--tls", "none");
    assertThat(server.uri().getScheme()).isEqualTo("ws");
    assertThat(outLines()).first().asString().matches("listening on ws://127\\.0\\.0\\.1:\\d+/");
    byte[] agent = speech(18, 20);
    byte[] conference = speech(19, 20);

    open("plain", "1").streamWhole(agent, conference);

    assertRecordedWhole(awaitEndedFolder("plain-1", "stopped", true), agent, conference);
  }

  @Test
  void closingFinishesOpenRecordingsWithShutdown() throws Exception {
    start();
    int frames = 50;
    byte[] agent = speech(20, frames);
    byte[] conference = speech(21, frames);
    RecordTestCall call = open("open", "1").connected().start().mediaBoth(agent, conference);
    await().atMost(Duration.ofSeconds(10)).until(() -> outText.toString().contains("call started open-1 "));

    server.close();

    assertThat(call.awaitCloseCode(10)).isEqualTo(1001);
    Path folder = awaitEndedFolder("open-1", "shutdown", false);
    // Frames still in flight when the server closed may be missing; everything written is exact.
    assertThat(RecordTestSupport.assertRecordedPrefix(folder, agent, conference)).isBetween(1, frames);
    JsonNode json = callJson(folder);
    assertThat(json.get("endReason").asText()).isEqualTo("shutdown");
    assertThat(json.get("complete").asBoolean()).isFalse();
    assertThat(errText.toString()).contains("shutting down: finishing 1 open call", "stopped");
  }

  @Test
  void repairsRecordingsACrashLeftBehindBeforeAcceptingCalls() throws Exception {
    Path crashed = Files.createDirectories(dir.resolve("crashed-1"));
    Files.writeString(crashed.resolve("call.json"),
        "{\"callId\":\"crashed\",\"sessionId\":\"1\",\"complete\":false,\"endReason\":null}");
    short[] samples = RecordTestAudio.decode(speech(22, 10));
    RecordTestSupport.writeStaleHeader(crashed.resolve("agent.wav"), samples);

    start();

    assertThat(errText.toString()).contains("repaired 1 interrupted recording in " + dir.toAbsolutePath());
    assertSamples(Wav.read(crashed.resolve("agent.wav")).samples(), samples, "repaired agent.wav");
    JsonNode json = callJson(crashed);
    assertThat(json.get("endReason").asText()).isEqualTo("error");
    assertThat(json.get("complete").asBoolean()).isFalse();
  }
}
