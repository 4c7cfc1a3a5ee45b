package dev.callstream.server.wire;

import dev.callstream.core.AudioChannel;

/**
 * The WebSocket stream's two perspectives and the side of the call each stands for: a WebSocket
 * call is the special case of two fixed segments, {@code agent} (perspective {@code Participant})
 * and {@code conference} (perspective {@code Conference}).
 */
public final class Perspective {
  /** The wire name of the agent's perspective. */
  public static final String PARTICIPANT = "Participant";
  /** The wire name of the caller's (and every other leg's) perspective. */
  public static final String CONFERENCE = "Conference";

  private Perspective() {}

  /** The wire name of a side's perspective: {@code Participant} or {@code Conference}. */
  public static String of(AudioChannel side) {
    return side == AudioChannel.AGENT ? PARTICIPANT : CONFERENCE;
  }

  /**
   * The side for a perspective name, ignoring case.
   *
   * @return the side, or null when {@code perspective} is null or not a known perspective
   */
  public static AudioChannel side(String perspective) {
    if (perspective == null) {
      return null;
    }
    if (perspective.equalsIgnoreCase(PARTICIPANT)) {
      return AudioChannel.AGENT;
    }
    if (perspective.equalsIgnoreCase(CONFERENCE)) {
      return AudioChannel.CONFERENCE;
    }
    return null;
  }

  /** The id of the segment a side's perspective becomes: {@code agent} or {@code conference}. */
  public static String segmentId(AudioChannel side) {
    return side.label();
  }
}
