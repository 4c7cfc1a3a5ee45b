package dev.callstream.core;

/**
 * The two sides of every call. In stereo output {@link #AGENT} is the left channel and
 * {@link #CONFERENCE} (the caller and every other participant: bots, transfers, requeues) the right.
 * Every {@link Segment} belongs to one side: a participant of type {@link ParticipantType#AGENT} to
 * the agent side, every other to the conference side.
 */
public enum AudioChannel {
  /** The agent. Left. */
  AGENT(0, "agent"),
  /** The caller and all other participants. Right. */
  CONFERENCE(1, "conference");

  private final int stereoIndex;
  private final String label;

  AudioChannel(int stereoIndex, String label) {
    this.stereoIndex = stereoIndex;
    this.label = label;
  }

  /** 0 for left (agent), 1 for right (conference). */
  public int stereoIndex() {
    return stereoIndex;
  }

  /** Lower-case name used for file names and JSON keys: {@code agent}, {@code conference}. */
  public String label() {
    return label;
  }
}
