package dev.callstream.grpc.internal;

import dev.callstream.core.CallStreamListener;
import dev.callstream.core.Transport;
import dev.callstream.core.metrics.CallStreamMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Consumer;

/**
 * The gRPC server's metrics ({@link CallStreamMetrics} with {@code transport=grpc}). Loaded only
 * when the user gave a registry, so Micrometer stays an optional dependency.
 */
public final class GrpcMetrics {
  private final CallStreamMetrics metrics;

  private GrpcMetrics(CallStreamMetrics metrics) {
    this.metrics = metrics;
  }

  /** @param registry a {@code io.micrometer.core.instrument.MeterRegistry} */
  public static GrpcMetrics create(Object registry) {
    return new GrpcMetrics(CallStreamMetrics.create((MeterRegistry) registry, Transport.GRPC));
  }

  /** {@code factory} with its calls counted. */
  public CallStreamListener.Factory instrument(CallStreamListener.Factory factory) {
    return metrics.instrument(factory);
  }

  /** Where the runtime reports refused streams. */
  public Consumer<CallStreamMetrics.Rejection> rejections() {
    return metrics::handshakeRejected;
  }
}
