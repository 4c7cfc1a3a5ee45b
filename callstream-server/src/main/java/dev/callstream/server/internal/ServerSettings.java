package dev.callstream.server.internal;

import dev.callstream.core.CallStreamListener;
import dev.callstream.core.StreamCodec;
import dev.callstream.server.Dispatch;
import dev.callstream.transport.Authenticator;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * Everything the runtime needs, validated by {@code CallStreamServer.Builder}.
 *
 * @param sslContext the server context, or null for plain ws
 */
public record ServerSettings(
    String host,
    int port,
    SSLContext sslContext,
    CallStreamListener.Factory listenerFactory,
    Authenticator authenticator,
    StreamCodec codec,
    int maxCalls,
    int maxMessageBytes,
    Duration idleTimeout,
    Duration handshakeTimeout,
    Duration shutdownTimeout,
    int reorderWindow,
    int laneCapacity,
    int dispatchThreads,
    int ioThreads,
    Dispatch dispatch) {}
