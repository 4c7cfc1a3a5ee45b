package dev.callstream.server.internal;

import dev.callstream.core.CallAdmission;
import dev.callstream.core.CallStreamListener;
import dev.callstream.server.Dispatch;
import dev.callstream.server.wire.StreamCodec;
import dev.callstream.transport.Authenticator;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * Everything the runtime needs, validated by {@code CallStreamServer.Builder}.
 *
 * @param sslContext the server context, or null for plain ws
 * @param admission the call slots, possibly shared with other servers
 */
public record ServerSettings(
    String host,
    int port,
    SSLContext sslContext,
    CallStreamListener.Factory listenerFactory,
    Authenticator authenticator,
    StreamCodec codec,
    CallAdmission admission,
    int maxMessageBytes,
    Duration idleTimeout,
    Duration handshakeTimeout,
    Duration shutdownTimeout,
    int reorderWindow,
    int laneCapacity,
    int dispatchThreads,
    int ioThreads,
    Dispatch dispatch) {}
