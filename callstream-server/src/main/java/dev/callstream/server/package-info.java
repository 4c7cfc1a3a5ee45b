/**
 * The WebSocket (Secure) server the platform streams calls to: build one with
 * {@link dev.callstream.server.CallStreamServer#builder()}, choose {@link dev.callstream.transport.Tls}
 * and an {@link dev.callstream.transport.Authenticator}, and give it a
 * {@link dev.callstream.core.CallStreamListener.Factory}. To receive the calls inside a servlet
 * container you already run instead, deploy a {@link dev.callstream.server.CallStreamEndpoint}.
 */
package dev.callstream.server;
