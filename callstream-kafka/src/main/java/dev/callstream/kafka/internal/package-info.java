/** Internals of callstream-kafka: not API, may change without notice. */
package dev.callstream.kafka.internal;
