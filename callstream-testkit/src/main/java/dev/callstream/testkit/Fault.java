package dev.callstream.testkit;

import java.util.Locale;

/**
 * A misbehaviour {@link FakeEngageVoice} and {@link FakeRingCx} can inject, repeatably from their
 * seed. {@link #DROP}, {@link #DUPLICATE} and {@link #REORDER} each hit a fraction of frames (gRPC:
 * chunks) set by the builders' {@code faultRate} (2 % by default), decided per frame and per side
 * (gRPC: per segment) from one random draw; {@link #ABORT} and {@link #GARBAGE} happen once / a few
 * times per call. {@link CallResult} and {@link RingCxCallResult} report exactly what was injected.
 */
public enum Fault {
  /** A frame is not sent; sequence numbers keep counting, so the receiver sees a gap. */
  DROP,
  /** A frame is sent twice in a row. */
  DUPLICATE,
  /**
   * A frame is held back and sent right after the next frame of the same perspective (it arrives
   * one place late, well within a receiver's 5-frame reorder window).
   */
  REORDER,
  /**
   * The connection is cut without Stop or close handshake ({@code WebSocket.abort()}) at a frame
   * chosen between 25 % and 75 % of the call. gRPC: the call is cancelled at such a chunk, without
   * {@code SegmentStop}s.
   */
  ABORT,
  /**
   * Three malformed messages per call at random frames, in addition to the audio: invalid JSON, a
   * message without {@code event}, and a Media whose {@code media} is not base64. gRPC: an event of an
   * unknown oneof case carrying only unknown fields, a {@code SegmentMedia} for an unknown segment id
   * and a {@code SegmentInfo} for an unknown segment id with an unknown field.
   */
  GARBAGE;

  /** The lower-case name used on the command line: {@code drop}, {@code duplicate}... */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The fault named {@code label}, ignoring case.
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static Fault fromLabel(String label) {
    for (Fault fault : values()) {
      if (fault.label().equalsIgnoreCase(label.trim())) {
        return fault;
      }
    }
    throw new IllegalArgumentException(
        "unknown fault '" + label + "' (expected drop, duplicate, reorder, abort or garbage)");
  }
}
