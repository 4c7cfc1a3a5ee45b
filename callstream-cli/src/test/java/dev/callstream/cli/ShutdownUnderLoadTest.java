package dev.callstream.cli;

import static dev.callstream.cli.RecordTestDisk.declaredDataBytes;
import static dev.callstream.cli.RecordTestDisk.mulaw;
import static dev.callstream.cli.RecordTestSupport.callJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.callstream.testkit.AudioSource;
import dev.callstream.testkit.CallResult;
import dev.callstream.testkit.CallScript;
import dev.callstream.testkit.FakeEngageVoice;
import dev.callstream.testkit.Pacing;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM while 50 real-time calls stream into {@code callstream record}: exit 0 after every call
 * ended with {@code shutdown}, each recording valid and a bit-exact prefix of what was sent, as long
 * as {@code call.json} counts.
 */
class ShutdownUnderLoadTest {
  private static final int CALLS = 50;
  /** Each call's agent.wav declares this much before the signal (so 2 s or more have been sent). */
  private static final double SECONDS_BEFORE_SIGNAL = 1.5;

  @TempDir Path dir;
  private RecordTestProcess recorder;

  @AfterEach
  void stopRecorder() {
    if (recorder != null) {
      recorder.destroyIfAlive();
    }
  }

  @Test
  void sigtermWithFiftyOpenCallsFinishesEveryRecordingAndExitsZero() throws Exception {
    Path recordings = dir.resolve("recordings").toAbsolutePath();
    // A drain of zero: every open call ends with shutdown at once (the drain itself: RecordDrainProcessTest)
    recorder = RecordTestProcess.start("--port", "0", "--tls", "none", "--recordings", recordings.toString(),
        "--drain-timeout", "0");
    URI uri = URI.create("ws://127.0.0.1:" + recorder.awaitListening() + "/");
    HttpClient shared = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    List<CallResult> results = new ArrayList<>();
    try (FakeEngageVoice platform = FakeEngageVoice.builder(uri).httpClient(shared).pacing(Pacing.REALTIME).build()) {
      List<CompletableFuture<CallResult>> calls = new ArrayList<>();
      for (int c = 0; c < CALLS; c++) {
        calls.add(platform.start(script(c)));
      }
      Set<String> started = new HashSet<>();
      for (int c = 0; c < CALLS; c++) {
        String line = recorder.nextLine();
        assertThat(line).matches("call started load\\d+-1 \\S+");
        started.add(line);
      }
      assertThat(started).hasSize(CALLS);
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
        for (int c = 0; c < CALLS; c++) {
          if (declaredDataBytes(folder(recordings, c).resolve("agent.wav")) < SECONDS_BEFORE_SIGNAL * 16000) {
            return false;
          }
        }
        return true;
      });

      assertThat(recorder.terminate()).as("exit code after SIGTERM; stderr:%n%s", recorder.stderr).isZero();

      for (CompletableFuture<CallResult> call : calls) {
        results.add(call.get(30, TimeUnit.SECONDS));
      }
    }

    List<String> ended = recorder.remainingLines();
    assertThat(ended).as("stdout after SIGTERM").first().isEqualTo("draining " + CALLS + " calls");
    ended = ended.subList(1, ended.size());
    assertThat(ended).as("stdout after SIGTERM; stderr:%n%s", recorder.stderr).hasSize(CALLS)
        .allMatch(line -> line.matches("call ended load\\d+-1 shutdown complete=false \\S+"));
    // 1001 (going away); -1 when the sender was writing a frame as the server closed the socket
    assertThat(results).extracting(CallResult::closeCode).isSubsetOf(1001, -1).contains(1001);
    for (int c = 0; c < CALLS; c++) {
      Path folder = folder(recordings, c);
      JsonNode json = callJson(folder);
      assertThat(json.get("endReason").asText()).as("%s endReason", folder).isEqualTo("shutdown");
      assertThat(json.get("complete").asBoolean()).isFalse();
      int sent = (int) Math.max(results.get(c).agent().framesSent(), results.get(c).conference().framesSent());
      // valid files, bit-exact, each side exactly its call.json frames long (then silence), all as long
      int recorded = RecordTestSupport.assertRecordedPrefix(folder,
          mulaw(AudioSource.speechLike(1000 + 2 * c), sent), mulaw(AudioSource.speechLike(1001 + 2 * c), sent));
      assertThat(recorded).as("%s frames", folder).isBetween((int) (SECONDS_BEFORE_SIGNAL * 50), sent);
      long agentFrames = json.get("channels").get("agent").get("frames").asLong();
      long conferenceFrames = json.get("channels").get("conference").get("frames").asLong();
      assertThat(Math.max(agentFrames, conferenceFrames)).as("%s call.json frames", folder).isEqualTo(recorded);
      assertThat(json.get("channels").get("agent").get("gaps").asLong()).isZero();
    }
    try (Stream<Path> files = Files.walk(recordings)) {
      assertThat(files.filter(file -> file.getFileName().toString().endsWith(".tmp"))).isEmpty();
    }
  }

  private static CallScript script(int call) {
    return CallScript.builder().index(call).callId("load" + call).sessionId("1")
        .agent(AudioSource.speechLike(1000 + 2 * call)).conference(AudioSource.speechLike(1001 + 2 * call))
        .maxDuration(Duration.ofSeconds(25)).build();
  }

  private static Path folder(Path recordings, int call) {
    return recordings.resolve("load" + call + "-1");
  }
}
