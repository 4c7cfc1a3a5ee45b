package dev.callstream.server.internal;

import dev.callstream.core.CallStreamListener;
import dev.callstream.core.Transport;
import dev.callstream.core.metrics.CallStreamMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Consumer;

/**
 * The WebSocket server's metrics ({@link CallStreamMetrics} with {@code transport=wss}). Loaded only
 * when the user gave a registry: the server's own classes mention no Micrometer type, so Micrometer
 * stays an optional dependency.
 */
public final class ServerMetrics {
  private final CallStreamMetrics metrics;

  private ServerMetrics(CallStreamMetrics metrics) {
    this.metrics = metrics;
  }

  /** @param registry a {@code io.micrometer.core.instrument.MeterRegistry} */
  public static ServerMetrics create(Object registry) {
    return new ServerMetrics(CallStreamMetrics.create((MeterRegistry) registry, Transport.WSS));
  }

  /** {@code factory} with its calls counted. */
  public CallStreamListener.Factory instrument(CallStreamListener.Factory factory) {
    return metrics.instrument(factory);
  }

  /** Where the runtime reports refused handshakes. */
  public Consumer<CallStreamMetrics.Rejection> rejections() {
    return metrics::handshakeRejected;
  }

  /** Registers the listener-queue gauges of a started runtime. */
  public void bind(ServerRuntime runtime) {
    metrics.listenerQueue(runtime::queuedEvents, runtime::maxQueuedEvents);
  }
}
