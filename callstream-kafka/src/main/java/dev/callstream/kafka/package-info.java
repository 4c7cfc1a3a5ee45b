/**
 * Kafka for callstream: {@link dev.callstream.kafka.KafkaCallPublisher} publishes every call's
 * events to a topic (CONTRACTS.md section 7, documented in {@code docs/KAFKA.md}) and
 * {@link dev.callstream.kafka.KafkaCallSource} consumes that topic in a consumer group and drives any
 * {@link dev.callstream.core.CallStreamListener.Factory} as a live server would.
 */
package dev.callstream.kafka;
