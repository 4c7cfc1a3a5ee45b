package dev.callstream.server.wire;

import dev.callstream.core.Transport;
import dev.callstream.core.TransportEvent;

/**
 * The WebSocket events other than Media, as {@link TransportEvent}s: listeners receive
 * {@link Connected}, {@link Start}, {@link Stop} and {@link Unknown} through
 * {@code onTransportEvent} and may test for the record type to read them typed.
 */
public sealed interface WireEvent extends TransportEvent permits Connected, Start, Stop, Unknown {

  @Override
  default Transport transport() {
    return Transport.WSS;
  }

  @Override
  default String name() {
    return eventName();
  }

  /** The wire name of the event, as in the {@code event} field. */
  String eventName();
}
