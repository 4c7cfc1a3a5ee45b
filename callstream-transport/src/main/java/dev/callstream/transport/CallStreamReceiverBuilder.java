package dev.callstream.transport;

import dev.callstream.core.CallAdmission;
import dev.callstream.core.CallStreamListener;
import dev.callstream.transport.internal.ReceiverOptions;
import java.time.Duration;

/**
 * The settings every call-stream receiver's builder shares, with one meaning, one default and one
 * check: {@code CallStreamServer.Builder} (WebSocket), {@code CallStreamEndpoint.Builder} (WebSocket
 * in your servlet container) and {@code CallStreamGrpcServer.Builder} (gRPC). Each of them returns
 * itself from every setter, so calls chain on the concrete builder; this type lets code configure
 * any of them alike:
 *
 * <pre>{@code
 * static <B extends CallStreamReceiverBuilder<B>> B limits(B builder) {
 *   return builder.maxCalls(200).idleTimeout(Duration.ofSeconds(30));
 * }
 * CallStreamServer ws = limits(CallStreamServer.builder()).tls(tls).listenerFactory(factory).build();
 * CallStreamGrpcServer grpc = limits(CallStreamGrpcServer.builder()).tls(tls).listenerFactory(factory).build();
 * }</pre>
 *
 * <p>Every setter validates its argument at once: {@link NullPointerException} for null,
 * {@link IllegalArgumentException} with a message naming the value otherwise. A builder is not
 * thread-safe; what it builds does not change when the builder is changed afterwards.
 *
 * <p>Extended by callstream's builders only; its protected members are for them, and methods may be
 * added, so do not extend it yourself.
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract class CallStreamReceiverBuilder<B extends CallStreamReceiverBuilder<B>> {
  private final ReceiverOptions options = new ReceiverOptions();

  /** For callstream's builders. */
  protected CallStreamReceiverBuilder() {}

  /** The values set here, for the concrete builder to build with (an internal type). */
  protected final ReceiverOptions options() {
    return options;
  }

  @SuppressWarnings("unchecked") // B is the subclass by the declaration B extends CallStreamReceiverBuilder<B>
  private B self() {
    return (B) this;
  }

  /** Creates one listener per call (required: building without one fails). */
  public final B listenerFactory(CallStreamListener.Factory listenerFactory) {
    options.listenerFactory(listenerFactory);
    return self();
  }

  /**
   * Decides which connections become calls, on the WebSocket upgrade request or the gRPC stream's
   * metadata; default {@link Authenticator#NONE}. On gRPC a {@code VERIFY_AT_START} decision is
   * settled at once with the {@code authorization} value offered as the {@code secret} field (gRPC
   * has no later credential).
   */
  public final B authenticator(Authenticator authenticator) {
    options.authenticator(authenticator);
    return self();
  }

  /**
   * Concurrent calls of this receiver; beyond them new calls are refused: a WebSocket upgrade with
   * HTTP 503 (a container endpoint without its handshake filter: accepted and closed with 1013), a
   * gRPC stream with {@code RESOURCE_EXHAUSTED}. Default 500; at least 1.
   */
  public final B maxCalls(int maxCalls) {
    options.maxCalls(maxCalls);
    return self();
  }

  /**
   * Counts calls against a limit shared with other receivers (for example a WebSocket and a gRPC
   * server in one process) instead of {@link #maxCalls}; beyond it calls are refused as there.
   */
  public final B admission(CallAdmission admission) {
    options.admission(admission);
    return self();
  }

  /**
   * Largest message in bytes (a WebSocket message summed over its fragments, in UTF-8); a larger one
   * ends its call (WebSocket: close 1009, {@code ERROR}; gRPC: {@code RESOURCE_EXHAUSTED}). Default
   * 64 KiB; between 1 KiB and 16 MiB.
   */
  public final B maxMessageBytes(int maxMessageBytes) {
    options.maxMessageBytes(maxMessageBytes);
    return self();
  }

  /**
   * A call without any message for this long is ended with {@code CLOSED} (WebSocket: close 1001).
   * Default 60 s.
   */
  public final B idleTimeout(Duration idleTimeout) {
    options.idleTimeout(idleTimeout);
    return self();
  }

  /**
   * How long {@code close()}, and a drain at its deadline, wait for the terminal callbacks of the
   * calls they end. Default 10 s.
   */
  public final B shutdownTimeout(Duration shutdownTimeout) {
    options.shutdownTimeout(shutdownTimeout);
    return self();
  }

  /**
   * Frames held per channel (gRPC: per segment) to put late ones back in place; default 5, at
   * least 1.
   */
  public final B reorderWindow(int reorderWindow) {
    options.reorderWindow(reorderWindow);
    return self();
  }

  /**
   * Threads running listeners, shared by all calls of this receiver (gRPC: the spare threads beside
   * its batching thread, see {@code CallStreamGrpcServer}). Default max(4, 2 x cores).
   */
  public final B dispatchThreads(int dispatchThreads) {
    options.dispatchThreads(dispatchThreads);
    return self();
  }

  /**
   * Publishes the call metrics of {@link dev.callstream.core.metrics.CallStreamMetrics} on
   * {@code registry}, tagged {@code transport=wss} or {@code transport=grpc}: active, started and
   * ended calls, frames, gaps, duplicates and late frames per channel, refused calls by reason
   * ({@code unauthorized}, {@code capacity}, {@code draining}); the WebSocket server adds its
   * listener queue, a container endpoint the counter {@code callstream.listener.queue.overflows}.
   * Default none: then no Micrometer class is loaded and Micrometer need not be on the class path.
   */
  public final B meterRegistry(io.micrometer.core.instrument.MeterRegistry registry) {
    options.meterRegistry(registry);
    return self();
  }
}
