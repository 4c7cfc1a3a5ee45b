package dev.callstream.server.internal;

import dev.callstream.core.internal.LogSafe;
import dev.callstream.core.metrics.CallStreamMetrics;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.nio.DefaultSelectorHandler;
import org.glassfish.grizzly.nio.SelectorRunner;
import org.glassfish.grizzly.nio.transport.TCPNIOTransport;
import org.glassfish.grizzly.nio.transport.TCPNIOTransportBuilder;
import org.glassfish.grizzly.ssl.SSLEngineConfigurator;
import org.glassfish.grizzly.strategies.SameThreadIOStrategy;
import org.glassfish.grizzly.threadpool.ThreadPoolConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running server: Grizzly's HTTP server with our {@link UpgradeFilter} in its chain, Tyrus's
 * engine behind it, one selector-thread I/O strategy (messages are decoded on the read thread, which
 * is cheap, and handed to the calls' lanes), the shared dispatch pool and a timer for handshake and
 * idle timeouts.
 */
public final class ServerRuntime {
  private static final Logger log = LoggerFactory.getLogger(ServerRuntime.class);
  private static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
  private static final Duration MAX_DRAIN = Duration.ofDays(365);
  /** The most one read of a connection takes off its socket. */
  static final int READ_BUFFER_BYTES = 64 * 1024;
  /**
   * How long a message read for a pool-dispatched call may wait before a dispatch thread is woken for
   * it. At real-time pace each read holds one message; waking a thread per message cost a context
   * switch per message. One millisecond batches about 20 wake-ups into one at 200 calls and is small
   * next to the 20 ms a frame of audio lasts.
   */
  static final long DISPATCH_LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  private final ServerSettings settings;
  private final CallRegistry registry;
  private final DispatchPool dispatchPool;
  private final ScheduledThreadPoolExecutor scheduler;
  private final Map<String, PendingCall> pending = new ConcurrentHashMap<>();
  private final AtomicLong admissions = new AtomicLong();
  private final TyrusContainer container;
  private final HttpServer http;
  private final NetworkListener listener;
  private final Object closeLock = new Object();
  private boolean closed;
  private final Consumer<CallStreamMetrics.Rejection> rejections;
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();
  /** When the drain gives up waiting ({@link System#nanoTime()} scale); guarded by closeLock for writes. */
  private volatile long drainDeadlineNanos;
  private Thread drainThread;

  private ServerRuntime(ServerSettings settings, Consumer<CallStreamMetrics.Rejection> rejections) {
    this.settings = settings;
    this.rejections = rejections;
    this.registry = new CallRegistry(settings.admission());
    this.dispatchPool = new DispatchPool(settings.dispatchThreads(), TimeUnit.SECONDS.toNanos(30), "callstream-dispatch-");
    this.scheduler = new ScheduledThreadPoolExecutor(1, threads("callstream-timer-", true));
    this.scheduler.setRemoveOnCancelPolicy(true);
    // Tyrus's buffer holds at most one partial frame (<= maxMessageBytes + header) plus one fed slice.
    this.container = new TyrusContainer(settings.maxMessageBytes() + FrameReader.TYRUS_SLICE + 1024);
    // Idle timeouts are ours (one sweep); a Tyrus session timeout would schedule a task per message.
    this.container.setDefaultMaxSessionIdleTimeout(-1);
    this.http = new HttpServer();
    this.listener = new NetworkListener("callstream", settings.host(), settings.port());
  }

  /** Binds and starts serving. */
  public static ServerRuntime start(ServerSettings settings) throws IOException {
    return start(settings, reason -> {});
  }

  /**
   * Binds and starts serving.
   *
   * @param rejections told of every refused handshake (any thread; must not block)
   */
  public static ServerRuntime start(ServerSettings settings, Consumer<CallStreamMetrics.Rejection> rejections)
      throws IOException {
    ServerRuntime runtime = new ServerRuntime(settings, rejections);
    try {
      runtime.startServing();
      return runtime;
    } catch (IOException | RuntimeException e) {
      runtime.stopEverything();
      throw e;
    }
  }

  private void startServing() throws IOException {
    CallEndpoint endpoint = new CallEndpoint(this);
    ServerEndpointConfig config = ServerEndpointConfig.Builder.create(CallEndpoint.class, "/")
        .configurator(new ServerEndpointConfig.Configurator() {
          @Override
          public <T> T getEndpointInstance(Class<T> endpointClass) {
            return endpointClass.cast(endpoint);
          }
        })
        .build();
    try {
      container.register(config);
    } catch (DeploymentException e) {
      throw new IllegalStateException("cannot deploy the call endpoint", e);
    }
    int io = settings.ioThreads();
    TCPNIOTransport transport = TCPNIOTransportBuilder.newInstance()
        .setIOStrategy(SameThreadIOStrategy.getInstance())
        .setSelectorHandler(new FlushingSelectorHandler(dispatchPool))
        .setSelectorRunnersCount(io)
        .setSelectorThreadPoolConfig(ThreadPoolConfig.defaultConfig()
            .setPoolName("callstream-io").setCorePoolSize(io).setMaxPoolSize(io))
        .setTcpNoDelay(true)
        .setReadBufferSize(READ_BUFFER_BYTES)
        .setReuseAddress(true)
        .build();
    listener.setTransport(transport);
    listener.getKeepAlive().setIdleTimeoutInSeconds(-1);
    SSLContext ssl = settings.sslContext();
    if (ssl != null) {
      List<String> supported = Arrays.asList(ssl.getSupportedSSLParameters().getProtocols());
      List<String> enabled = new ArrayList<>(PROTOCOLS);
      enabled.retainAll(supported);
      listener.setSecure(true);
      listener.setSSLEngineConfig(new SSLEngineConfigurator(ssl, false, false, false)
          .setEnabledProtocols(enabled.toArray(new String[0])));
    }
    listener.registerAddOn(new UpgradeFilter(this, container.getWebSocketEngine(), ssl != null).addOn());
    http.getServerConfiguration().setJmxEnabled(false);
    http.addListener(listener);
    http.start();
    long idle = settings.idleTimeout().toNanos();
    long sweep = Math.max(TimeUnit.MILLISECONDS.toNanos(50), Math.min(TimeUnit.SECONDS.toNanos(1), idle / 4));
    scheduler.scheduleWithFixedDelay(() -> sweepIdle(idle), sweep, sweep, TimeUnit.NANOSECONDS);
    log.info("listening on {}://{}:{}/", ssl != null ? "wss" : "ws", settings.host(), port());
  }

  private void sweepIdle(long idleNanos) {
    dispatchPool.rescue();
    long now = System.nanoTime();
    for (CallConnection call : registry.openCalls()) {
      // A call whose reading is paused is waiting for its own listener, not for the peer.
      if (!call.reads.paused() && now - call.lastActivityNanos > idleNanos) {
        call.idleTimeout();
      }
    }
  }

  /** The bound port. */
  public int port() {
    return listener.getPort();
  }

  /** Calls admitted and not yet ended. */
  public int activeCalls() {
    return registry.reserved();
  }

  /** Whether new calls are refused: a drain or shutdown has begun. */
  public boolean draining() {
    return registry.closing();
  }

  /** Events read and not yet handed to listeners, over all open calls. */
  public int queuedEvents() {
    int total = 0;
    for (CallConnection call : registry.openCalls()) {
      total += call.queued();
    }
    return total;
  }

  /** The most events waiting for any one call's listener. */
  public int maxQueuedEvents() {
    int max = 0;
    for (CallConnection call : registry.openCalls()) {
      max = Math.max(max, call.queued());
    }
    return max;
  }

  /**
   * Starts (or shortens) a drain: new upgrades are refused with 503 from now on, open calls may run
   * until they end or {@code timeout} passes, then the rest end with SHUTDOWN as in
   * {@link #shutdown()}. Runs on its own thread; a later call with an earlier deadline brings the
   * end forward, a later deadline is ignored.
   *
   * @return completed once everything has stopped
   */
  public CompletableFuture<Void> drain(Duration timeout) {
    // Saturate: a deadline a year away is as good as none, and keeps nanoTime arithmetic safe.
    long nanos = timeout.compareTo(MAX_DRAIN) > 0 ? MAX_DRAIN.toNanos() : Math.max(0, timeout.toNanos());
    long deadline = System.nanoTime() + nanos;
    synchronized (closeLock) {
      if (drainThread == null) {
        drainDeadlineNanos = deadline;
        registry.startClosing();
        drainThread = new Thread(this::runDrain, "callstream-drain");
        drainThread.start();
      } else if (deadline - drainDeadlineNanos < 0) {
        drainDeadlineNanos = deadline;
        registry.wakeIdleWaiters();
      }
    }
    return terminated;
  }

  /**
   * Blocks until the drain (or shutdown) that {@link #drain} started has stopped everything;
   * interruptible. A failed stop counts as stopped (it was logged).
   */
  public void awaitTermination() throws InterruptedException {
    try {
      terminated.get();
    } catch (java.util.concurrent.ExecutionException e) {
      // runDrain logged it; the server is as stopped as it will get.
    }
  }

  private void runDrain() {
    try {
      int open = registry.reserved();
      long left = drainDeadlineNanos - System.nanoTime();
      if (open > 0 && left > 0) {
        log.info("draining: {} open calls may run on for up to {} ms", open, TimeUnit.NANOSECONDS.toMillis(left));
        try {
          if (registry.awaitIdleUntil(() -> drainDeadlineNanos)) {
            log.info("drained: every call ended on its own");
          }
        } catch (InterruptedException e) {
          log.debug("drain interrupted; shutting down");
        }
      }
      shutdown();
    } catch (RuntimeException | Error e) {
      log.error("drain failed", e);
      terminated.completeExceptionally(e);
    } finally {
      terminated.complete(null);
    }
  }

  /** Counts a refused handshake. */
  void rejected(CallStreamMetrics.Rejection reason) {
    try {
      rejections.accept(reason);
    } catch (RuntimeException e) {
      log.debug("counting a rejection failed: {}", e.toString());
    }
  }

  /**
   * Stops accepting, ends open calls with SHUTDOWN (their sockets closed with 1001), waits up to the
   * shutdown timeout for their terminal callbacks, then stops Grizzly and the pools. Idempotent.
   */
  public void shutdown() {
    synchronized (closeLock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    registry.startClosing();
    List<CallConnection> open = registry.openCalls();
    if (!open.isEmpty()) {
      log.info("shutting down: ending {} open calls", open.size());
    }
    for (CallConnection call : open) {
      call.shutdown();
    }
    boolean interrupted = false;
    try {
      if (!registry.awaitIdle(settings.shutdownTimeout().toNanos())) {
        log.warn("shutdown: {} calls did not finish within {}", registry.reserved(), settings.shutdownTimeout());
      }
    } catch (InterruptedException e) {
      interrupted = true;
    }
    stopEverything();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void stopEverything() {
    try {
      http.shutdownNow();
    } catch (RuntimeException e) {
      log.debug("Grizzly shutdown: {}", e.toString());
    }
    try {
      container.stop();
    } catch (RuntimeException e) {
      log.debug("Tyrus shutdown: {}", e.toString());
    }
    dispatchPool.shutdown();
    scheduler.shutdownNow();
    try {
      if (!dispatchPool.awaitTermination(2, TimeUnit.SECONDS)) {
        dispatchPool.shutdownNow();
      }
    } catch (InterruptedException e) {
      dispatchPool.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  // ---------------------------------------------------------------- for the filter, endpoint and calls

  ServerSettings settings() {
    return settings;
  }

  CallRegistry registry() {
    return registry;
  }

  DispatchPool dispatchPool() {
    return dispatchPool;
  }

  ScheduledExecutorService scheduler() {
    return scheduler;
  }

  PendingCall newPending(dev.callstream.core.CallInfo info, boolean verifyAtStart, String logId) {
    PendingCall call = new PendingCall(Long.toString(admissions.incrementAndGet()), info, verifyAtStart, logId);
    pending.put(call.key, call);
    return call;
  }

  PendingCall pending(String key) {
    return pending.get(key);
  }

  void forget(PendingCall call) {
    pending.remove(call.key);
  }

  /** A call id fit for a log line ({@link LogSafe#id}); a missing one is named by its admission number. */
  String logId(String callId) {
    if (callId == null || callId.isEmpty()) {
      return "#" + (admissions.get() + 1);
    }
    return LogSafe.id(callId);
  }

  /**
   * Wakes the dispatch threads for the messages a selector deferred, at most {@link #DISPATCH_LINGER_NANOS}
   * after the oldest of them: the selector's wait is cut short to that moment instead of blocking
   * until the next read.
   */
  private static final class FlushingSelectorHandler extends DefaultSelectorHandler {
    private final DispatchPool pool;

    FlushingSelectorHandler(DispatchPool pool) {
      this.pool = pool;
    }

    @Override
    public boolean preSelect(SelectorRunner runner) throws IOException {
      boolean result = super.preSelect(runner);
      flushIfDue();
      return result;
    }

    @Override
    public Set<SelectionKey> select(SelectorRunner runner) throws IOException {
      Selector selector = runner.getSelector();
      if (!runner.getPostponedTasks().isEmpty()) {
        selector.selectNow();
      } else {
        long left = pool.deferredWaitLeft(DISPATCH_LINGER_NANOS);
        if (left < 0) {
          selector.select(selectTimeout);
        } else if (left == 0) {
          pool.flushDeferred();
          selector.select(selectTimeout);
        } else {
          selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
      }
      return selector.selectedKeys();
    }

    @Override
    public void postSelect(SelectorRunner runner) throws IOException {
      flushIfDue();
      super.postSelect(runner);
    }

    private void flushIfDue() {
      if (pool.deferredWaitLeft(DISPATCH_LINGER_NANOS) == 0) {
        pool.flushDeferred();
      }
    }
  }

  private static ThreadFactory threads(String prefix, boolean daemon) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
      thread.setDaemon(daemon);
      return thread;
    };
  }
}
