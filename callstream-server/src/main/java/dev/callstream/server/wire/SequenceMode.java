package dev.callstream.server.wire;

/**
 * How the platform numbers {@code sequenceId}: the documentation does not say, so it is detected
 * from the first frames of each call. A call reported {@link #PER_PERSPECTIVE} can still turn
 * {@link #PER_CONNECTION} when a side silent at the start comes in continuing the other's counter.
 */
public enum SequenceMode {
  /** Not yet known: too few frames so far. */
  UNDETERMINED,
  /** Each perspective has its own counter: agent 1, 2, 3... and conference 1, 2, 3... */
  PER_PERSPECTIVE,
  /**
   * One counter per connection shared by both perspectives: agent 1, conference 2, agent 3... Each
   * side's frames take consecutive places on its own timeline, so a side that pauses or ends first
   * costs no silence; a number missing from the counter is one frame of silence on the side that
   * lost it, as far as the neighbouring frames tell.
   */
  PER_CONNECTION
}
