package dev.callstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callstream.testkit.AudioSource;
import dev.callstream.testkit.CallResult;
import dev.callstream.testkit.CallScript;
import dev.callstream.testkit.FakeEngageVoice;
import dev.callstream.testkit.Pacing;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * CONTRACTS.md section 7: {@code callstream replay} (the real command, in a process of its own)
 * killed with SIGKILL in the middle of calls and started again with the same group still writes
 * every call once, its WAV files byte-identical to the ones {@code record} wrote.
 */
class ReplayKillTest {
  static KafkaTestBroker broker;

  @TempDir Path dir;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = KafkaTestBroker.start(Map.of("killed", 2));
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void aReplayKilledWithSigkillMidCallAndRestartedWritesWhatRecordWrote() throws Exception {
    Path live = dir.resolve("live");
    Path replayed = dir.resolve("replayed");
    StringWriter outText = new StringWriter();
    PrintWriter out = new PrintWriter(outText, true);
    PrintWriter err = new PrintWriter(new StringWriter(), true);
    CommandLine.ParseResult parsed = Main.commandLine(out, err).parseArgs("record", "--port", "0", "--tls", "none",
        "--recordings", live.toString(), "--kafka", broker.bootstrapServers(), "--kafka-topic", "killed");
    RecordServer server = RecordServer.start(((RecordCommand) parsed.subcommand().commandSpec().userObject()).settings(),
        out, err);
    Process first;
    try (FakeEngageVoice platform = FakeEngageVoice.builder(server.uri()).pacing(Pacing.REALTIME).build()) {
      // real-time calls: the replay, reading the topic while they are published, is always mid-call
      List<CompletableFuture<CallResult>> calls = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        Duration length = Duration.ofMillis(5000 + 400 * i);
        calls.add(platform.start(CallScript.numbered(9, i)
            .agent(AudioSource.speechLike(i).limit(length))
            .conference(AudioSource.speechLike(20 + i).limit(length))
            .build()));
      }
      first = replay(replayed, null, dir.resolve("first.log"));
      try {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
            .until(() -> unfinished(replayed) >= 2);
      } finally {
        first.destroyForcibly(); // SIGKILL on Linux and macOS: no shutdown hook, no commit, no cleanup
        first.waitFor(30, TimeUnit.SECONDS);
      }
      assertThat(first.exitValue()).as("killed by SIGKILL (128 + 9)").isEqualTo(137);
      assertThat(unfinished(replayed)).as("call folders left mid-call").isGreaterThanOrEqualTo(2);
      for (CompletableFuture<CallResult> call : calls) {
        call.get(60, TimeUnit.SECONDS);
      }
      await().atMost(Duration.ofSeconds(30))
          .until(() -> outText.toString().lines().filter(l -> l.startsWith("call ended ")).count() == 4);
    } finally {
      server.close(); // flushes the publisher
    }

    Process second = replay(replayed, "3", dir.resolve("second.log"));
    assertThat(second.waitFor(120, TimeUnit.SECONDS)).as("the restarted replay goes idle and exits").isTrue();
    String log = Files.readString(dir.resolve("second.log"));
    assertThat(second.exitValue()).as(log).isZero();
    assertThat(log).contains("unfinished call folder");

    List<String> folders = folders(live);
    assertThat(folders).hasSize(4);
    assertThat(folders(replayed)).isEqualTo(folders);
    for (String folder : folders) {
      for (String wav : List.of("agent.wav", "conference.wav", "stereo.wav")) {
        assertThat(Files.readAllBytes(replayed.resolve(folder).resolve(wav))).as(folder + "/" + wav)
            .isEqualTo(Files.readAllBytes(live.resolve(folder).resolve(wav)));
      }
      JsonNode json = RecordTestSupport.callJson(replayed.resolve(folder));
      assertThat(json.get("endReason").asText()).isEqualTo("stopped");
      assertThat(json.get("complete").asBoolean()).isTrue();
    }
  }

  /** {@code callstream replay} in a JVM of its own (the test's classpath), output to {@code log}. */
  private static Process replay(Path recordings, String untilIdle, Path log) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "replay", "--kafka", broker.bootstrapServers(), "--kafka-topic", "killed", "--group", "killed",
        "--recordings", recordings.toString()));
    if (untilIdle != null) {
      command.addAll(List.of("--until-idle", untilIdle));
    }
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static List<String> folders(Path root) throws IOException {
    try (Stream<Path> list = Files.list(root)) {
      return list.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** Call folders whose call.json has no endReason yet (being written). */
  private static int unfinished(Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      return 0;
    }
    int n = 0;
    for (String folder : folders(root)) {
      Path json = root.resolve(folder).resolve("call.json");
      try {
        JsonNode node = RecordTestSupport.callJson(root.resolve(folder));
        if (node.path("endReason").isMissingNode() || node.path("endReason").isNull()) {
          n++;
        }
      } catch (IOException | RuntimeException e) {
        // being replaced right now, or not there yet
        if (!Files.exists(json)) {
          continue;
        }
      }
    }
    return n;
  }
}
