/**
 * The WebSocket (Secure) server the platform streams calls to: build one with
 * {@link dev.callstream.server.CallStreamServer#builder()}, choose {@link dev.callstream.transport.Tls}
 * and an {@link dev.callstream.transport.Authenticator}, and give it a
 * {@link dev.callstream.core.CallStreamListener.Factory}.
 */
package dev.callstream.server;
