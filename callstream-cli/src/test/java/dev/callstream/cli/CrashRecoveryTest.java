package dev.callstream.cli;

import static dev.callstream.cli.RecordTestDisk.assertPrefix;
import static dev.callstream.cli.RecordTestDisk.declaredDataBytes;
import static dev.callstream.cli.RecordTestDisk.declaredSamples;
import static dev.callstream.cli.RecordTestDisk.mulaw;
import static dev.callstream.cli.RecordTestSupport.callJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.callstream.testsupport.Wav;
import com.fasterxml.jackson.databind.JsonNode;
import dev.callstream.testkit.AudioSource;
import dev.callstream.testkit.CallResult;
import dev.callstream.testkit.CallScript;
import dev.callstream.testkit.FakeEngageVoice;
import dev.callstream.testkit.Pacing;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code callstream record} killed with SIGKILL in the middle of real-time calls: every file it
 * leaves is playable as it is, holding the audio sent up to about the last second, bit-exact; the
 * next start repairs the interrupted calls and then records new ones beside them.
 */
class CrashRecoveryTest {
  private static final int CALLS = 3;
  private static final int SAMPLE_RATE = 8000;
  /** Audio each file must declare before the kill: headers are patched at least once a second. */
  private static final double SECONDS_BEFORE_KILL = 1.5;
  /** How far the declared audio may lag what was sent: the header interval plus delivery. */
  private static final int LAG_FRAMES = 75;
  private static final List<String> FILES = List.of("agent.wav", "conference.wav", "stereo.wav");

  @TempDir Path dir;
  private final List<RecordTestProcess> recorders = new ArrayList<>();

  @AfterEach
  void stopRecorders() {
    recorders.forEach(RecordTestProcess::destroyIfAlive);
  }

  @Test
  void aKilledRecorderLeavesPlayableFilesAndTheNextStartRepairsThem() throws Exception {
    Path recordings = dir.resolve("recordings");
    RecordTestProcess first = start(recordings);
    URI uri = URI.create("ws://127.0.0.1:" + first.awaitListening() + "/");
    List<Path> folders = new ArrayList<>();
    List<CallResult> results = new ArrayList<>();
    try (FakeEngageVoice platform = FakeEngageVoice.builder(uri).pacing(Pacing.REALTIME).build()) {
      List<CompletableFuture<CallResult>> calls = new ArrayList<>();
      for (int c = 0; c < CALLS; c++) {
        calls.add(platform.start(script(c)));
      }
      for (int c = 0; c < CALLS; c++) {
        assertThat(first.nextLine()).startsWith("call started crash");
        folders.add(recordings.toAbsolutePath().resolve("crash" + c + "-1"));
      }
      // and the kill lands mid-write: some file holds data its header does not declare yet (a full
      // write buffer goes out between header updates), which only a repair can make playable in full
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
          .until(() -> everyFileDeclaresAtLeast(folders, SECONDS_BEFORE_KILL) && someFileHasUndeclaredData(folders));

      first.kill();

      for (CompletableFuture<CallResult> call : calls) {
        results.add(call.get(20, TimeUnit.SECONDS));
      }
    }
    assertThat(results).allMatch(CallResult::failed, "cut by the kill");
    assertThat(first.remainingLines()).as("no call ended line from a killed process").isEmpty();

    // as the crash left them: playable, each a bit-exact prefix of what was sent, up to about the last second
    Map<Path, Integer> declaredBeforeRepair = new HashMap<>();
    for (int c = 0; c < CALLS; c++) {
      Expected expected = expected(c, results.get(c));
      for (String file : FILES) {
        Path wav = folders.get(c).resolve(file);
        int channels = file.equals("stereo.wav") ? 2 : 1;
        short[] declared = declaredSamples(wav, channels);
        int sampleFrames = declared.length / channels;
        assertPrefix(declared, expected.of(file), wav.toString());
        assertThat(sampleFrames / (double) SAMPLE_RATE).as("%s seconds declared", wav).isGreaterThanOrEqualTo(SECONDS_BEFORE_KILL);
        assertThat(sampleFrames / 160).as("%s frames declared vs %d sent", wav, expected.frames)
            .isGreaterThanOrEqualTo(expected.frames - LAG_FRAMES);
        long sox = RecordTestDisk.soxSampleFrames(wav);
        if (sox >= 0) {
          assertThat(sox).as("sox --i -s %s", wav).isEqualTo(sampleFrames);
        }
        declaredBeforeRepair.put(wav, declared.length);
      }
      assertThat(callJson(folders.get(c)).get("endReason").isNull()).as("call.json of a live call").isTrue();
    }

    RecordTestProcess second = start(recordings);
    URI restarted = URI.create("ws://127.0.0.1:" + second.awaitListening() + "/");
    assertThat(second.awaitStderr(Pattern.compile("repaired (\\d+) interrupted recordings? in ")).group(1))
        .isEqualTo(Integer.toString(CALLS));

    // repaired: exact sizes, still a bit-exact prefix, nothing declared before is lost; and consistent:
    // the three files equally long in whole frames, the stereo channels equal to the mono files, and
    // call.json's frames + gaps per side equal to the frames in the files
    int grown = 0;
    for (int c = 0; c < CALLS; c++) {
      Expected expected = expected(c, results.get(c));
      Map<String, short[]> repairedSamples = new HashMap<>();
      for (String file : FILES) {
        Path wav = folders.get(c).resolve(file);
        short[] samples = Wav.read(wav).samples();
        // a frame the crash cut in two is completed with silence
        int channels = file.equals("stereo.wav") ? 2 : 1;
        assertPrefix(withoutTrailingSilence(samples, 160 * channels), expected.of(file), wav.toString());
        assertThat(samples.length).as("%s samples after repair", wav).isGreaterThanOrEqualTo(declaredBeforeRepair.get(wav));
        grown += samples.length > declaredBeforeRepair.get(wav) ? 1 : 0;
        repairedSamples.put(file, samples);
      }
      short[] agent = repairedSamples.get("agent.wav");
      short[] conference = repairedSamples.get("conference.wav");
      assertThat(agent.length % 160).as("whole frames").isZero();
      assertThat(conference).hasSameSizeAs(agent);
      assertThat(repairedSamples.get("stereo.wav")).as("stereo.wav = agent.wav | conference.wav")
          .containsExactly(RecordTestAudio.interleave(agent, conference));
      JsonNode json = callJson(folders.get(c));
      assertThat(json.get("complete").asBoolean()).isFalse();
      assertThat(json.get("endReason").asText()).isEqualTo("error");
      assertThat(json.get("repaired").asBoolean()).isTrue();
      for (String side : List.of("agent", "conference")) {
        JsonNode counters = json.get("channels").get(side);
        assertThat(counters.get("frames").asLong()).as("%s frames of %s", side, folders.get(c))
            .isGreaterThanOrEqualTo((long) (SECONDS_BEFORE_KILL * 50));
        assertThat(counters.get("frames").asLong() + counters.get("gaps").asLong())
            .as("%s frames + gaps of %s", side, folders.get(c)).isEqualTo(agent.length / 160);
      }
    }
    assertThat(grown).as("files whose undeclared audio the repair recovered").isPositive();
    try (Stream<Path> files = Files.walk(recordings)) {
      assertThat(files.filter(file -> file.getFileName().toString().endsWith(".tmp"))).isEmpty();
    }
    Map<Path, byte[]> repaired = snapshot(recordings);

    // a new call with the id of a crashed one: recorded in full in a new folder
    CallScript again = CallScript.builder().callId("crash0").sessionId("1")
        .agent(AudioSource.speechLike(900)).conference(AudioSource.speechLike(901))
        .maxDuration(Duration.ofSeconds(1)).build();
    try (FakeEngageVoice platform = FakeEngageVoice.builder(restarted).pacing(Pacing.FLOOD).build()) {
      assertThat(platform.play(again).completed()).isTrue();
    }
    Path newFolder = recordings.toAbsolutePath().resolve("crash0-1-2");
    assertThat(second.nextLine()).isEqualTo("call started crash0-1 " + newFolder);
    assertThat(second.nextLine()).isEqualTo("call ended crash0-1 stopped complete=true " + newFolder);
    RecordTestSupport.assertRecording(newFolder,
        RecordTestAudio.decode(mulaw(AudioSource.speechLike(900), 50)),
        RecordTestAudio.decode(mulaw(AudioSource.speechLike(901), 50)));
    Map<Path, byte[]> after = snapshot(recordings);
    repaired.forEach((file, bytes) -> assertThat(after.get(file)).as("%s untouched", file).isEqualTo(bytes));
    assertThat(second.terminate()).isZero();
  }

  /** {@code samples} without the zeros at its end, at most {@code max} of them. */
  private static short[] withoutTrailingSilence(short[] samples, int max) {
    int end = samples.length;
    while (end > 0 && samples.length - end < max && samples[end - 1] == 0) {
      end--;
    }
    return java.util.Arrays.copyOf(samples, end);
  }

  private RecordTestProcess start(Path recordings) throws Exception {
    RecordTestProcess recorder = RecordTestProcess.start("--port", "0", "--tls", "none", "--recordings", recordings.toString());
    recorders.add(recorder);
    return recorder;
  }

  private static CallScript script(int call) {
    return CallScript.builder().index(call).callId("crash" + call).sessionId("1")
        .agent(AudioSource.speechLike(100 + 2 * call)).conference(AudioSource.speechLike(101 + 2 * call))
        .maxDuration(Duration.ofSeconds(30)).build();
  }

  private static boolean everyFileDeclaresAtLeast(List<Path> folders, double seconds) throws Exception {
    for (Path folder : folders) {
      for (String file : FILES) {
        int bytesPerSecond = SAMPLE_RATE * 2 * (file.equals("stereo.wav") ? 2 : 1);
        if (declaredDataBytes(folder.resolve(file)) < seconds * bytesPerSecond) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean someFileHasUndeclaredData(List<Path> folders) throws Exception {
    for (Path folder : folders) {
      for (String file : FILES) {
        Path wav = folder.resolve(file);
        long declared = declaredDataBytes(wav);
        if (declared > 0 && Files.size(wav) > RecordTestDisk.HEADER_BYTES + declared) {
          return true;
        }
      }
    }
    return false;
  }

  /** What call {@code call} sent, decoded with the reference table: the most any file may hold. */
  private static Expected expected(int call, CallResult result) {
    int frames = (int) Math.max(result.agent().framesSent(), result.conference().framesSent());
    short[] agent = RecordTestAudio.decode(mulaw(AudioSource.speechLike(100 + 2 * call), frames));
    short[] conference = RecordTestAudio.decode(mulaw(AudioSource.speechLike(101 + 2 * call), frames));
    return new Expected(frames, agent, conference, RecordTestAudio.interleave(agent, conference));
  }

  private record Expected(int frames, short[] agent, short[] conference, short[] stereo) {
    short[] of(String file) {
      return file.equals("agent.wav") ? agent : file.equals("conference.wav") ? conference : stereo;
    }
  }

  private static Map<Path, byte[]> snapshot(Path root) throws Exception {
    Map<Path, byte[]> files = new HashMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path file : walk.filter(Files::isRegularFile).toList()) {
        files.put(file, Files.readAllBytes(file));
      }
    }
    return files;
  }
}
