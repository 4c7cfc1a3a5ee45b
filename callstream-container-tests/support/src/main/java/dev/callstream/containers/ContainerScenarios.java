package dev.callstream.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.callstream.containers.ServletContainer.Deployment;
import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.EndReason;
import dev.callstream.server.CallStreamEndpoint;
import dev.callstream.server.wire.SequenceMode;
import dev.callstream.testkit.AudioSource;
import dev.callstream.testkit.CallResult;
import dev.callstream.testkit.CallScript;
import dev.callstream.testkit.ChannelReport;
import dev.callstream.testkit.FakeEngageVoice;
import dev.callstream.testkit.Fault;
import dev.callstream.testkit.LoadResult;
import dev.callstream.testkit.Pacing;
import dev.callstream.transport.Authenticator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The portable endpoint in a real servlet container, through the testkit's sender (Java's HTTP
 * client), an independent Python sender and hand-driven connections. Each container module runs
 * these scenarios by extending this class. Every container here listens on 127.0.0.1, port 0; the
 * class path has neither Tyrus nor Grizzly.
 */
public abstract class ContainerScenarios {
  protected static final String SECRET = "s3cr3t-for-containers";
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int FRAMES = 50;   // 1 s of audio per side

  @TempDir protected Path dir;
  private final List<AutoCloseable> endpoints = new ArrayList<>();
  private final List<AutoCloseable> servers = new ArrayList<>();

  /** The container under test. */
  protected abstract ServletContainer container();

  @AfterEach
  void closeEverything() throws Exception {
    // As an application would: the endpoints (their calls and threads) before the container.
    for (AutoCloseable endpoint : endpoints) {
      endpoint.close();
    }
    for (AutoCloseable server : servers) {
      server.close();
    }
  }

  private CallStreamEndpoint.Builder endpoint(String path, CallStreamListener.Factory factory) {
    return CallStreamEndpoint.builder()
        .path(path)
        .authenticator(Authenticator.secrets(List.of(SECRET)))
        .listenerFactory(factory);
  }

  private CallStreamEndpoint keep(CallStreamEndpoint endpoint) {
    endpoints.add(endpoint);
    return endpoint;
  }

  private ServletContainer.Running start(Deployment... deployments) throws Exception {
    ServletContainer.Running running = container().start(List.of(deployments));
    servers.add(running);
    return running;
  }

  private static byte[] audio(long seed, int frames) {
    AudioSource source = AudioSource.speechLike(seed);
    byte[] all = new byte[frames * AudioSource.FRAME_BYTES];
    byte[] frame = new byte[AudioSource.FRAME_BYTES];
    for (int i = 0; i < frames; i++) {
      source.readFrame(i, frame);
      System.arraycopy(frame, 0, all, i * AudioSource.FRAME_BYTES, AudioSource.FRAME_BYTES);
    }
    return all;
  }

  private static Set<Integer> indexes(List<Long> sequences) {
    return sequences.stream().map(seq -> (int) (seq - 1)).collect(Collectors.toCollection(TreeSet::new));
  }

  /**
   * The close code a peer that was still sending saw for an error close: exactly {@code code}, or on
   * a container that drops the connection right after an error close (Jetty) possibly a reset (-1).
   */
  private void assertErrorClose(int seen, int code) {
    if (container().errorClosesWaitForThePeer()) {
      assertThat(seen).isEqualTo(code);
    } else {
      assertThat(seen).isIn(code, -1);
    }
  }

  private static double counter(SimpleMeterRegistry registry, String name, String... tags) {
    var counter = registry.find(name).tags(tags).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void theClassPathHasNeitherTyrusNorGrizzly() {
    for (String name : List.of("org.glassfish.tyrus.core.TyrusWebSocketEngine", "org.glassfish.tyrus.spi.ReadHandler",
        "org.glassfish.grizzly.Connection", "org.glassfish.grizzly.http.server.HttpServer")) {
      assertThatThrownBy(() -> Class.forName(name)).as(name).isInstanceOf(ClassNotFoundException.class);
    }
  }

  /**
   * 20 concurrent testkit calls with drops, duplicates, reordering and garbage, deployed as an
   * application would (endpoint and filter): every call recorded bit-exact, one listener and one
   * {@code onEnd(STOPPED)} each, the garbage reported through {@code onError}, metrics counted.
   */
  @Test
  void twentyTestkitCallsWithFaultsAreRecordedBitExact() throws Exception {
    Recordings recordings = new Recordings(dir.resolve("recordings"));
    CallLog log = new CallLog();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    CallStreamEndpoint endpoint = keep(endpoint("/calls", CallStreamListener.Factory.all(recordings.recorder(), log))
        .meterRegistry(registry).build());
    ServletContainer.Running server = start(new Deployment(endpoint, true, true));
    int seed = 18;
    LoadResult load;
    try (FakeEngageVoice platform = FakeEngageVoice.builder(server.uri("/calls")).secret(SECRET)
        .pacing(Pacing.FLOOD).sequenceMode(SequenceMode.PER_PERSPECTIVE)
        .faults(Fault.DROP, Fault.DUPLICATE, Fault.REORDER, Fault.GARBAGE).faultRate(0.03).seed(seed).build()) {
      load = platform.run(20, i -> CallScript.numbered(seed, i)
          .agent(AudioSource.speechLike(100 + i).limit(Duration.ofMillis(20L * FRAMES)))
          .conference(AudioSource.speechLike(200 + i).limit(Duration.ofMillis(20L * FRAMES)))
          .build());
    }
    assertThat(load.failedCalls()).as("failed calls: %s", load.results()).isZero();
    await().atMost(WAIT).until(() -> log.ended() == 20 && recordings.finished() == 20 && endpoint.activeCalls() == 0);
    long dropped = 0;
    for (CallResult result : load.results()) {
      assertThat(result.closeCode()).as("%s", result).isEqualTo(1000);
      CallLog.Call call = log.call(result.callId());
      assertThat(call.created.get()).as("listeners of %s", result.callId()).isEqualTo(1);
      assertThat(call.ends).as("ends of %s", result.callId()).containsExactly(EndReason.STOPPED);
      assertThat(call.overlaps.get()).as("overlapping callbacks of %s", result.callId()).isZero();
      assertThat(call.errors).as("errors of %s", result.callId()).hasSize(result.garbageSent());
      ChannelReport agent = result.agent();
      ChannelReport conference = result.conference();
      dropped += agent.dropped().size() + conference.dropped().size();
      recordings.assertBitExact(result.callId(), audio(100 + result.index(), FRAMES), indexes(agent.dropped()),
          audio(200 + result.index(), FRAMES), indexes(conference.dropped()));
    }
    assertThat(dropped).as("frames the faults dropped").isPositive();
    assertThat(counter(registry, "callstream.calls.started", "transport", "wss")).isEqualTo(20);
    assertThat(counter(registry, "callstream.calls.ended", "transport", "wss", "reason", "stopped")).isEqualTo(20);
  }

  /**
   * Connections cut mid-call without Stop or close handshake ({@link Fault#ABORT}): each call ends
   * once, CLOSED, its slot given back, its recording the audio received, bit-exact.
   */
  @Test
  void abortedCallsEndOnceAndKeepTheirAudio() throws Exception {
    Recordings recordings = new Recordings(dir.resolve("recordings"));
    CallLog log = new CallLog();
    CallStreamEndpoint endpoint = keep(endpoint("/calls", CallStreamListener.Factory.all(recordings.recorder(), log))
        .build());
    ServletContainer.Running server = start(new Deployment(endpoint, true, true));
    int seed = 5;
    LoadResult load;
    try (FakeEngageVoice platform = FakeEngageVoice.builder(server.uri("/calls")).secret(SECRET)
        .pacing(Pacing.FLOOD).faults(Fault.ABORT).seed(seed).build()) {
      load = platform.run(3, i -> CallScript.numbered(seed, i)
          .agent(AudioSource.speechLike(500 + i).limit(Duration.ofMillis(20L * FRAMES)))
          .conference(AudioSource.speechLike(600 + i).limit(Duration.ofMillis(20L * FRAMES)))
          .build());
    }
    await().atMost(WAIT).until(() -> log.ended() == 3 && recordings.finished() == 3 && endpoint.activeCalls() == 0);
    for (CallResult result : load.results()) {
      assertThat(result.aborted()).as("%s", result).isTrue();
      CallLog.Call call = log.call(result.callId());
      assertThat(call.ends).as("ends of %s", result.callId()).containsExactly(EndReason.CLOSED);
      recordings.assertBitExactPrefix(result.callId(), audio(500 + result.index(), FRAMES),
          audio(600 + result.index(), FRAMES), Math.max(result.agent().framesSent(), result.conference().framesSent()));
    }
  }

  /**
   * 20 concurrent calls from Debian's python3-websockets, half presenting the secret as a query
   * parameter and half as a bearer header, with drops, duplicates and reordering; deployed with
   * {@code addEndpoint} only (the configurator decides): every call recorded bit-exact and the
   * secret nowhere in the recordings or the listeners' call info.
   */
  @Test
  void twentyPythonCallsAreRecordedBitExact() throws Exception {
    Assumptions.assumeTrue(PythonSender.available(),
        "skipped: /usr/bin/python3 with python3-websockets is not installed (apt-get install python3-websockets)");
    Recordings recordings = new Recordings(dir.resolve("recordings"));
    CallLog log = new CallLog();
    CallStreamEndpoint endpoint = keep(endpoint("/py", CallStreamListener.Factory.all(recordings.recorder(), log)).build());
    ServletContainer.Running server = start(new Deployment(endpoint, true, false));
    List<PythonSender.PlannedCall> calls = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String callId = "py-" + i;
      boolean inQuery = i % 2 == 0;
      String query = "?callId=" + callId + "&sessionId=1" + (inQuery ? "&secret=" + SECRET : "");
      calls.add(PythonSender.plan(callId, server.uri("/py" + query),
          inQuery ? Map.of() : Map.of("Authorization", "Bearer " + SECRET),
          audio(300 + i, FRAMES), audio(400 + i, FRAMES), 0.03, 1000 + i));
    }
    List<PythonSender.Result> results = PythonSender.play(calls, dir);
    for (PythonSender.Result result : results) {
      assertThat(result.error()).as("%s", result).isNull();
      assertThat(result.status()).as("%s", result).isEqualTo(101);
      assertThat(result.closeCode()).as("%s", result).isEqualTo(1000);
    }
    await().atMost(WAIT).until(() -> log.ended() == 20 && recordings.finished() == 20 && endpoint.activeCalls() == 0);
    int dropped = 0;
    for (PythonSender.PlannedCall call : calls) {
      CallLog.Call seen = log.call(call.callId);
      assertThat(seen.created.get()).isEqualTo(1);
      assertThat(seen.ends).as("ends of %s", call.callId).containsExactly(EndReason.STOPPED);
      assertThat(seen.info.parameters()).as("call info of %s", call.callId).doesNotContainKey("secret")
          .containsEntry("callId", call.callId);
      dropped += call.droppedAgent.size() + call.droppedConference.size();
      recordings.assertBitExact(call.callId, call.agent, call.droppedAgent, call.conference, call.droppedConference);
    }
    assertThat(dropped).as("frames the plan dropped").isPositive();
    byte[] secret = SECRET.getBytes(StandardCharsets.UTF_8);
    try (Stream<Path> files = Files.walk(dir.resolve("recordings"))) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        assertThat(indexOf(Files.readAllBytes(file), secret)).as("the secret in %s", file).isNegative();
      }
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** A wrong secret: 401 through the filter, a 1008 close without it; no listener is ever created. */
  @Test
  void aWrongSecretIsRefusedBeforeAnyListener() throws Exception {
    CallLog log = new CallLog();
    SimpleMeterRegistry filteredMetrics = new SimpleMeterRegistry();
    SimpleMeterRegistry plainMetrics = new SimpleMeterRegistry();
    CallStreamEndpoint filtered = keep(endpoint("/filtered", log).meterRegistry(filteredMetrics).build());
    CallStreamEndpoint plain = keep(endpoint("/plain", log).meterRegistry(plainMetrics).build());
    ServletContainer.Running server = start(new Deployment(filtered, false, true), new Deployment(plain, true, false));

    assertThatThrownBy(() -> RawClient.open(server.uri("/filtered?callId=w1"), "wrong"))
        .isInstanceOfSatisfying(RawClient.Refused.class, refused -> assertThat(refused.status).isEqualTo(401));
    assertThatThrownBy(() -> RawClient.open(server.uri("/filtered?callId=w2&secret=wrong"), null))
        .isInstanceOfSatisfying(RawClient.Refused.class, refused -> assertThat(refused.status).isEqualTo(401));
    try (RawClient client = RawClient.open(server.uri("/plain?callId=w3"), "wrong")) {
      assertThat(client.awaitClose(WAIT)).isEqualTo(1008);
    }
    try (RawClient client = RawClient.open(server.uri("/plain?callId=w4&secret=wrong"), null)) {
      assertThat(client.awaitClose(WAIT)).isEqualTo(1008);
    }
    // No secret at the upgrade: checked at Start (a wrong one there closes with 1008), on both paths.
    for (String path : List.of("/filtered", "/plain")) {
      try (RawClient client = RawClient.open(server.uri(path + "?callId=w5"), null)) {
        client.trySend("{\"event\":\"Start\",\"metadata\":{\"callId\":\"w5\",\"secret\":\"wrong\"}}");
        assertThat(client.awaitClose(WAIT)).as(path).isEqualTo(1008);
      }
    }
    // The right secret still gets in.
    try (RawClient client = RawClient.open(server.uri("/filtered?callId=ok1"), SECRET)) {
      client.connectedAndStart("ok1").stops();
      assertThat(client.awaitClose(WAIT)).isEqualTo(1000);
    }
    await().atMost(WAIT).until(() -> filtered.activeCalls() == 0 && plain.activeCalls() == 0);
    assertThat(log.created()).as("listeners created").isEqualTo(1);
    assertThat(log.call("ok1").ends).containsExactly(EndReason.STOPPED);
    assertThat(counter(filteredMetrics, "callstream.handshakes.rejected", "reason", "unauthorized")).isEqualTo(3);
    assertThat(counter(plainMetrics, "callstream.handshakes.rejected", "reason", "unauthorized")).isEqualTo(3);
  }

  /**
   * Deployed both ways (endpoint and filter, as an application might): whoever sees the upgrade
   * first refuses it, the filter with 401 or the container's upgrade with a 1008 close; either way
   * no listener is created.
   */
  @Test
  void anEndpointDeployedBothWaysRefusesThroughWhicheverRunsFirst() throws Exception {
    CallLog log = new CallLog();
    CallStreamEndpoint both = keep(endpoint("/both", log).build());
    ServletContainer.Running server = start(new Deployment(both, true, true));
    if (container().applicationFiltersRunFirst()) {
      assertThatThrownBy(() -> RawClient.open(server.uri("/both?callId=b1"), "wrong"))
          .isInstanceOfSatisfying(RawClient.Refused.class, refused -> assertThat(refused.status).isEqualTo(401));
    } else {
      try (RawClient client = RawClient.open(server.uri("/both?callId=b1"), "wrong")) {
        assertThat(client.awaitClose(WAIT)).isEqualTo(1008);
      }
    }
    assertThat(log.created()).isZero();
    assertThat(both.activeCalls()).isZero();
  }

  /** Beyond maxCalls, and once draining: 503 through the filter, a 1013 close without it. */
  @Test
  void upgradesBeyondCapacityAreRefused() throws Exception {
    CallLog log = new CallLog();
    CallStreamEndpoint filtered = keep(endpoint("/filtered", log).maxCalls(1).build());
    CallStreamEndpoint plain = keep(endpoint("/plain", log).maxCalls(1).build());
    ServletContainer.Running server = start(new Deployment(filtered, false, true), new Deployment(plain, true, false));
    try (RawClient first = RawClient.open(server.uri("/filtered?callId=c1"), SECRET);
        RawClient second = RawClient.open(server.uri("/plain?callId=c2"), SECRET)) {
      first.connectedAndStart("c1");
      second.connectedAndStart("c2");
      assertThatThrownBy(() -> RawClient.open(server.uri("/filtered?callId=c3"), SECRET))
          .isInstanceOfSatisfying(RawClient.Refused.class, refused -> assertThat(refused.status).isEqualTo(503));
      try (RawClient refused = RawClient.open(server.uri("/plain?callId=c4"), SECRET)) {
        assertThat(refused.awaitClose(WAIT)).isEqualTo(1013);
      }
      assertThat(filtered.activeCalls()).isEqualTo(1);
      assertThat(plain.activeCalls()).isEqualTo(1);
      first.stops();
      assertThat(first.awaitClose(WAIT)).isEqualTo(1000);
      await().atMost(WAIT).until(() -> filtered.activeCalls() == 0);
      // A free slot is taken again; then a drain refuses new calls while the open one runs on.
      try (RawClient third = RawClient.open(server.uri("/filtered?callId=c5"), SECRET)) {
        third.connectedAndStart("c5");
        CompletableFuture<Void> drained = filtered.drain(Duration.ofSeconds(30));
        assertThat(filtered.draining()).isTrue();
        assertThatThrownBy(() -> RawClient.open(server.uri("/filtered?callId=c6"), SECRET))
            .isInstanceOfSatisfying(RawClient.Refused.class, refused -> assertThat(refused.status).isEqualTo(503));
        third.stops();
        assertThat(third.awaitClose(WAIT)).isEqualTo(1000);
        drained.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      }
    }
    assertThat(log.created()).isEqualTo(3);
    assertThat(log.call("c5").ends).containsExactly(EndReason.STOPPED);
  }

  /**
   * A message over maxMessageBytes (counted in UTF-8 bytes, as the standalone server does: 600
   * two-byte characters are over 1 KiB) ends its call with 1009 and ERROR, on both paths.
   */
  @Test
  void anOversizedMessageEndsItsCallWith1009() throws Exception {
    CallLog log = new CallLog();
    CallStreamEndpoint filtered = keep(endpoint("/filtered", log).maxMessageBytes(1024).build());
    CallStreamEndpoint plain = keep(endpoint("/plain", log).maxMessageBytes(1024).build());
    ServletContainer.Running server = start(new Deployment(filtered, false, true), new Deployment(plain, true, false));
    String ascii = "{\"event\":\"Unknown\",\"padding\":\"" + "x".repeat(2000) + "\"}";
    String twoByte = "{\"event\":\"Unknown\",\"padding\":\"" + "\u00e9".repeat(600) + "\"}";
    int n = 0;
    for (String path : List.of("/filtered", "/plain")) {
      for (String message : List.of(ascii, twoByte)) {
        String callId = "big" + n++;
        try (RawClient client = RawClient.open(server.uri(path + "?callId=" + callId), SECRET)) {
          client.connectedAndStart(callId).trySend(message);
          assertThat(client.awaitClose(WAIT)).as("%s %s", path, callId).isEqualTo(1009);
        }
        await().atMost(WAIT).until(() -> !log.call(callId).ends.isEmpty());
        assertThat(log.call(callId).ends).containsExactly(EndReason.ERROR);
        assertThat(log.call(callId).causes.get(0)).hasMessageContaining("message over 1024 bytes");
      }
    }
    // A message just under the limit in bytes is fine.
    try (RawClient client = RawClient.open(server.uri("/plain?callId=fits"), SECRET)) {
      client.connectedAndStart("fits").send("{\"event\":\"Unknown\",\"padding\":\"" + "\u00e9".repeat(480) + "\"}").stops();
      assertThat(client.awaitClose(WAIT)).isEqualTo(1000);
    }
  }

  /** A listener that throws ends only its own call (1011, ERROR); the call beside it is recorded whole. */
  @Test
  void aThrowingListenerEndsOnlyItsOwnCall() throws Exception {
    Recordings recordings = new Recordings(dir.resolve("recordings"));
    CallLog log = new CallLog();
    RuntimeException boom = new IllegalStateException("listener bug (expected by the test)");
    CallStreamListener.Factory throwing = info -> new CallStreamListener() {
      private int frames;

      @Override
      public void onAudio(CallSession session, AudioFrame frame) {
        if ("boom".equals(session.callId()) && ++frames == 5) {
          throw boom;
        }
      }
    };
    CallStreamEndpoint endpoint = keep(endpoint("/calls", CallStreamListener.Factory.all(recordings.recorder(), log, throwing))
        .build());
    ServletContainer.Running server = start(new Deployment(endpoint, true, true));
    // Real time, so that the listener throws while its sender is still sending (a flooding sender
    // could close the call itself, with 1000, before the 1011 reaches it).
    try (FakeEngageVoice platform = FakeEngageVoice.builder(server.uri("/calls")).secret(SECRET)
        .pacing(Pacing.REALTIME).build()) {
      CompletableFuture<CallResult> bad = platform.start(CallScript.builder().callId("boom").sessionId("1")
          .agent(AudioSource.speechLike(1).limit(Duration.ofSeconds(1))).conference(AudioSource.speechLike(2)
              .limit(Duration.ofSeconds(1))).build());
      CompletableFuture<CallResult> good = platform.start(CallScript.builder().callId("fine").sessionId("1").index(1)
          .agent(AudioSource.speechLike(3).limit(Duration.ofSeconds(1))).conference(AudioSource.speechLike(4)
              .limit(Duration.ofSeconds(1))).build());
      CallResult badResult = bad.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(badResult.completed()).as("%s", badResult).isFalse();
      assertErrorClose(badResult.closeCode(), 1011);   // the testkit reports -1 for no close frame
      assertThat(good.get(WAIT.toSeconds(), TimeUnit.SECONDS).closeCode()).isEqualTo(1000);
    }
    await().atMost(WAIT).until(() -> log.ended() == 2 && endpoint.activeCalls() == 0);
    assertThat(log.call("boom").ends).containsExactly(EndReason.ERROR);
    assertThat(log.call("boom").causes.get(0)).isSameAs(boom);
    assertThat(log.call("fine").ends).containsExactly(EndReason.STOPPED);
    assertThat(log.call("fine").frames.get()).isEqualTo(2 * 50);
    recordings.assertBitExact("fine", audio(3, 50), Set.of(), audio(4, 50), Set.of());
  }

  /** A call without any message for idleTimeout is closed with 1001 and ends CLOSED. */
  @Test
  void anIdleCallIsClosed() throws Exception {
    CallLog log = new CallLog();
    CallStreamEndpoint endpoint = keep(endpoint("/calls", log).idleTimeout(Duration.ofMillis(400)).build());
    ServletContainer.Running server = start(new Deployment(endpoint, true, true));
    try (RawClient client = RawClient.open(server.uri("/calls?callId=quiet"), SECRET)) {
      client.connectedAndStart("quiet");
      assertThat(client.awaitClose(WAIT)).isEqualTo(1001);
    }
    await().atMost(WAIT).until(() -> !log.call("quiet").ends.isEmpty() && endpoint.activeCalls() == 0);
    assertThat(log.call("quiet").ends).containsExactly(EndReason.CLOSED);
    assertThat(log.call("quiet").causes.get(0)).hasMessageContaining("idle");
  }

  /**
   * The container cannot pause reading: a listener that falls a whole queue behind ends its call
   * (1011, ERROR, counted) instead of queueing without bound or dropping audio silently.
   */
  @Test
  void aListenerThatFallsAQueueBehindEndsItsCall() throws Exception {
    CallLog log = new CallLog();
    CountDownLatch release = new CountDownLatch(1);
    CallStreamListener.Factory stuck = info -> new CallStreamListener() {
      @Override
      public void onAudio(CallSession session, AudioFrame frame) {
        try {
          release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    CallStreamEndpoint endpoint = keep(endpoint("/calls", CallStreamListener.Factory.all(log, stuck))
        .queueCapacity(16).meterRegistry(registry).build());
    ServletContainer.Running server = start(new Deployment(endpoint, true, false));
    byte[] frame = new byte[160];
    try (RawClient client = RawClient.open(server.uri("/calls?callId=slow"), SECRET)) {
      client.connectedAndStart("slow");
      // The listener blocks at its first frame, delivered once the sequencer has seen 6; then 16
      // more fill the queue and the next overflows it. Few past that: bytes still arriving after
      // the server's close can make a container reset the connection instead of finishing the close.
      for (int seq = 1; seq <= 30 && !client.isClosed(); seq++) {
        client.trySend("{\"event\":\"Media\",\"perspective\":\"Participant\",\"sequenceId\":\"" + seq
            + "\",\"media\":\"" + java.util.Base64.getEncoder().encodeToString(frame) + "\"}");
      }
      assertErrorClose(client.awaitClose(WAIT), 1011);
    } finally {
      release.countDown();
    }
    await().atMost(WAIT).until(() -> !log.call("slow").ends.isEmpty() && endpoint.activeCalls() == 0);
    assertThat(log.call("slow").ends).containsExactly(EndReason.ERROR);
    assertThat(log.call("slow").causes.get(0)).hasMessageContaining("fell behind");
    assertThat(counter(registry, "callstream.listener.queue.overflows")).isEqualTo(1);
  }

  /** close() ends the open calls: 1001 to the peer, exactly one onEnd(SHUTDOWN), idempotent. */
  @Test
  void closeEndsOpenCalls() throws Exception {
    CallLog log = new CallLog();
    CallStreamEndpoint endpoint = keep(endpoint("/calls", log).build());
    ServletContainer.Running server = start(new Deployment(endpoint, true, true));
    try (RawClient a = RawClient.open(server.uri("/calls?callId=open1"), SECRET);
        RawClient b = RawClient.open(server.uri("/calls?callId=open2"), SECRET)) {
      a.connectedAndStart("open1");
      b.connectedAndStart("open2");
      await().atMost(WAIT).until(() -> log.created() == 2);
      endpoint.close();
      endpoint.close();
      assertThat(a.awaitClose(WAIT)).isEqualTo(1001);
      assertThat(b.awaitClose(WAIT)).isEqualTo(1001);
    }
    assertThat(endpoint.activeCalls()).isZero();
    assertThat(endpoint.draining()).isTrue();
    for (String id : List.of("open1", "open2")) {
      assertThat(log.call(id).ends).as(id).containsExactly(EndReason.SHUTDOWN);
    }
    assertThat(Arrays.asList(log.calls().keySet().toArray())).hasSize(2);
  }
}
