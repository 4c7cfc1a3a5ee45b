package dev.callstream.cli;

import static dev.callstream.cli.RecordTestCall.AGENT;
import static dev.callstream.cli.RecordTestCall.CONFERENCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code record --kafka} and {@code replay} (CONTRACTS.md section 7) against a real in-process KRaft
 * broker: real WebSocket calls recorded and published, then replayed to byte-identical WAV files.
 */
class KafkaCommandsTest {
  static KafkaTestBroker broker;

  @TempDir Path dir;

  private final StringWriter outText = new StringWriter();
  private final StringWriter errText = new StringWriter();
  private final PrintWriter out = new PrintWriter(outText, true);
  private final PrintWriter err = new PrintWriter(errText, true);
  private RecordServer server;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = KafkaTestBroker.start(Map.of("calls", 2, "unrecorded", 1));
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private RecordServer record(String... flags) throws Exception {
    List<String> args = new ArrayList<>(List.of("record", "--port", "0", "--tls", "none"));
    args.addAll(List.of(flags));
    CommandLine.ParseResult parsed = Main.commandLine(out, err).parseArgs(args.toArray(String[]::new));
    RecordCommand command = (RecordCommand) parsed.subcommand().commandSpec().userObject();
    server = RecordServer.start(command.settings(), out, err);
    return server;
  }

  private long ended() {
    return outText.toString().lines().filter(l -> l.startsWith("call ended ")).count();
  }

  private PrometheusText scrape(HttpClient client) throws Exception {
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(server.adminUri().resolve("/metrics"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return PrometheusText.parse(response.body());
  }

  private static List<String> folders(Path root) throws Exception {
    try (Stream<Path> list = Files.list(root)) {
      return list.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void replayWritesWavFilesByteIdenticalToRecord() throws Exception {
    Path live = dir.resolve("live");
    record("--recordings", live.toString(), "--kafka", broker.bootstrapServers(), "--kafka-topic", "calls",
        "--admin-port", "0");
    assertThat(errText.toString()).contains("publishing every call to kafka " + broker.bootstrapServers()
        + " topic calls");
    HttpClient client = RecordTestCall.client(null);
    RecordTestCall.open(client, server.uri(), "whole", "1")
        .streamWhole(RecordTestAudio.speech(1, 120), RecordTestAudio.speech(2, 120));
    // a second call with a lost agent frame, a swapped pair and a duplicate
    byte[] agent = RecordTestAudio.speech(3, 80);
    byte[] conference = RecordTestAudio.speech(4, 80);
    RecordTestCall lossy = RecordTestCall.open(client, server.uri(), "lossy", "2").connected().start();
    for (int i = 0; i < 80; i++) {
      int a = i == 20 ? 21 : i == 21 ? 20 : i;
      if (a != 40) {
        lossy.media(AGENT, a + 1, RecordTestAudio.frame(agent, a));
      }
      lossy.media(CONFERENCE, i + 1, RecordTestAudio.frame(conference, i));
      if (i == 10) {
        lossy.media(CONFERENCE, i + 1, RecordTestAudio.frame(conference, i));
      }
    }
    lossy.stop(1).stop(1);
    await().atMost(Duration.ofSeconds(30)).until(() -> ended() == 2);
    // the publisher's counters on /metrics (CONTRACTS.md section 6 names, tagged with the topic)
    String metrics = "callstream_kafka_published_total{topic=\"calls\"}";
    await().atMost(Duration.ofSeconds(30)).until(() -> scrape(client).samples.getOrDefault(metrics, 0.0) > 0);
    PrometheusText scraped = scrape(client);
    assertThat(scraped.types).containsEntry("callstream_kafka_dropped_total", "counter")
        .containsEntry("callstream_kafka_published_total", "counter")
        .containsEntry("callstream_kafka_buffered_bytes", "gauge");
    assertThat(scraped.samples).containsEntry("callstream_kafka_dropped_total{topic=\"calls\"}", 0.0);
    server.close(); // flushes the publisher
    server = null;
    assertThat(RecordTestSupport.callJson(live.resolve("lossy-2")).get("kafkaDropped").asLong()).isZero();

    Path replayed = dir.resolve("replayed");
    StringWriter replayOut = new StringWriter();
    int exit = Main.run(new String[] {"replay", "--kafka", broker.bootstrapServers(), "--kafka-topic", "calls",
        "--group", "cli-test", "--recordings", replayed.toString(), "--until-idle", "2"},
        new PrintWriter(replayOut, true), err);
    assertThat(exit).as(errText.toString()).isZero();
    assertThat(replayOut.toString()).contains("call ended whole-1 stopped complete=true", "call ended lossy-2 stopped");
    assertThat(folders(replayed)).isEqualTo(folders(live)).containsExactly("lossy-2", "whole-1");
    for (String folder : folders(live)) {
      for (String wav : List.of("agent.wav", "conference.wav", "stereo.wav")) {
        assertThat(Files.readAllBytes(replayed.resolve(folder).resolve(wav))).as(folder + "/" + wav)
            .isEqualTo(Files.readAllBytes(live.resolve(folder).resolve(wav)));
      }
    }
    assertThat(RecordTestSupport.callJson(replayed.resolve("lossy-2")).at("/channels/agent/gaps").asLong())
        .isEqualTo(1);

    // the same group again: every call was done, nothing is written twice
    int again = Main.run(new String[] {"replay", "--kafka", broker.bootstrapServers(), "--kafka-topic", "calls",
        "--group", "cli-test", "--recordings", replayed.toString(), "--until-idle", "2"},
        new PrintWriter(new StringWriter(), true), err);
    assertThat(again).isZero();
    assertThat(folders(replayed)).containsExactly("lossy-2", "whole-1");
  }

  @Test
  void recordingsNonePublishesWithoutWritingFiles() throws Exception {
    Path cwd = dir.resolve("none-check");
    Files.createDirectories(cwd);
    record("--recordings", "none", "--kafka", broker.bootstrapServers(), "--kafka-topic", "unrecorded");
    assertThat(errText.toString()).contains("not recording (--recordings none)");
    RecordTestCall.open(RecordTestCall.client(null), server.uri(), "quiet", "3")
        .streamWhole(RecordTestAudio.speech(5, 60), RecordTestAudio.speech(6, 60));
    await().atMost(Duration.ofSeconds(30)).until(() -> ended() == 1);
    assertThat(outText.toString()).contains("call started quiet-3 none", "call ended quiet-3 stopped complete=true none");
    server.close();
    server = null;
    assertThat(Files.exists(Path.of("none"))).as("no folder named none").isFalse();

    Path replayed = dir.resolve("replayed");
    int exit = Main.run(new String[] {"replay", "--kafka", broker.bootstrapServers(), "--kafka-topic", "unrecorded",
        "--recordings", replayed.toString(), "--until-idle", "2"}, new PrintWriter(new StringWriter(), true), err);
    assertThat(exit).isZero();
    assertThat(RecordTestSupport.callJson(replayed.resolve("quiet-3")).get("complete").asBoolean()).isTrue();
    RecordTestSupport.assertRecording(replayed.resolve("quiet-3"),
        RecordTestAudio.expectedMono(RecordTestAudio.speech(5, 60), RecordTestAudio.all(60), 60),
        RecordTestAudio.expectedMono(RecordTestAudio.speech(6, 60), RecordTestAudio.all(60), 60));
  }

  @Test
  void usageErrorsExit2AndAMissingTopicExits1() {
    StringWriter errors = new StringWriter();
    PrintWriter e = new PrintWriter(errors, true);
    PrintWriter o = new PrintWriter(new StringWriter(), true);
    assertThat(Main.run(new String[] {"record", "--kafka-topic", "t"}, o, e)).isEqualTo(2);
    assertThat(errors.toString()).contains("--kafka-topic needs --kafka");
    assertThat(Main.run(new String[] {"record", "--recordings", "none"}, o, e)).isEqualTo(2);
    assertThat(errors.toString()).contains("--recordings none needs --kafka");
    assertThat(Main.run(new String[] {"replay", "--recordings", dir.toString()}, o, e)).isEqualTo(2);
    assertThat(Main.run(new String[] {"replay", "--kafka", broker.bootstrapServers(), "--kafka-topic", "missing",
        "--recordings", dir.toString(), "--until-idle", "1"}, o, e)).isEqualTo(1);
    assertThat(errors.toString()).contains("topic missing does not exist");
    assertThat(Main.run(new String[] {"record", "--port", "0", "--tls", "none", "--recordings", dir.toString(),
        "--kafka", broker.bootstrapServers(), "--kafka-topic", "missing"}, o, e)).isEqualTo(1);
  }
}
