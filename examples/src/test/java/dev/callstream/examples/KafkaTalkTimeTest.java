package dev.callstream.examples;

import static dev.callstream.examples.MulawReference.concat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.callstream.core.CallStreamListener;
import dev.callstream.examples.TalkTimeAnalytics.Summary;
import dev.callstream.kafka.KafkaCallPublisher;
import dev.callstream.kafka.KafkaCallSource;
import dev.callstream.testkit.AudioSource;
import dev.callstream.testkit.CallResult;
import dev.callstream.testkit.CallScript;
import dev.callstream.testkit.junit5.CallStreamExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The same TalkTimeAnalytics as a Kafka worker gives the figures of the live listener, from a real broker. */
class KafkaTalkTimeTest {
  static KafkaClusterTestKit cluster;
  static KafkaCallPublisher publisher;

  private final BlockingQueue<Summary> live = new LinkedBlockingQueue<>();
  private final BlockingQueue<Summary> fromKafka = new LinkedBlockingQueue<>();

  @RegisterExtension
  final CallStreamExtension callStream = CallStreamExtension.builder()
      .listenerFactory(() -> CallStreamListener.Factory.all(
          TalkTimeAnalytics.factory((session, summary) -> live.add(summary)), publisher))
      .build();

  @BeforeAll
  static void startBroker() throws Exception {
    cluster = new KafkaClusterTestKit.Builder(
        new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
        .setConfigProp("group.initial.rebalance.delay.ms", "0")
        .setConfigProp("offsets.topic.replication.factor", "1")
        .setConfigProp("offsets.topic.num.partitions", "1")
        .build();
    cluster.format();
    cluster.startup();
    cluster.waitForReadyBrokers();
    try (Admin admin = cluster.admin()) {
      admin.createTopics(List.of(new NewTopic("callstream", 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
    publisher = KafkaCallPublisher.builder(cluster.bootstrapServers()).start();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (publisher != null) {
      publisher.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void theKafkaWorkerComputesTheLiveFigures() throws Exception {
    AudioSource agent = concat(voice(300, 2000), hum(1500), voice(300, 1000));
    AudioSource caller = concat(hum(2000), voice(500, 2500));
    CallResult call = callStream.platform().play(CallScript.builder().agent(agent).conference(caller).build());
    assertThat(call.completed()).isTrue();
    Summary expected = live.poll(10, TimeUnit.SECONDS);
    assertThat(expected).isNotNull();
    assertThat(expected.agentTalk()).isPositive();
    assertThat(publisher.flush(Duration.ofSeconds(30))).isTrue();

    try (KafkaCallSource worker = KafkaTalkTime.start(cluster.bootstrapServers(), "callstream", "talk-time",
        (session, summary) -> fromKafka.add(summary))) {
      Summary summary = fromKafka.poll(60, TimeUnit.SECONDS);
      assertThat(summary).isEqualTo(expected);
      // counted once onEnd (which delivered the summary) has returned
      await().atMost(Duration.ofSeconds(10)).until(() -> worker.callsEnded() == 1);
    }
  }

  private static AudioSource voice(double hertz, long millis) {
    return AudioSource.tone(hertz, 0.3).limit(Duration.ofMillis(millis));
  }

  private static AudioSource hum(long millis) {
    return AudioSource.tone(50, 0.003).limit(Duration.ofMillis(millis));
  }
}
