package dev.callstream.core;

/** How a call reached us. */
public enum Transport {
  /** Engage Voice's WebSocket stream (JSON messages, two perspectives). */
  WSS("wss"),
  /** RingCX's gRPC stream (DialogInit, segments). */
  GRPC("grpc");

  private final String label;

  Transport(String label) {
    this.label = label;
  }

  /** The lower-case name used in {@code call.json} and metrics: {@code wss}, {@code grpc}. */
  public String label() {
    return label;
  }
}
