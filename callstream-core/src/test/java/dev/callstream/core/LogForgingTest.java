package dev.callstream.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callstream.core.audio.AudioFormat;
import dev.callstream.core.internal.CallDriver;
import dev.callstream.core.internal.LogSafe;
import dev.callstream.core.recording.CallRecorder;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A call id is peer-controlled: one holding line breaks must never start a log line of its own. The
 * calls run in a child JVM logging at DEBUG (slf4j-simple writes every line to stderr), through
 * every path of {@link CallDriver} and {@link CallRecorder} that names the call: start, gap, end, a
 * duplicate Start reported to the listener, a listener that throws, a connection that fails to close, a recording that fails.
 */
class LogForgingTest {
  /** Each line break is followed by what a forged slf4j-simple line looks like. */
  static final String HOSTILE_ID = "c1\n[main] ERROR forged.Line - one\r[main] WARN forged.Line - two\r\n";

  @TempDir Path dir;

  @Test
  void aCallIdWithLineBreaksNeverBreaksALogLine() throws Exception {
    Path stderr = dir.resolve("stderr.log");
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=debug", "-cp", classPath(), Probe.class.getName(),
        dir.resolve("recordings").toString())
        .redirectError(stderr.toFile())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("probe finished").isTrue();
    String log = Files.readString(stderr, StandardCharsets.UTF_8);
    assertThat(child.exitValue()).as("probe exit code; stderr:%n%s", log).isZero();

    String safe = LogSafe.id(HOSTILE_ID);
    List<String> lines = log.lines().toList();
    assertThat(log).doesNotContain("\r");
    // the calls were logged, under their cleaned id, on every path
    assertThat(lines).filteredOn(line -> line.contains(safe)).hasSizeGreaterThanOrEqualTo(8);
    assertThat(lines).anyMatch(line -> line.contains("DEBUG") && line.contains("call " + safe + " started"));
    assertThat(lines).anyMatch(line -> line.contains("WARN") && line.contains("listener onEnd threw for call " + safe));
    assertThat(lines).anyMatch(line -> line.contains("WARN") && line.contains("closing the connection of call " + safe));
    assertThat(lines).anyMatch(line -> line.contains("ERROR") && line.contains("recording of call " + safe + " failed"));
    assertThat(lines).anyMatch(line -> line.contains("second start for call " + safe));
    // and the forged text only ever appears inside a line that names the call
    assertThat(lines).filteredOn(line -> line.contains("forged")).allMatch(line -> line.contains(safe), "names the call");
    assertThat(lines).noneMatch(line -> line.startsWith("[main] ERROR forged") || line.startsWith("[main] WARN forged"));
  }

  private static String classPath() {
    String testClassPath = System.getProperty("surefire.test.class.path");
    return testClassPath != null && !testClassPath.isBlank() ? testClassPath : System.getProperty("java.class.path");
  }

  /** Runs the hostile calls; exits 0 when they all ended. */
  public static final class Probe {
    public static void main(String[] args) throws Exception {
      Path recordings = Path.of(args[0]);
      CallInfo info = new CallInfo(Transport.WSS, HOSTILE_ID, HOSTILE_ID, null, null, null, null, null, null, null, null,
          Map.of("callId", HOSTILE_ID, "sessionId", HOSTILE_ID));
      CallMetadata start = new CallMetadata(HOSTILE_ID, HOSTILE_ID, null, null, null, null, null, null, null, null,
          null, null, Map.of());
      Participant agent = new Participant("agent", ParticipantType.AGENT, null);
      byte[] frame = new byte[160];
      int ended = 0;

      // a recorded call with a gap, ended by its segments' stops
      CallRecorder recorder = CallRecorder.builder(recordings).build();
      CallDriver recorded = new CallDriver(info, recorder.create(info), 5, () -> { });
      recorded.start(start, Map.of());
      recorded.segmentStart("agent", agent, AudioFormat.MULAW_8K, 1);
      for (int sequence : new int[] {1, 2, 9, 10, 11, 12, 13, 14, 15, 16}) {
        recorded.media("agent", sequence, frame);
      }
      recorded.segmentStop("agent");
      recorded.end(EndReason.STOPPED, null);
      ended += recorded.ended() ? 1 : 0;

      // a listener that throws, from onEnd too, and a connection that cannot be closed
      CallStreamListener throwing = new CallStreamListener() {
        @Override
        public void onError(CallSession session, CallStreamException error) {
          // what a listener typically does with a reported problem
          org.slf4j.LoggerFactory.getLogger("probe").warn("call error: {}", error.getMessage());
        }

        @Override
        public void onAudio(CallSession session, AudioFrame audio) {
          throw new IllegalStateException("listener bug");
        }

        @Override
        public void onEnd(CallSession session, EndReason reason, Throwable cause) {
          throw new IllegalStateException("onEnd bug");
        }
      };
      CallDriver failing = new CallDriver(info, throwing, 1, () -> {
        throw new IllegalStateException("cannot close");
      });
      failing.start(start, Map.of());
      failing.start(start, Map.of());
      failing.segmentStart("agent", agent, AudioFormat.MULAW_8K, 1);
      for (int sequence = 1; sequence <= 3; sequence++) {
        failing.media("agent", sequence, frame);
      }
      failing.end(EndReason.CLOSED, null);
      ended += failing.ended() ? 1 : 0;

      // a recording that fails: its folder cannot be created (the recordings path is a file)
      Path notADirectory = recordings.resolveSibling("not-a-directory");
      Files.writeString(notADirectory, "x");
      CallRecorder broken = CallRecorder.builder(notADirectory).build();
      CallDriver unrecordable = new CallDriver(info, broken.create(info), 5, () -> { });
      unrecordable.start(start, Map.of());
      unrecordable.segmentStart("agent", agent, AudioFormat.MULAW_8K, 1);
      unrecordable.media("agent", 1, frame);
      unrecordable.end(EndReason.CLOSED, null);
      ended += unrecordable.ended() ? 1 : 0;
      System.exit(ended == 3 ? 0 : 1);
    }

  }
}
