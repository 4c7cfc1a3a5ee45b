package dev.callstream.server.wire;

/**
 * One message of an Engage Voice call stream, as decoded by {@link StreamCodec}.
 *
 * <p>Events are immutable values. New platform events that this version does not know are kept as
 * {@link Unknown} with their raw JSON, never silently dropped.
 */
public sealed interface StreamEvent permits Connected, Start, Media, Stop, Unknown {

  /** The wire name of the event, as in the {@code event} field: {@code "Media"}, {@code "Start"}... */
  String eventName();
}
