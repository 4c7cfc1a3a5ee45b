package dev.callstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callstream.testkit.AudioSource;
import dev.callstream.testkit.CallResult;
import dev.callstream.testkit.CallScript;
import dev.callstream.testkit.FakeEngageVoice;
import dev.callstream.testkit.HandshakeFailedException;
import dev.callstream.testkit.Pacing;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drain of CONTRACTS.md section 6 on a real {@code callstream record} process: the
 * {@code draining N calls} line, new calls refused with 503, open calls running on until they end,
 * the {@code --drain-timeout}, the second signal, exit 0.
 */
class RecordDrainProcessTest {
  @TempDir Path dir;
  private RecordTestProcess child;
  private FakeEngageVoice platform;

  @AfterEach
  void stop() {
    if (platform != null) {
      platform.close();
    }
    if (child != null) {
      child.destroyIfAlive();
    }
  }

  private void start(String drainTimeout) throws Exception {
    child = RecordTestProcess.start("--port", "0", "--tls", "none", "--drain-timeout", drainTimeout,
        "--recordings", dir.toString());
    int port = child.awaitListening();
    platform = FakeEngageVoice.builder(URI.create("ws://127.0.0.1:" + port + "/"))
        .pacing(Pacing.REALTIME).retryBackoff(Duration.ofMillis(20)).build();
  }

  private static CallScript call(int index, Duration length) {
    return CallScript.numbered(9, index)
        .agent(AudioSource.speechLike(index).limit(length))
        .conference(AudioSource.speechLike(10 + index).limit(length))
        .build();
  }

  private void signal() {
    assertThat(child.process.toHandle().destroy()).as("SIGTERM sent").isTrue();
  }

  private int exitCode() throws InterruptedException {
    assertThat(child.process.waitFor(20, TimeUnit.SECONDS)).as("exited; stderr:%n%s", child.stderr).isTrue();
    return child.process.exitValue();
  }

  @Test
  void sigtermLetsTheOpenCallFinishRefusesNewOnesAndExits0() throws Exception {
    start("30");
    CompletableFuture<CallResult> open = platform.start(call(1, Duration.ofMillis(2500)));
    assertThat(child.nextLine()).startsWith("call started call-9-1-");

    signal();

    assertThat(child.nextLine()).isEqualTo("draining 1 calls");
    CallResult refused = platform.play(call(2, Duration.ofMillis(200)));
    assertThat(refused.failure()).isInstanceOf(HandshakeFailedException.class);
    assertThat(((HandshakeFailedException) refused.failure()).status()).isEqualTo(503);
    assertThat(open.get(15, TimeUnit.SECONDS).completed()).isTrue();
    assertThat(child.nextLine()).matches("call ended call-9-1-\\S+ stopped complete=true \\S+");
    assertThat(exitCode()).isZero();
  }

  @Test
  void callsStillOpenWhenTheDrainTimeoutPassesEndWithShutdown() throws Exception {
    start("1");
    platform.start(call(1, Duration.ofSeconds(60)));
    assertThat(child.nextLine()).startsWith("call started call-9-1-");
    long before = System.nanoTime();

    signal();

    assertThat(child.nextLine()).isEqualTo("draining 1 calls");
    assertThat(child.nextLine()).matches("call ended call-9-1-\\S+ shutdown complete=false \\S+");
    assertThat(System.nanoTime() - before).as("ran on until the timeout").isGreaterThan(TimeUnit.MILLISECONDS.toNanos(900));
    assertThat(exitCode()).isZero();
  }

  @Test
  void aSecondSignalEndsTheDrainAtOnce() throws Exception {
    start("120");
    platform.start(call(1, Duration.ofSeconds(120)));
    assertThat(child.nextLine()).startsWith("call started call-9-1-");
    signal();
    assertThat(child.nextLine()).isEqualTo("draining 1 calls");
    long before = System.nanoTime();

    signal();

    assertThat(child.nextLine()).matches("call ended call-9-1-\\S+ shutdown complete=false \\S+");
    assertThat(exitCode()).isZero();
    assertThat(System.nanoTime() - before).as("no wait for the 120 s timeout").isLessThan(TimeUnit.SECONDS.toNanos(20));
  }
}
