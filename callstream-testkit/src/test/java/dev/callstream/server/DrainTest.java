package dev.callstream.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.callstream.core.AudioChannel;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.EndReason;
import dev.callstream.testkit.AudioSource;
import dev.callstream.testkit.CallResult;
import dev.callstream.testkit.CallScript;
import dev.callstream.testkit.FakeEngageVoice;
import dev.callstream.testkit.HandshakeFailedException;
import dev.callstream.testkit.Pacing;
import dev.callstream.transport.Authenticator;
import dev.callstream.transport.Tls;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link CallStreamServer#drain}: new calls refused with 503 at once, open calls running to their
 * natural end with all their audio, the rest ended with SHUTDOWN at the deadline; and the call
 * metrics counting all of it.
 */
class DrainTest {
  /**
   * For waits on something that must happen (a handshake, a call's first frame, its end): generous,
   * because a loaded CI host can stall these threads for seconds, and an await returns as soon as it
   * holds.
   */
  private static final Duration WAIT = Duration.ofSeconds(60);
  /**
   * How long the call that a drain must find open plays: longer than any stall between its first
   * frame and the end of the checks made while it runs (a refused call's three attempts among them),
   * so that it is still open when they run.
   */
  private static final Duration OPEN_CALL = Duration.ofSeconds(8);

  private final BlockingQueue<RecordingCallListener> created = new LinkedBlockingQueue<>();
  private final MeterRegistry registry = new SimpleMeterRegistry();
  private CallStreamServer server;
  private FakeEngageVoice platform;

  @AfterEach
  void stop() {
    if (platform != null) {
      platform.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private void start(CallStreamServer.Builder builder) {
    server = builder.host("127.0.0.1").port(0).tls(Tls.none())
        .listenerFactory(RecordingCallListener.factory(created))
        .meterRegistry(registry)
        .build().start();
    platform = FakeEngageVoice.builder(URI.create("ws://127.0.0.1:" + server.port() + "/"))
        .pacing(Pacing.REALTIME)
        .retryBackoff(Duration.ofMillis(20))
        .build();
  }

  private static CallScript call(int index, Duration length) {
    return CallScript.numbered(7, index)
        .agent(AudioSource.speechLike(index).limit(length))
        .conference(AudioSource.speechLike(100 + index).limit(length))
        .build();
  }

  @Test
  void aDrainRefusesNewCallsAndLetsOpenCallsEndWithAllTheirAudio() throws Exception {
    start(CallStreamServer.builder());
    CompletableFuture<CallResult> open = platform.start(call(1, OPEN_CALL));
    RecordingCallListener listener = RecordingCallListener.take(created);
    await().atMost(WAIT).until(() -> !listener.frames.isEmpty());
    assertThat(server.ready()).isTrue();

    CompletableFuture<Void> drained = server.drain(Duration.ofSeconds(20));

    assertThat(server.draining()).as("draining at once").isTrue();
    assertThat(server.ready()).as("not ready while draining").isFalse();
    CallResult refused = platform.play(call(2, Duration.ofMillis(200)));
    assertThat(refused.failed()).isTrue();
    assertThat(refused.failure()).isInstanceOf(HandshakeFailedException.class);
    assertThat(((HandshakeFailedException) refused.failure()).status()).isEqualTo(503);
    assertThat(drained).as("the open call is still running").isNotDone();

    CallResult finished = open.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(finished.completed()).isTrue();
    assertThat(listener.awaitEnd()).isEqualTo(EndReason.STOPPED);
    assertThat(listener.frames).hasSize((int) (2 * finished.agent().framesSent()));
    assertThat(listener.gapFrames).isZero();
    drained.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(server.activeCalls()).isZero();
    assertThat(created).as("no listener for the refused call").isEmpty();

    assertThat(counter("callstream.calls.started")).isEqualTo(1);
    assertThat(counter("callstream.calls.ended", "reason", "stopped")).isEqualTo(1);
    assertThat(counter("callstream.calls.ended", "reason", "shutdown")).isZero();
    assertThat(counter("callstream.handshakes.rejected", "reason", "draining")).isEqualTo(refused.attempts());
    assertThat(counter("callstream.frames", "channel", "agent")).isEqualTo(finished.agent().framesSent());
    assertThat(counter("callstream.frames", "channel", "conference")).isEqualTo(finished.conference().framesSent());
    assertThat(registry.get("callstream.calls.active").tag("transport", "wss").gauge().value()).isZero();
  }

  @Test
  void aCallWhoseUpgradeIsUnderWayWhenTheDrainBeginsRunsOnToItsEnd() throws Exception {
    // A call's slot is taken at its handshake and its session opens a moment later. A drain that
    // begins in between has counted the call, so the call runs on like every other open call instead
    // of ending at once with SHUTDOWN (1001). With IO_THREAD the listener factory runs inside the
    // session's opening, which lets this test hold the call exactly there.
    CountDownLatch opening = new CountDownLatch(1);
    CountDownLatch drainBegun = new CountDownLatch(1);
    CallStreamListener.Factory recording = RecordingCallListener.factory(created);
    server = CallStreamServer.builder().host("127.0.0.1").port(0).tls(Tls.none())
        .dispatch(Dispatch.IO_THREAD)
        .listenerFactory(info -> {
          opening.countDown();
          try {
            drainBegun.await(WAIT.toSeconds(), TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return recording.create(info);
        })
        .meterRegistry(registry)
        .build().start();
    platform = FakeEngageVoice.builder(URI.create("ws://127.0.0.1:" + server.port() + "/"))
        .pacing(Pacing.REALTIME)
        .build();

    CompletableFuture<CallResult> call = platform.start(call(1, Duration.ofSeconds(1)));
    assertThat(opening.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the session is opening").isTrue();
    assertThat(server.activeCalls()).isEqualTo(1);
    CompletableFuture<Void> drained = server.drain(WAIT);
    drainBegun.countDown();

    CallResult result = call.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(result.completed()).as("the call ran to its end: %s", result.failure()).isTrue();
    assertThat(result.closeCode()).isEqualTo(1000);
    assertThat(RecordingCallListener.take(created).awaitEnd()).isEqualTo(EndReason.STOPPED);
    drained.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(counter("callstream.calls.ended", "reason", "shutdown")).isZero();
  }

  @Test
  void callsStillOpenAtTheDeadlineEndWithShutdown() throws Exception {
    start(CallStreamServer.builder());
    CompletableFuture<CallResult> open = platform.start(call(1, Duration.ofSeconds(30)));
    RecordingCallListener listener = RecordingCallListener.take(created);
    await().atMost(WAIT).until(() -> !listener.frames.isEmpty());

    long before = System.nanoTime();
    server.drain(Duration.ofMillis(300)).get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(System.nanoTime() - before).as("waited for the deadline")
        .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
    assertThat(listener.awaitEnd()).isEqualTo(EndReason.SHUTDOWN);
    assertThat(open.get(WAIT.toSeconds(), TimeUnit.SECONDS).completed()).as("the sender saw its call cut").isFalse();
    assertThat(counter("callstream.calls.ended", "reason", "shutdown")).isEqualTo(1);
    assertThat(registry.get("callstream.calls.active").gauge().value()).isZero();
  }

  @Test
  void closeDuringADrainEndsTheRemainingCallsAtOnce() throws Exception {
    start(CallStreamServer.builder());
    platform.start(call(1, Duration.ofSeconds(30)));
    RecordingCallListener listener = RecordingCallListener.take(created);
    await().atMost(WAIT).until(() -> !listener.frames.isEmpty());
    CompletableFuture<Void> drained = server.drain(Duration.ofMinutes(5));

    long before = System.nanoTime();
    server.close();

    // far below the drain's 5 minutes, with room for a loaded host
    assertThat(System.nanoTime() - before).isLessThan(TimeUnit.SECONDS.toNanos(60));
    assertThat(listener.awaitEnd()).isEqualTo(EndReason.SHUTDOWN);
    // each drain() caller holds its own copy of the runtime's future: it completes right after
    // close()'s own copy, on the draining thread, not necessarily before close() returns
    assertThat(drained).succeedsWithin(WAIT);
    // a second drain is a no-op on a stopped server
    assertThat(server.drain(Duration.ofSeconds(1))).isDone();
  }

  @Test
  void aDrainBeforeStartIsAlreadyDone() {
    CallStreamServer unstarted = CallStreamServer.builder().tls(Tls.none())
        .listenerFactory(info -> new dev.callstream.core.CallStreamListener() {}).build();
    assertThat(unstarted.drain(Duration.ofSeconds(5))).isDone();
    assertThat(unstarted.draining()).isTrue();
    assertThat(unstarted.ready()).isFalse();
  }

  @Test
  void refusedHandshakesAreCountedByReason() throws Exception {
    start(CallStreamServer.builder().maxCalls(1).authenticator(Authenticator.secrets(List.of("s3cret-value-1"))));
    FakeEngageVoice authorized = FakeEngageVoice.builder(URI.create("ws://127.0.0.1:" + server.port() + "/"))
        .secret("s3cret-value-1").retryBackoff(Duration.ofMillis(20)).build();
    try {
      // long enough that the server's 1008 at Start reaches the sender while it still sends, however
      // slow the host: a call whose sender had already finished would count that close as its reply
      CallResult unauthorized = platform.play(call(1, Duration.ofSeconds(60)));
      assertThat(unauthorized.failed()).isTrue();
      // open until the finally block closes its sender: a retry of the refused call below (503s are
      // retried) must never find the slot free
      CompletableFuture<CallResult> first = authorized.start(call(2, Duration.ofSeconds(60)));
      RecordingCallListener listener = RecordingCallListener.take(created);
      await().atMost(WAIT).until(() -> !listener.frames.isEmpty());
      assertThat(server.ready()).as("not ready at max calls").isFalse();
      CallResult full = authorized.play(call(3, Duration.ofMillis(100)));
      assertThat(full.failed()).isTrue();
      assertThat(registry.get("callstream.calls.active").gauge().value()).isEqualTo(1);

      assertThat(counter("callstream.handshakes.rejected", "reason", "unauthorized")).isEqualTo(1);
      assertThat(counter("callstream.handshakes.rejected", "reason", "capacity")).isEqualTo(full.attempts());
      assertThat(counter("callstream.handshakes.rejected", "reason", "draining")).isZero();
      first.cancel(true);
    } finally {
      authorized.close();
    }
  }

  private double counter(String name, String... tags) {
    return registry.get(name).tag("transport", "wss").tags(tags).counter().count();
  }
}
