package dev.callstream.grpc;

import dev.callstream.core.Transport;
import dev.callstream.core.TransportEvent;
import dev.callstream.grpc.internal.ProtoMapping;
import dev.callstream.grpc.proto.StreamEvent;
import java.util.Map;
import java.util.Objects;

/**
 * A RingCX stream event as received, for listeners that want the wire
 * ({@link dev.callstream.core.CallStreamListener#onTransportEvent}): every {@code DialogInit},
 * {@code SegmentStart}, {@code SegmentInfo} and {@code SegmentStop}, and events of a kind this
 * version does not know. Media events are not delivered this way (too many; their audio arrives as
 * frames). Immutable.
 */
public final class GrpcTransportEvent implements TransportEvent {
  private final StreamEvent event;
  private volatile Map<String, Object> fields;

  public GrpcTransportEvent(StreamEvent event) {
    this.event = Objects.requireNonNull(event, "event");
  }

  /** The event as generated from {@code ringcx_streaming.proto}. */
  public StreamEvent event() {
    return event;
  }

  @Override
  public Transport transport() {
    return Transport.GRPC;
  }

  /**
   * The proto name of the event's {@code oneof} case: {@code dialog_init}, {@code segment_start},
   * {@code segment_media}, {@code segment_info}, {@code segment_stop}, or {@code unknown} for a case
   * this version does not know.
   */
  @Override
  public String name() {
    switch (event.getEventCase()) {
      case DIALOG_INIT: return "dialog_init";
      case SEGMENT_START: return "segment_start";
      case SEGMENT_MEDIA: return "segment_media";
      case SEGMENT_INFO: return "segment_info";
      case SEGMENT_STOP: return "segment_stop";
      default: return "unknown";
    }
  }

  /**
   * The event as JSON-like values: {@code sessionId} and the event under its lowerCamelCase name
   * ({@code dialogInit}, {@code segmentStart}...), every field present, enum values by name; audio
   * bytes left out.
   */
  @Override
  public Map<String, Object> fields() {
    Map<String, Object> result = fields;
    if (result == null) {
      result = ProtoMapping.fields(event);
      fields = result;
    }
    return result;
  }

  @Override
  public String toString() {
    return "GrpcTransportEvent[" + name() + "]";
  }
}
