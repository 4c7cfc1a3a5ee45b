package dev.callstream.core;

/**
 * The two sides of a streamed call. In stereo output {@link #AGENT} is the left channel and
 * {@link #CONFERENCE} (the caller and every other leg: transfers, requeues) the right.
 */
public enum AudioChannel {
  /** Perspective {@code Participant}: the agent. Left. */
  AGENT("Participant", 0),
  /** Perspective {@code Conference}: caller and all other legs. Right. */
  CONFERENCE("Conference", 1);

  private final String perspective;
  private final int stereoIndex;

  AudioChannel(String perspective, int stereoIndex) {
    this.perspective = perspective;
    this.stereoIndex = stereoIndex;
  }

  /** The wire name of this channel's perspective. */
  public String perspective() {
    return perspective;
  }

  /** 0 for left (agent), 1 for right (conference). */
  public int stereoIndex() {
    return stereoIndex;
  }

  /** Lower-case name used for file names and JSON keys: {@code agent}, {@code conference}. */
  public String label() {
    return this == AGENT ? "agent" : "conference";
  }

  /**
   * The channel for a perspective name, ignoring case.
   *
   * @return the channel, or null when {@code perspective} is null or not a known perspective
   */
  public static AudioChannel fromPerspective(String perspective) {
    if (perspective == null) {
      return null;
    }
    if (perspective.equalsIgnoreCase("Participant")) {
      return AGENT;
    }
    if (perspective.equalsIgnoreCase("Conference")) {
      return CONFERENCE;
    }
    return null;
  }
}
