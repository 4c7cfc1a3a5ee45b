package dev.callstream.server.internal;

import dev.callstream.core.CallAdmission;
import dev.callstream.core.CallStreamListener;
import dev.callstream.server.wire.StreamCodec;
import dev.callstream.transport.Authenticator;
import java.time.Duration;

/**
 * Everything the portable endpoint needs, validated by {@code CallStreamEndpoint.Builder}.
 *
 * @param admission the call slots, possibly shared with other servers
 * @param queueCapacity events queued per call before the call is ended (no reads to pause)
 */
public record PortableSettings(
    String path,
    CallStreamListener.Factory listenerFactory,
    Authenticator authenticator,
    StreamCodec codec,
    CallAdmission admission,
    int maxMessageBytes,
    Duration idleTimeout,
    Duration shutdownTimeout,
    int reorderWindow,
    int queueCapacity,
    int dispatchThreads) {}
