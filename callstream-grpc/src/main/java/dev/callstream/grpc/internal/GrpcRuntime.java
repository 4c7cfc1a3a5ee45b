package dev.callstream.grpc.internal;

import com.google.protobuf.Empty;
import dev.callstream.core.metrics.CallStreamMetrics;
import dev.callstream.grpc.proto.StreamEvent;
import dev.callstream.grpc.proto.StreamingGrpc;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
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
  private final ScheduledExecutorService sweeper;
  private final Set<GrpcCall> open = ConcurrentHashMap.newKeySet();
  private final Object idle = new Object();
  private final AtomicLong refusedUnauthorized = new AtomicLong();
  private final AtomicLong refusedCapacity = new AtomicLong();
  private final AtomicLong refusedDraining = new AtomicLong();
  private final Consumer<CallStreamMetrics.Rejection> rejections;
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();
  private final Object drainLock = new Object();
  /** When the drain gives up waiting ({@link System#nanoTime()} scale); written under drainLock. */
  private volatile long drainDeadlineNanos;
  private Thread drainThread;
  private volatile boolean closing;
  private Server server;

  private GrpcRuntime(GrpcSettings settings, Consumer<CallStreamMetrics.Rejection> rejections) {
    this.settings = settings;
    this.rejections = rejections;
    this.dispatchPool = Executors.newFixedThreadPool(settings.dispatchThreads(), daemon("callstream-grpc-dispatch-"));
    this.sweeper = Executors.newSingleThreadScheduledExecutor(daemon("callstream-grpc-idle-"));
  }

  /** Binds and starts serving. */
  public static GrpcRuntime start(GrpcSettings settings) throws IOException {
    return start(settings, reason -> {});
  }

  /**
   * Binds and starts serving.
   *
   * @param rejections told of every refused stream (any thread; must not block)
   */
  public static GrpcRuntime start(GrpcSettings settings, Consumer<CallStreamMetrics.Rejection> rejections)
      throws IOException {
    GrpcRuntime runtime = new GrpcRuntime(settings, rejections);
    try {
      runtime.bind();
    } catch (IOException | RuntimeException e) {
      runtime.dispatchPool.shutdownNow();
      runtime.sweeper.shutdownNow();
      throw e;
    }
    return runtime;
  }

  private void bind() throws IOException {
    ServerServiceDefinition service = ServerServiceDefinition.builder(StreamingGrpc.getServiceDescriptor())
        .addMethod(StreamingGrpc.getStreamMethod(), new StreamHandler())
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
  }

  GrpcSettings settings() {
    return settings;
  }

  ExecutorService dispatchPool() {
    return dispatchPool;
  }

  /** The bound port. */
  public int port() {
    return server.getPort();
  }

  /** Calls admitted and not yet finished. */
  public int activeCalls() {
    return open.size();
  }

  /** Streams refused so far: {@code unauthorized} and {@code capacity}. */
  public Map<String, Long> refused() {
    Map<String, Long> map = new LinkedHashMap<>();
    map.put("unauthorized", refusedUnauthorized.get());
    map.put("capacity", refusedCapacity.get());
    map.put("draining", refusedDraining.get());
    return map;
  }

  /** Whether new streams are refused: a drain or shutdown has begun. */
  public boolean draining() {
    return closing;
  }

  /**
   * Starts (or shortens) a drain: new streams get {@code UNAVAILABLE} from now on, open calls may
   * run until they end or {@code timeout} passes, then the rest end with SHUTDOWN as in
   * {@link #shutdown()}. Runs on its own thread; a later call with an earlier deadline brings the
   * end forward, a later deadline is ignored.
   *
   * @return completed once everything has stopped
   */
  public CompletableFuture<Void> drain(Duration timeout) {
    Duration max = Duration.ofDays(365);
    long nanos = timeout.compareTo(max) > 0 ? max.toNanos() : Math.max(0, timeout.toNanos());
    long deadline = System.nanoTime() + nanos;
    synchronized (drainLock) {
      if (drainThread == null) {
        drainDeadlineNanos = deadline;
        closing = true;
        drainThread = new Thread(this::runDrain, "callstream-grpc-drain");
        drainThread.start();
      } else if (deadline - drainDeadlineNanos < 0) {
        drainDeadlineNanos = deadline;
        synchronized (idle) {
          idle.notifyAll();
        }
      }
    }
    return terminated;
  }

  private void runDrain() {
    try {
      if (!open.isEmpty()) {
        log.info("draining: {} open calls may run on for up to {} ms", open.size(),
            TimeUnit.NANOSECONDS.toMillis(Math.max(0, drainDeadlineNanos - System.nanoTime())));
        synchronized (idle) {
          while (!open.isEmpty()) {
            long left = drainDeadlineNanos - System.nanoTime();
            if (left <= 0) {
              break;
            }
            TimeUnit.NANOSECONDS.timedWait(idle, left);
          }
        }
      }
      shutdown();
    } catch (InterruptedException e) {
      shutdown();
    } catch (RuntimeException | Error e) {
      log.error("drain failed", e);
      terminated.completeExceptionally(e);
    } finally {
      terminated.complete(null);
    }
  }

  private void rejected(CallStreamMetrics.Rejection reason) {
    try {
      rejections.accept(reason);
    } catch (RuntimeException e) {
      log.debug("counting a rejection failed: {}", e.toString());
    }
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

  /**
   * Refuses new streams, ends every open call with SHUTDOWN, waits up to the shutdown timeout for
   * their terminal callbacks, then stops the network and the threads.
   */
  public void shutdown() {
    closing = true;
    server.shutdown();
    List<GrpcCall> calls = List.copyOf(open);
    for (GrpcCall call : calls) {
      call.shutdown();
    }
    long deadline = System.nanoTime() + settings.shutdownTimeout().toNanos();
    try {
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
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sweeper.shutdownNow();
    dispatchPool.shutdown();
    try {
      dispatchPool.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits until the network has stopped after {@link #shutdown()}. */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /** The one RPC: admits the stream (authorization already checked) and hands it to a new call. */
  private final class StreamHandler implements ServerCallHandler<StreamEvent, Empty> {
    @Override
    public ServerCall.Listener<StreamEvent> startCall(ServerCall<StreamEvent, Empty> call, Metadata headers) {
      if (closing) {
        refusedDraining.incrementAndGet();
        rejected(CallStreamMetrics.Rejection.DRAINING);
        call.close(Status.UNAVAILABLE.withDescription("server draining"), new Metadata());
        return new ServerCall.Listener<>() {};
      }
      if (!settings.admission().tryAcquire()) {
        refusedCapacity.incrementAndGet();
        rejected(CallStreamMetrics.Rejection.CAPACITY);
        log.info("stream refused: {} calls open, the limit", settings.admission().maxCalls());
        call.close(Status.RESOURCE_EXHAUSTED.withDescription("too many calls"), new Metadata());
        return new ServerCall.Listener<>() {};
      }
      GrpcCall grpcCall = new GrpcCall(call, AuthorizationInterceptor.callInfo(headers),
          CloseStatusTracer.KEY.get(Context.current()), GrpcRuntime.this);
      open.add(grpcCall);
      grpcCall.open();
      return grpcCall;
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
