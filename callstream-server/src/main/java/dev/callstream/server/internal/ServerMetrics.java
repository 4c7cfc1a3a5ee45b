package dev.callstream.server.internal;

import dev.callstream.core.CallStreamListener;
import dev.callstream.core.Transport;
import dev.callstream.core.metrics.CallStreamMetrics;
import io.micrometer.core.instrument.Counter;
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

  /** Registers the listener-queue gauges of a started server or endpoint. */
  public void bind(CallHub hub) {
    metrics.listenerQueue(hub::queuedEvents, hub::maxQueuedEvents);
  }

  /**
   * The counter {@code callstream.listener.queue.overflows}: calls the portable endpoint ended because
   * their listener fell a whole queue behind (a container cannot pause reading).
   */
  public Runnable overflows() {
    Counter counter = Counter.builder("callstream.listener.queue.overflows")
        .description("Calls ended because their listener fell a whole queue behind (servlet containers only)")
        .tag("transport", Transport.WSS.label())
        .register(metrics.registry());
    return counter::increment;
  }
}
