package dev.callstream.kafka;

/**
 * The names of the Kafka wire format (CONTRACTS.md section 7; {@code docs/KAFKA.md} describes every
 * record). Every record of a call is keyed by {@code <callId>-<sessionId>} (UTF-8), so a call stays
 * in one partition, in order; its type is in header {@value #EVENT_HEADER}.
 */
public final class KafkaWire {
  /** The default topic. */
  public static final String DEFAULT_TOPIC = "callstream";

  /** Header naming the record's type. */
  public static final String EVENT_HEADER = "callstream-event";

  /** JSON: callId, sessionId, transport, info, metadata, wire, segments. */
  public static final String CALL_START = "call-start";
  /** The frame's bytes as received; headers channel, position, codec, segment, sequence. */
  public static final String AUDIO = "audio";
  /** Empty; headers channel, position, count, segment. */
  public static final String GAP = "gap";
  /** JSON of the Stop / SegmentStop, plus {@code segment} and {@code channel}. */
  public static final String STOP = "stop";
  /** JSON: the call's {@code call.json} object. */
  public static final String CALL_END = "call-end";
  /** Additive: a segment started after the call-start record (gRPC late joiners); JSON of the segment. */
  public static final String SEGMENT_START = "segment-start";
  /** Additive: a segment's info event (hold, unhold); JSON {segment, event, data}. */
  public static final String SEGMENT_INFO = "segment-info";

  public static final String CHANNEL = "channel";
  public static final String POSITION = "position";
  public static final String CODEC = "codec";
  public static final String SEGMENT = "segment";
  public static final String COUNT = "count";
  /** Additive: the frame's wire sequence number. */
  public static final String SEQUENCE = "sequence";

  private KafkaWire() {}
}
