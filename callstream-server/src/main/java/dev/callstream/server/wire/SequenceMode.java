package dev.callstream.server.wire;

/**
 * How the platform numbers {@code sequenceId}: the documentation does not say, so it is detected
 * from the first frames of each call.
 */
public enum SequenceMode {
  /** Not yet known: too few frames so far. */
  UNDETERMINED,
  /** Each perspective has its own counter: agent 1, 2, 3... and conference 1, 2, 3... */
  PER_PERSPECTIVE,
  /** One counter per connection shared by both perspectives: agent 1, conference 2, agent 3... */
  PER_CONNECTION
}
