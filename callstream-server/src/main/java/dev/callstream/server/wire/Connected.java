package dev.callstream.server.wire;

/**
 * The first message on a connection: {@code {"event":"Connected","protocol":"AgentSession","version":"1.0.0"}}.
 *
 * @param protocol the protocol name, nullable when absent
 * @param version the protocol version, nullable when absent
 */
public record Connected(String protocol, String version) implements StreamEvent, WireEvent {
  public static final String EVENT = "Connected";

  @Override
  public String eventName() {
    return EVENT;
  }

  @Override
  public java.util.Map<String, Object> fields() {
    java.util.Map<String, Object> fields = new java.util.LinkedHashMap<>();
    fields.put("protocol", protocol);
    fields.put("version", version);
    return java.util.Collections.unmodifiableMap(fields);
  }
}
