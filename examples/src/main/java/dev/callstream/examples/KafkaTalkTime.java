package dev.callstream.examples;

import dev.callstream.core.CallSession;
import dev.callstream.examples.TalkTimeAnalytics.Summary;
import dev.callstream.kafka.KafkaCallSource;
import java.util.function.BiConsumer;

/**
 * {@link TalkTimeAnalytics} as a Kafka worker: the same listener, driven from the topic that
 * {@code callstream record --kafka} publishes to, in a consumer group. Start as many workers as the
 * topic has partitions; each gets its share of the calls, and a worker that dies has its calls
 * analysed again from their start by another.
 *
 * <p>{@code main} takes {@code BOOTSTRAP [topic] [group]} (defaults {@code callstream},
 * {@code talk-time}) and runs until Ctrl-C, printing each call's figures.
 */
public final class KafkaTalkTime {
  private KafkaTalkTime() {}

  /** Starts a worker with two consumer threads; {@code close()} it to stop. */
  public static KafkaCallSource start(String bootstrap, String topic, String group,
      BiConsumer<CallSession, Summary> onSummary) {
    return KafkaCallSource.builder(bootstrap, TalkTimeAnalytics.factory(onSummary))
        .topic(topic)
        .group(group)
        .consumers(2)
        .start();
  }

  public static void main(String[] args) throws InterruptedException {
    if (args.length < 1) {
      System.err.println("usage: KafkaTalkTime BOOTSTRAP [topic] [group]");
      System.exit(2);
    }
    KafkaCallSource worker = start(args[0], args.length > 1 ? args[1] : "callstream",
        args.length > 2 ? args[2] : "talk-time",
        (call, summary) -> System.out.println(call.callId() + ": " + summary));
    System.out.println("analysing calls from kafka " + args[0]);
    Runtime.getRuntime().addShutdownHook(new Thread(worker::close));
    Thread.currentThread().join(); // until Ctrl-C
  }
}
