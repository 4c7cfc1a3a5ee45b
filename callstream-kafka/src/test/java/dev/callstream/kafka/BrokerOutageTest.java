package dev.callstream.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.callstream.core.CallStreamListener;
import dev.callstream.core.recording.CallRecorder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import kafka.server.BrokerServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker stops for 10 s in the middle of calls: nothing is lost in Kafka or on disk. */
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
  void aTenSecondBrokerOutageDuringCallsLosesNothing() throws Exception {
    broker.createTopic("outage", 2);
    Path live = dir.resolve("live");
    Path replay = dir.resolve("replay");
    try (KafkaCallPublisher publisher = KafkaCallPublisher.builder(broker.bootstrap()).topic("outage").start()) {
      CallRecorder recorder = CallRecorder.builder(live).callJsonExtras(publisher.callJsonExtras()).build();
      CallStreamListener.Factory factory = CallStreamListener.Factory.all(recorder, publisher);
      List<LiveCalls.Call> calls = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        LiveCalls.Call call = new LiveCalls.Call("outage-" + i, 600, 100 + i, factory);
        call.begin();
        calls.add(call);
      }
      for (int n = 0; n < 200; n++) {
        calls.forEach(LiveCalls.Call::step);
      }
      assertThat(publisher.flush(Duration.ofSeconds(30))).isTrue();

      BrokerServer server = broker.cluster().brokers().values().iterator().next();
      server.shutdown();
      server.awaitShutdown();
      long acknowledged = publisher.published();
      // the calls go on while the broker is away
      for (int n = 200; n < 600; n++) {
        calls.forEach(LiveCalls.Call::step);
      }
      calls.forEach(LiveCalls.Call::finish);
      await().during(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(12))
          .until(() -> publisher.published() == acknowledged && publisher.dropped() == 0);
      server.startup();

      assertThat(publisher.flush(Duration.ofSeconds(90))).isTrue();
      assertThat(publisher.dropped()).isZero();
      assertThat(publisher.published()).isGreaterThan(acknowledged);
    }
    for (String folder : RecordingFiles.folders(live)) {
      assertThat(RecordingFiles.callJson(live.resolve(folder)).get("kafkaDropped").asLong()).isZero();
    }
    try (KafkaCallSource source = KafkaCallSource.builder(broker.bootstrap(), CallRecorder.create(replay))
        .topic("outage").group("outage").start()) {
      await().atMost(Duration.ofSeconds(60)).until(() -> source.callsEnded() == 4);
    }
    RecordingFiles.assertSameWavs(live, replay);
  }
}
