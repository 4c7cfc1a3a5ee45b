/**
 * The Engage Voice WebSocket wire format: {@link dev.callstream.server.wire.StreamCodec} turns the
 * platform's JSON messages into {@link dev.callstream.server.wire.StreamEvent}s
 * ({@link dev.callstream.server.wire.Connected}, {@link dev.callstream.server.wire.Start},
 * {@link dev.callstream.server.wire.Media}, {@link dev.callstream.server.wire.Stop},
 * {@link dev.callstream.server.wire.Unknown}) and back. The server maps them onto the
 * transport-neutral call model of {@code dev.callstream.core}; listeners receive every event but
 * Media raw through {@code onTransportEvent} and may test for these record types.
 */
package dev.callstream.server.wire;
