package dev.callstream.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real single-node KRaft broker (controller and broker in one), in this JVM, on loopback, for the
 * Kafka command tests. Topics are never created on first use, so each test names the ones it needs.
 */
final class KafkaTestBroker implements AutoCloseable {
  private final KafkaClusterTestKit cluster;

  private KafkaTestBroker(KafkaClusterTestKit cluster) {
    this.cluster = cluster;
  }

  /** Starts a broker with these topics (name to partition count), each with one replica. */
  static KafkaTestBroker start(Map<String, Integer> topics) throws Exception {
    KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(
        new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
        .setConfigProp("auto.create.topics.enable", "false")
        .setConfigProp("group.initial.rebalance.delay.ms", "0")
        .setConfigProp("offsets.topic.replication.factor", "1")
        .setConfigProp("offsets.topic.num.partitions", "1")
        .build();
    KafkaTestBroker broker = new KafkaTestBroker(cluster);
    try {
      cluster.format();
      cluster.startup();
      cluster.waitForReadyBrokers();
      List<NewTopic> newTopics = new ArrayList<>();
      topics.forEach((name, partitions) -> newTopics.add(new NewTopic(name, partitions, (short) 1)));
      try (Admin admin = cluster.admin()) {
        admin.createTopics(newTopics).all().get(30, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      broker.close();
      throw e;
    }
    return broker;
  }

  String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  @Override
  public void close() throws Exception {
    cluster.close();
  }
}
