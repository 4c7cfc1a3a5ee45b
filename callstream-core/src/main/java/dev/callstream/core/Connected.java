package dev.callstream.core;

/**
 * The first message on a connection: {@code {"event":"Connected","protocol":"AgentSession","version":"1.0.0"}}.
 *
 * @param protocol the protocol name, nullable when absent
 * @param version the protocol version, nullable when absent
 */
public record Connected(String protocol, String version) implements StreamEvent {
  public static final String EVENT = "Connected";

  @Override
  public String eventName() {
    return EVENT;
  }
}
