package dev.callstream.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.callstream.core.CallStreamListener;
import dev.callstream.core.recording.CallRecorder;
import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import kafka.server.BrokerServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker goes away during calls: for 10 s nothing is lost in Kafka or on disk; for longer than
 * the publisher can hold, records are dropped and counted (call.json, metric, log line with the call
 * id) while the calls and their recordings go on unharmed.
 */
class BrokerOutageTest {
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
  void aTenSecondBrokerOutageDuringTwentyRealTimeCallsLosesNothing() throws Exception {
    broker.createTopic("outage", 2);
    Path live = dir.resolve("live");
    Path reference = dir.resolve("reference");
    Path replay = dir.resolve("replay");
    int callCount = 20;
    // 2 s before the outage, 10 s without the broker, a few seconds after; the ends are staggered
    int frames = 800;
    // the same scripted calls recorded without Kafka: what the disk must hold
    LiveCalls.run(CallRecorder.create(reference), callCount, frames, 1000, 5);

    ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
    try (KafkaCallPublisher publisher = KafkaCallPublisher.builder(broker.bootstrap()).topic("outage").start()) {
      CallRecorder recorder = CallRecorder.builder(live).callJsonExtras(publisher.callJsonExtras()).build();
      CallStreamListener.Factory factory = CallStreamListener.Factory.all(recorder, publisher);
      List<LiveCalls.Call> calls = new ArrayList<>();
      for (int i = 0; i < callCount; i++) {
        LiveCalls.Call call = new LiveCalls.Call("call-" + i, frames + i * 5, 1000 + i, factory);
        call.begin();
        calls.add(call);
      }
      // real time: one frame per side and call every 20 ms, as the platform sends them
      AtomicInteger step = new AtomicInteger();
      CountDownLatch allSent = new CountDownLatch(1);
      clock.scheduleAtFixedRate(() -> {
        if (allSent.getCount() == 0) {
          return;
        }
        boolean more = false;
        for (LiveCalls.Call call : calls) {
          if (!call.done()) {
            call.step();
            more = more || !call.done();
          } else if (!call.ended) {
            call.finish();
          }
        }
        step.incrementAndGet();
        if (!more) {
          calls.stream().filter(c -> !c.ended).forEach(LiveCalls.Call::finish);
          allSent.countDown();
        }
      }, 0, 20, TimeUnit.MILLISECONDS);

      await().atMost(Duration.ofSeconds(20)).until(() -> step.get() >= 100);
      BrokerServer server = broker.cluster().brokers().values().iterator().next();
      server.shutdown();
      server.awaitShutdown();
      int stoppedAt = step.get();
      long acknowledged = publisher.published();
      // 10 s without a broker while the calls go on: nothing acknowledged, nothing dropped
      await().during(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(12))
          .until(() -> publisher.published() == acknowledged && publisher.dropped() == 0);
      int restartedAt = step.get();
      server.startup();
      assertThat(restartedAt - stoppedAt).as("frames sent during the outage (20 ms each)").isGreaterThan(400);
      assertThat(allSent.await(60, TimeUnit.SECONDS)).as("every call sent and ended").isTrue();
      assertThat(restartedAt).as("the outage was in the middle of the calls").isLessThan(frames);

      assertThat(publisher.flush(Duration.ofSeconds(90))).isTrue();
      assertThat(publisher.dropped()).isZero();
      assertThat(publisher.published()).isGreaterThan(acknowledged);
    } finally {
      clock.shutdownNow();
    }
    // on disk: every frame, as without Kafka
    RecordingFiles.assertSameWavs(reference, live);
    for (String folder : RecordingFiles.folders(live)) {
      assertThat(RecordingFiles.callJson(live.resolve(folder)).get("kafkaDropped").asLong()).isZero();
    }
    // in Kafka: every call rebuilt from the topic is byte-identical to its recording
    try (KafkaCallSource source = KafkaCallSource.builder(broker.bootstrap(), CallRecorder.create(replay))
        .topic("outage").group("outage").consumers(2).start()) {
      await().atMost(Duration.ofSeconds(60)).until(() -> source.callsEnded() == callCount);
    }
    RecordingFiles.assertSameWavs(live, replay);
  }

  @Test
  void anOutageLongerThanTheBufferDropsCountsAndLogsWhileTheCallsGoOn() throws Exception {
    broker.createTopic("overflow", 1);
    Path live = dir.resolve("live");
    Path reference = dir.resolve("reference");
    // what the same calls record without Kafka
    LiveCalls.run(CallRecorder.create(reference), 2, 600, 31, 0);

    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    BrokerServer server = broker.cluster().brokers().values().iterator().next();
    PrintStream originalErr = System.err;
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    long dropped;
    try (KafkaCallPublisher publisher = KafkaCallPublisher.builder(broker.bootstrap()).topic("overflow")
        // a small buffer everywhere (ours and the producer's) and a short delivery timeout stand for a
        // long outage: what cannot be held is dropped within the test's time
        .maxBufferedBytes(32 << 10)
        .deliveryTimeout(Duration.ofSeconds(2))
        .closeTimeout(Duration.ofSeconds(1))
        .producerProperty("buffer.memory", 32 << 10)
        .producerProperty("max.block.ms", 1000)
        .meterRegistry(registry)
        .start()) {
      server.shutdown();
      server.awaitShutdown();
      System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
      try {
        CallRecorder recorder = CallRecorder.builder(live).callJsonExtras(publisher.callJsonExtras()).build();
        List<LiveCalls.Call> calls = LiveCalls.run(CallStreamListener.Factory.all(recorder, publisher), 2, 600, 31, 0);
        assertThat(calls).allMatch(LiveCalls.Call::done);
        await().atMost(Duration.ofSeconds(30)).until(() -> publisher.dropped() > 0);
      } finally {
        System.setErr(originalErr);
        server.startup();
      }
      dropped = publisher.dropped();
      assertThat(registry.get("callstream.kafka.dropped").tag("topic", "overflow").functionCounter().count())
          .isEqualTo((double) dropped);
      assertThat(registry.get("callstream.kafka.buffered.bytes").tag("topic", "overflow").gauge().value())
          .isBetween(0.0, (double) (32 << 10));
    }
    // the calls and their recordings are as without Kafka
    RecordingFiles.assertSameWavs(reference, live);
    long inCallJson = 0;
    for (String folder : RecordingFiles.folders(live)) {
      JsonNode json = RecordingFiles.callJson(live.resolve(folder));
      assertThat(json.get("complete").asBoolean()).as(folder).isTrue();
      assertThat(json.get("kafkaDropped").asLong()).as(folder + " kafkaDropped").isPositive();
      inCallJson += json.get("kafkaDropped").asLong();
    }
    assertThat(inCallJson).as("drops known when the calls ended").isLessThanOrEqualTo(dropped);
    assertThat(registry.get("callstream.kafka.dropped").tag("topic", "overflow").functionCounter().count())
        .as("the metric after close").isGreaterThanOrEqualTo((double) dropped);
    String text = log.toString(StandardCharsets.UTF_8);
    assertThat(text).contains("call call-0-s1: Kafka record dropped", "call call-1-s1: Kafka record dropped");
    assertThat(text).doesNotContain("do-not-publish");
  }
}
