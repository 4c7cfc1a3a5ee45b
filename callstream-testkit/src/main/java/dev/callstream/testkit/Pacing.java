package dev.callstream.testkit;

/** How fast {@link FakeEngageVoice} and {@link FakeRingCx} send audio. */
public enum Pacing {
  /**
   * As the platform does: one frame per side every 20 ms (gRPC: one chunk per segment every ptime,
   * 100 ms by default). Frame {@code k} of a call is due at
   * {@code mediaStart + k * 20 ms} (an absolute clock, so there is no drift over a long call); when
   * the server reads slower than real time the sender catches up as soon as it can.
   */
  REALTIME,
  /**
   * As fast as the server reads: the next message goes out as soon as the previous send completed
   * (gRPC: as soon as the stream's flow control says it is ready).
   */
  FLOOD
}
