package dev.callstream.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.EndReason;
import dev.callstream.core.recording.CallRecorder;
import dev.callstream.testkit.AudioSource;
import dev.callstream.testkit.CallResult;
import dev.callstream.testkit.CallScript;
import dev.callstream.testkit.FakeEngageVoice;
import dev.callstream.testkit.Pacing;
import dev.callstream.transport.Tls;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Micrometer is an optional dependency: a server and a recorder without a registry run a whole call
 * in a JVM whose class path has no Micrometer at all.
 */
class WithoutMicrometerTest {
  @TempDir Path dir;

  @Test
  void aServerAndARecorderWithoutARegistryNeedNoMicrometerOnTheClassPath() throws Exception {
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    String withoutMicrometer = Arrays.stream(classPath.split(File.pathSeparator))
        .filter(entry -> !entry.contains("micrometer") && !entry.contains("prometheus"))
        .collect(Collectors.joining(File.pathSeparator));
    assertThat(withoutMicrometer).isNotEqualTo(classPath);
    Process child = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", withoutMicrometer, Child.class.getName(), dir.toString())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("child.log").toFile())
        .start();
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("child finished").isTrue();
    String output = Files.readString(dir.resolve("child.log"), StandardCharsets.UTF_8);
    assertThat(child.exitValue()).as("exit code; output:%n%s", output).isZero();
    assertThat(output).contains("micrometer absent").contains("frames 100 stopped");
    assertThat(dir.resolve("recordings")).isDirectoryContaining(path -> path.getFileName().toString().startsWith("call-5-0"));
  }

  /** Runs in the child JVM. */
  public static final class Child {
    public static void main(String[] args) throws Exception {
      try {
        Class.forName("io.micrometer.core.instrument.MeterRegistry");
        System.out.println("micrometer present");
        System.exit(3);
      } catch (ClassNotFoundException expected) {
        System.out.println("micrometer absent");
      }
      CallRecorder recorder = CallRecorder.create(Path.of(args[0], "recordings"));
      AtomicLong frames = new AtomicLong();
      CompletableFuture<EndReason> end = new CompletableFuture<>();
      // The recorder and a counter, each getting every callback (Factory.all).
      CallStreamListener.Factory factory = CallStreamListener.Factory.all(recorder, info -> new CallStreamListener() {
        @Override
        public void onAudio(CallSession session, AudioFrame frame) {
          frames.incrementAndGet();
        }

        @Override
        public void onEnd(CallSession session, EndReason reason, Throwable cause) {
          end.complete(reason);
        }
      });
      try (CallStreamServer server = CallStreamServer.builder().host("127.0.0.1").port(0).tls(Tls.none())
              .listenerFactory(factory).build().start();
          FakeEngageVoice platform = FakeEngageVoice.builder(server.uri()).pacing(Pacing.FLOOD).build()) {
        CallResult result = platform.play(CallScript.numbered(5, 0)
            .agent(AudioSource.speechLike(1).limit(Duration.ofSeconds(1)))
            .conference(AudioSource.speechLike(2).limit(Duration.ofSeconds(1)))
            .build());
        EndReason reason = end.get(10, TimeUnit.SECONDS);
        System.out.println("frames " + frames.get() + " " + reason.label() + " completed=" + result.completed());
      }
      System.exit(0);
    }
  }
}
