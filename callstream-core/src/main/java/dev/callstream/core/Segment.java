package dev.callstream.core;

import dev.callstream.core.audio.AudioFormat;
import java.util.Objects;

/**
 * One participant's audio stream within a call: a RingCX gRPC segment, or one of the two fixed
 * perspectives of a WebSocket call (ids {@code agent} and {@code conference}).
 *
 * <p>Frames of a segment are numbered by {@link AudioFrame#position()} from 0, gaps included; the
 * segment's first slot sits at {@link #startMillis()} on the call's timeline, so a participant who
 * joins later starts later. Immutable.
 */
public final class Segment {
  private final String id;
  private final Participant participant;
  private final AudioFormat format;
  private final long startMillis;

  /**
   * @param id the segment id, never null
   * @param participant who speaks in it, never null
   * @param format the encoding of its frames, never null
   * @param startMillis where its first slot lies on the call's timeline (ms from the call's start), at least 0
   */
  public Segment(String id, Participant participant, AudioFormat format, long startMillis) {
    this.id = Objects.requireNonNull(id, "id");
    this.participant = Objects.requireNonNull(participant, "participant");
    this.format = Objects.requireNonNull(format, "format");
    if (startMillis < 0) {
      throw new IllegalArgumentException("startMillis < 0: " + startMillis);
    }
    this.startMillis = startMillis;
  }

  /** The segment id as the transport sent it; never null. */
  public String id() {
    return id;
  }

  public Participant participant() {
    return participant;
  }

  public AudioFormat format() {
    return format;
  }

  /** The side of the call: agent for participants of type {@link ParticipantType#AGENT}, else conference. */
  public AudioChannel channel() {
    return participant.type().side();
  }

  /** Where position 0 of this segment lies on the call's timeline, in milliseconds from the call's start. */
  public long startMillis() {
    return startMillis;
  }

  @Override
  public String toString() {
    return "Segment[id=" + id + ", " + participant.type() + ", " + format.encoding() + "/" + format.sampleRate()
        + "/" + format.ptimeMillis() + "ms, start=" + startMillis + "ms]";
  }
}
