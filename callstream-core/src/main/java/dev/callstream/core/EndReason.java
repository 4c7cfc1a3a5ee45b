package dev.callstream.core;

/** Why a call ended; reported exactly once per call by {@link CallStreamListener#onEnd}. */
public enum EndReason {
  /** Both Stops arrived: the platform ended the stream normally. */
  STOPPED("stopped"),
  /** The connection closed (normally or not) before both Stops. */
  CLOSED("closed"),
  /** A listener threw, the peer broke the protocol, or the connection failed. */
  ERROR("error"),
  /** The server is shutting down. */
  SHUTDOWN("shutdown");

  private final String label;

  EndReason(String label) {
    this.label = label;
  }

  /** The lower-case name used in {@code call.json}: {@code stopped}, {@code closed}, {@code error}, {@code shutdown}. */
  public String label() {
    return label;
  }
}
