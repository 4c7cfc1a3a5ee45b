package dev.callstream.grpc.internal;

import dev.callstream.core.CallAdmission;
import dev.callstream.core.CallStreamListener;
import dev.callstream.transport.Authenticator;
import java.time.Duration;

/** A validated configuration of the gRPC server (validated by the public builder). */
public record GrpcSettings(
    String host,
    int port,
    TlsSource tls,
    CallStreamListener.Factory listenerFactory,
    Authenticator authenticator,
    CallAdmission admission,
    int maxMessageBytes,
    Duration idleTimeout,
    Duration handshakeTimeout,
    Duration shutdownTimeout,
    Duration keepAliveTime,
    Duration keepAliveTimeout,
    Duration permitKeepAliveTime,
    boolean permitKeepAliveWithoutCalls,
    int reorderWindow,
    int callBuffer,
    int flowControlWindow,
    int dispatchThreads,
    int maxMalformedEvents) {
}
