/**
 * Receives RingCX audio streams over gRPC ({@code ringcentral.ringcx.streaming.v1beta2.Streaming/Stream})
 * and feeds them to the same listener API as the WebSocket server.
 *
 * <p>The protocol classes are generated at build time from {@code src/main/proto/ringcx_streaming.proto}
 * into {@code dev.callstream.grpc.proto}.
 */
package dev.callstream.grpc;
