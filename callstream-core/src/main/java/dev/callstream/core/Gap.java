package dev.callstream.core;

import java.util.Objects;

/**
 * Frames of one segment that never arrived (or came too late): positions {@code fromPosition ..
 * fromPosition + frameCount - 1} of its timeline are missing. Recorders fill them with silence so
 * the timeline stays aligned.
 *
 * @param segment the segment, never null
 * @param fromPosition the first missing position on the segment's timeline
 * @param frameCount how many consecutive positions are missing, at least 1
 */
public record Gap(Segment segment, long fromPosition, int frameCount) {
  public Gap {
    Objects.requireNonNull(segment, "segment");
  }

  /** The side of the call the gap is on. */
  public AudioChannel channel() {
    return segment.channel();
  }

  /** How long the gap lasts, in milliseconds. */
  public long durationMillis() {
    return (long) frameCount * segment.format().ptimeMillis();
  }

  /** Where the gap starts on the call's timeline, in milliseconds from the call's start. */
  public long startMillis() {
    return segment.startMillis() + fromPosition * segment.format().ptimeMillis();
  }
}
