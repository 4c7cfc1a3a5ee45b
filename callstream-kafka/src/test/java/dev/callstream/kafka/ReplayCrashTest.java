package dev.callstream.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.recording.CallRecorder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A replay killed with SIGKILL in the middle of calls, then started again: every call once, byte-identical. */
class ReplayCrashTest {
  static TestBroker broker;

  @TempDir Path dir;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = TestBroker.start();
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void aReplayKilledMidCallAndRestartedRecordsEveryCallOnceAndIdentical() throws Exception {
    // lengths 80 to 430 frames: calls end one after the other, so the replay can be caught between two ends
    Path live = recordAndPublish("crash", 2, 8, 80, 99, 50);
    Path replay = dir.resolve("replay");

    Process first = child(replay, 2000, 60, dir.resolve("first.log"));
    try {
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
          .until(() -> finished(replay) >= 1 && unfinished(replay) >= 1);
    } finally {
      first.destroyForcibly(); // SIGKILL
      first.waitFor(30, TimeUnit.SECONDS);
    }
    int partial = unfinished(replay);
    assertThat(partial).as("killed in the middle of a call").isPositive();

    Process second = child(replay, 0, 3, dir.resolve("second.log"));
    assertThat(second.waitFor(90, TimeUnit.SECONDS)).as("the restarted replay goes idle and exits").isTrue();
    assertThat(second.exitValue()).as(Files.readString(dir.resolve("second.log"))).isZero();

    RecordingFiles.assertSameWavs(live, replay);
    for (String folder : RecordingFiles.folders(replay)) {
      JsonNode json = RecordingFiles.callJson(replay.resolve(folder));
      assertThat(json.get("endReason").asText()).as(folder).isEqualTo("stopped");
      assertThat(json.get("complete").asBoolean()).isTrue();
    }
  }

  @Test
  void aFolderLeftBeforeItsCallJsonIsReplayedIntoNotBeside() throws Exception {
    Path live = recordAndPublish("opened", 1, 2, 60, 11, 7);
    Path replay = dir.resolve("replay");
    List<String> calls = RecordingFiles.folders(live);
    // What a replay killed between creating a call's folder and writing its call.json leaves: the
    // tracks' headers and a half-written call.json.tmp. Caught at that moment by ReplayKillTest (cli)
    // under load, the restarted replay wrote the call again into a "-2" folder beside it.
    Path opened = Files.createDirectories(replay.resolve(calls.get(0)));
    for (String wav : List.of("agent.wav", "conference.wav", "stereo.wav")) {
      Files.write(opened.resolve(wav), new byte[44]);
    }
    Files.writeString(opened.resolve("call.json.tmp"), "{\"callId\":");
    // Not a folder a replay left while opening a call (a track with audio, no call.json): kept.
    Path foreign = Files.createDirectories(replay.resolve("notes"));
    byte[] audio = new byte[44 + 160];
    Files.write(foreign.resolve("agent.wav"), audio);

    try (RecordingReplay replaying = RecordingReplay.start(broker.bootstrap(), "opened", "opened-group", replay,
        new CallRecorder.Events() {})) {
      assertThat(replaying.removedAtStart()).isEqualTo(1);
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
          .until(() -> finished(replay) == calls.size());
    }

    assertThat(foreign.resolve("agent.wav")).hasBinaryContent(audio);
    Files.delete(foreign.resolve("agent.wav"));
    Files.delete(foreign);
    RecordingFiles.assertSameWavs(live, replay);
  }

  /**
   * Creates {@code topic}, records {@code calls} calls ({@link LiveCalls#run}) into the folder it
   * returns and publishes them to the topic.
   */
  private Path recordAndPublish(String topic, int partitions, int calls, int frames, long seed, int step)
      throws Exception {
    broker.createTopic(topic, partitions);
    Path live = dir.resolve("live");
    try (KafkaCallPublisher publisher = KafkaCallPublisher.builder(broker.bootstrap()).topic(topic).start()) {
      CallRecorder recorder = CallRecorder.builder(live).callJsonExtras(publisher.callJsonExtras()).build();
      LiveCalls.run(CallStreamListener.Factory.all(recorder, publisher), calls, frames, seed, step);
      assertThat(publisher.flush(Duration.ofSeconds(30))).isTrue();
    }
    return live;
  }

  private static Process child(Path replay, long microsPerFrame, int idleSeconds, Path log) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("-Xmx256m");
    command.add(ReplayChild.class.getName());
    command.add(broker.bootstrap());
    command.add("crash");
    command.add("crash-group");
    command.add(replay.toString());
    command.add(Long.toString(microsPerFrame));
    command.add(Integer.toString(idleSeconds));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static int finished(Path dir) throws IOException {
    return count(dir, true);
  }

  private static int unfinished(Path dir) throws IOException {
    return count(dir, false);
  }

  private static int count(Path dir, boolean finished) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    int n = 0;
    for (String folder : RecordingFiles.folders(dir)) {
      Path json = dir.resolve(folder).resolve("call.json");
      if (!Files.isRegularFile(json)) {
        continue;
      }
      JsonNode node;
      try {
        node = RecordingFiles.JSON.readTree(json.toFile());
      } catch (IOException e) {
        continue; // being replaced right now
      }
      boolean done = !node.path("endReason").isNull() && !node.path("endReason").isMissingNode();
      if (done == finished) {
        n++;
      }
    }
    return n;
  }
}
