package dev.callstream.grpc.internal;

import com.google.protobuf.Empty;
import dev.callstream.core.metrics.CallStreamMetrics;
import dev.callstream.grpc.proto.StreamingGrpc;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gRPC server: the Netty listener, the dispatch pool the calls' lanes run on, the idle
 * sweeper, admission and the open calls. Created by {@code CallStreamGrpcServer.start()}.
 */
public final class GrpcRuntime {
  private static final Logger log = LoggerFactory.getLogger(GrpcRuntime.class);

  private final GrpcSettings settings;
  private final ExecutorService dispatchPool;
  /** Where the calls' lanes run: the batching thread (spare threads: the dispatch pool), or inline for tests. */
  private final java.util.concurrent.Executor lanes;
  private final BatchDispatcher batcher;
  private final ScheduledExecutorService sweeper;
  private final Set<GrpcCall> open = ConcurrentHashMap.newKeySet();
  private final Object idle = new Object();
  private final AtomicLong refusedUnauthorized = new AtomicLong();
  private final AtomicLong refusedCapacity = new AtomicLong();
  private final AtomicLong refusedDraining = new AtomicLong();
  private final Consumer<CallStreamMetrics.Rejection> rejections;
  private volatile boolean closing;
  // idle's monitor
  private CompletableFuture<Void> drained;
  private long drainDeadline;
  private Server server;

  private GrpcRuntime(GrpcSettings settings, Consumer<CallStreamMetrics.Rejection> rejections) {
    this(settings, rejections,
        Executors.newFixedThreadPool(settings.dispatchThreads(), daemon("callstream-grpc-dispatch-")), true);
  }

  private GrpcRuntime(GrpcSettings settings, Consumer<CallStreamMetrics.Rejection> rejections,
      ExecutorService dispatchPool, boolean batching) {
    this.settings = settings;
    this.rejections = rejections;
    this.dispatchPool = dispatchPool;
    this.batcher = batching
        ? new BatchDispatcher(dispatchPool, LANE_LINGER_NANOS, LANE_STUCK_NANOS, "callstream-grpc-batch")
        : null;
    this.lanes = batching ? batcher : dispatchPool;
    this.sweeper = Executors.newSingleThreadScheduledExecutor(daemon("callstream-grpc-idle-"));
  }

  /** The longest a message waits for the batching thread while traffic flows (1/100 of a 100 ms chunk). */
  static final long LANE_LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  /** How long one lane or batch may hold the batching thread before other calls go to the spare threads. */
  static final long LANE_STUCK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  /** A runtime that never binds, its lanes on {@code dispatchPool}: for {@link ReceivePath}. */
  static GrpcRuntime unbound(GrpcSettings settings, ExecutorService dispatchPool) {
    return new GrpcRuntime(settings, reason -> {}, dispatchPool, false);
  }

  /** Stops what {@link #unbound} started. */
  void stopUnbound() {
    sweeper.shutdownNow();
    dispatchPool.shutdownNow();
  }

  /** Binds and starts serving. */
  public static GrpcRuntime start(GrpcSettings settings) throws IOException {
    return start(settings, reason -> {});
  }

  /**
   * Binds and starts serving.
   *
   * @param rejections told of every refused stream, for the metrics (any thread; must not block)
   */
  public static GrpcRuntime start(GrpcSettings settings, Consumer<CallStreamMetrics.Rejection> rejections)
      throws IOException {
    GrpcRuntime runtime = new GrpcRuntime(settings, rejections);
    try {
      runtime.bind();
    } catch (IOException | RuntimeException e) {
      runtime.stopBatcherNow();
      runtime.dispatchPool.shutdownNow();
      runtime.sweeper.shutdownNow();
      throw e;
    }
    return runtime;
  }

  private void bind() throws IOException {
    // The generated method with our request marshaller (Inbound: media chunks read without the
    // generated builders); a service descriptor of its own, as gRPC wants the same method instance.
    MethodDescriptor<Inbound, Empty> method = StreamingGrpc.getStreamMethod()
        .toBuilder(new Inbound.Marshaller(), StreamingGrpc.getStreamMethod().getResponseMarshaller())
        .build();
    ServiceDescriptor descriptor = ServiceDescriptor.newBuilder(StreamingGrpc.SERVICE_NAME)
        .setSchemaDescriptor(StreamingGrpc.getServiceDescriptor().getSchemaDescriptor())
        .addMethod(method)
        .build();
    ServerServiceDefinition service = ServerServiceDefinition.builder(descriptor)
        .addMethod(method, new StreamHandler())
        .build();
    NettyServerBuilder builder = settings.tls().serverBuilder(new InetSocketAddress(settings.host(), settings.port()))
        // Handlers only queue work on the call's lane: nothing blocks a transport thread.
        .directExecutor()
        .addService(ServerInterceptors.intercept(service,
            new AuthorizationInterceptor(settings.authenticator(), () -> {
              refusedUnauthorized.incrementAndGet();
              rejected(CallStreamMetrics.Rejection.UNAUTHORIZED);
            })))
        .addStreamTracerFactory(CloseStatusTracer.FACTORY)
        .maxInboundMessageSize(settings.maxMessageBytes())
        .flowControlWindow(settings.flowControlWindow())
        .handshakeTimeout(settings.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .keepAliveTime(settings.keepAliveTime().toMillis(), TimeUnit.MILLISECONDS)
        .keepAliveTimeout(settings.keepAliveTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .permitKeepAliveTime(settings.permitKeepAliveTime().toMillis(), TimeUnit.MILLISECONDS)
        .permitKeepAliveWithoutCalls(settings.permitKeepAliveWithoutCalls())
        // HTTP/2 "rapid reset": a peer opening and cancelling streams in a loop costs us work per
        // stream; far more resets than any real client sends get the connection closed.
        .maxRstFramesPerWindow(200, 10);
    server = builder.build().start();
    long period = Math.max(50, Math.min(1000, settings.idleTimeout().toMillis() / 4));
    sweeper.scheduleWithFixedDelay(this::sweepIdle, period, period, TimeUnit.MILLISECONDS);
    // lanes waiting behind a blocked listener move to the spare threads even when nothing arrives
    sweeper.scheduleWithFixedDelay(batcher::rescue, 50, 50, TimeUnit.MILLISECONDS);
  }

  private void stopBatcherNow() {
    if (batcher != null) {
      batcher.stopNow();
    }
  }

  GrpcSettings settings() {
    return settings;
  }

  /** Where a call's {@link SerialLane} runs. */
  java.util.concurrent.Executor lanes() {
    return lanes;
  }

  /** The bound port. */
  public int port() {
    return server.getPort();
  }

  /** Calls admitted and not yet finished. */
  public int activeCalls() {
    return open.size();
  }

  /** Streams refused so far: {@code unauthorized}, {@code capacity} and {@code draining}. */
  public Map<String, Long> refused() {
    Map<String, Long> map = new LinkedHashMap<>();
    map.put("unauthorized", refusedUnauthorized.get());
    map.put("capacity", refusedCapacity.get());
    map.put("draining", refusedDraining.get());
    return map;
  }

  /** A call's terminal callback has run and its RPC is closed: give its slot back. */
  void finished(GrpcCall call) {
    if (open.remove(call)) {
      settings.admission().release();
    }
    if (open.isEmpty()) {
      synchronized (idle) {
        idle.notifyAll();
      }
    }
  }

  private void sweepIdle() {
    long now = System.nanoTime();
    long limit = settings.idleTimeout().toNanos();
    for (GrpcCall call : open) {
      if (call.idle(now, limit)) {
        call.idleTimeout();
      }
    }
  }

  /** True while new streams are admitted: not draining and a call slot free. */
  public boolean ready() {
    return !closing && settings.admission().active() < settings.admission().maxCalls();
  }

  /** True from the first {@link #drain} on: new streams are refused. */
  public boolean draining() {
    return closing;
  }

  /**
   * Refuses new streams from now on ({@code UNAVAILABLE}) and lets open calls run to their end for
   * up to {@code timeout}; then ends the rest with SHUTDOWN, waits up to the shutdown timeout for
   * their terminal callbacks and stops the network and the threads. A later call with a shorter
   * timeout brings the deadline forward (a second signal ends the drain at once).
   *
   * @return completes once everything has stopped
   */
  public CompletableFuture<Void> drain(Duration timeout) {
    long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
    synchronized (idle) {
      if (drained != null) {
        if (deadline - drainDeadline < 0) {
          drainDeadline = deadline;
          idle.notifyAll();
        }
        return drained;
      }
      closing = true;
      drainDeadline = deadline;
      drained = new CompletableFuture<>();
    }
    server.shutdown();
    Thread thread = new Thread(this::runDrain, "callstream-grpc-drain");
    thread.setDaemon(true);
    thread.start();
    return drained;
  }

  /** {@link #drain} with no grace: every open call ends with SHUTDOWN now; waits until stopped. */
  public void shutdown() {
    drain(Duration.ZERO).join();
  }

  private void runDrain() {
    try {
      synchronized (idle) {
        while (!open.isEmpty()) {
          long left = drainDeadline - System.nanoTime();
          if (left <= 0) {
            break;
          }
          TimeUnit.NANOSECONDS.timedWait(idle, left);
        }
      }
      List<GrpcCall> calls = List.copyOf(open);
      if (!calls.isEmpty()) {
        log.info("ending {} open calls with shutdown", calls.size());
        for (GrpcCall call : calls) {
          call.shutdown();
        }
        long deadline = System.nanoTime() + settings.shutdownTimeout().toNanos();
        synchronized (idle) {
          while (!open.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
              log.warn("{} calls still open after the shutdown timeout", open.size());
              break;
            }
            TimeUnit.NANOSECONDS.timedWait(idle, left);
          }
        }
      }
      server.shutdownNow();
      server.awaitTermination(5, TimeUnit.SECONDS);
      sweeper.shutdownNow();
      if (batcher != null) {
        batcher.stop(5, TimeUnit.SECONDS);
      }
      dispatchPool.shutdown();
      dispatchPool.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      drained.complete(null);
    }
  }

  /**
   * Waits until a drain or {@link #shutdown()} has stopped everything: the network first (only a
   * drain shuts it down), then the drain's own end (calls ended, dispatch pool stopped).
   */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
    CompletableFuture<Void> done;
    synchronized (idle) {
      done = drained;
    }
    if (done != null) {
      try {
        done.get();
      } catch (java.util.concurrent.ExecutionException e) {
        // runDrain never completes exceptionally; nothing more to wait for either way.
      }
    }
  }

  /** The one RPC: admits the stream (authorization already checked) and hands it to a new call. */
  private final class StreamHandler implements ServerCallHandler<Inbound, Empty> {
    @Override
    public ServerCall.Listener<Inbound> startCall(ServerCall<Inbound, Empty> call, Metadata headers) {
      GrpcCall grpcCall = new GrpcCall(call, AuthorizationInterceptor.callInfo(headers),
          CloseStatusTracer.KEY.get(Context.current()), GrpcRuntime.this);
      CallStreamMetrics.Rejection refused = admit(grpcCall);
      if (refused == CallStreamMetrics.Rejection.DRAINING) {
        refusedDraining.incrementAndGet();
        rejected(refused);
        call.close(Status.UNAVAILABLE.withDescription("server shutting down"), new Metadata());
        return new ServerCall.Listener<>() {};
      }
      if (refused != null) {
        refusedCapacity.incrementAndGet();
        rejected(refused);
        log.info("stream refused: {} calls open, the limit", settings.admission().maxCalls());
        call.close(Status.RESOURCE_EXHAUSTED.withDescription("too many calls"), new Metadata());
        return new ServerCall.Listener<>() {};
      }
      grpcCall.open();
      return grpcCall;
    }
  }

  /**
   * Lists {@code call} among the open calls and takes its slot, or says why not ({@code DRAINING},
   * {@code CAPACITY}). Under the drain's lock, so that a call is either refused by a drain that has
   * begun or listed before the drain looks for open calls, and then runs on like the others: checked
   * and listed apart, a call admitted just as a drain began could be missed by it and cut when the
   * network stops.
   */
  private CallStreamMetrics.Rejection admit(GrpcCall call) {
    synchronized (idle) {
      if (closing) {
        return CallStreamMetrics.Rejection.DRAINING;
      }
      if (!settings.admission().tryAcquire()) {
        return CallStreamMetrics.Rejection.CAPACITY;
      }
      open.add(call);
      return null;
    }
  }

  /** Counts a refused stream in the metrics (a failure to count never affects the refusal). */
  private void rejected(CallStreamMetrics.Rejection reason) {
    try {
      rejections.accept(reason);
    } catch (RuntimeException e) {
      log.debug("counting a rejection failed: {}", e.toString());
    }
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
