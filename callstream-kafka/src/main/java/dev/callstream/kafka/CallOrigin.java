package dev.callstream.kafka;

/**
 * Where a replayed call starts in Kafka: the topic, partition and offset of its {@code call-start}
 * record, and its key. Unique per published call.
 */
public record CallOrigin(String topic, int partition, long offset, String key) {}
