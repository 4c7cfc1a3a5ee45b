package dev.callstream.kafka.internal;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The publisher's meters, in the style of {@code CallStreamMetrics} (Prometheus names in
 * brackets): {@code callstream.kafka.dropped} ({@code callstream_kafka_dropped_total}),
 * {@code callstream.kafka.published} ({@code callstream_kafka_published_total}) and the gauge
 * {@code callstream.kafka.buffered.bytes} ({@code callstream_kafka_buffered_bytes}), each tagged
 * {@code topic}. They read the publisher's own counters at scrape time, so publishing costs nothing
 * more with a registry. Loaded only when a registry is given, so Micrometer stays optional.
 */
public final class PublisherMetrics {
  private PublisherMetrics() {}

  /**
   * Registers the meters on {@code registry} (a {@code MeterRegistry}, typed {@code Object} so that
   * callers without Micrometer never load its classes). The counters are held weakly by Micrometer,
   * strongly by the publisher that owns them.
   */
  public static void register(Object registry, String topic, AtomicLong dropped, AtomicLong published,
      AtomicLong bufferedBytes) {
    MeterRegistry meters = (MeterRegistry) registry;
    FunctionCounter.builder("callstream.kafka.dropped", dropped, AtomicLong::get)
        .description("Kafka records dropped: buffer full, delivery timed out, too large, or publisher closed")
        .tag("topic", topic)
        .register(meters);
    FunctionCounter.builder("callstream.kafka.published", published, AtomicLong::get)
        .description("Kafka records acknowledged by the broker")
        .tag("topic", topic)
        .register(meters);
    Gauge.builder("callstream.kafka.buffered.bytes", bufferedBytes, AtomicLong::get)
        .description("Bytes of records queued for the Kafka producer")
        .baseUnit("bytes")
        .tag("topic", topic)
        .register(meters);
  }
}
