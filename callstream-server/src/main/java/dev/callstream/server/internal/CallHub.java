package dev.callstream.server.internal;

import dev.callstream.core.CallInfo;
import dev.callstream.core.internal.LogSafe;
import dev.callstream.core.metrics.CallStreamMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the calls of one server share, whatever carries their bytes: the settings, the call slots and
 * open calls, the dispatch pool, the timer (idle sweep), admissions on their way from the handshake
 * to the session, refused-handshake counting, and the drain and shutdown of the calls. The
 * standalone server ({@link ServerRuntime}: Grizzly and Tyrus) and the portable endpoint
 * ({@link PortableEndpoint}: any Jakarta WebSocket container) each own one; this class loads no
 * Tyrus or Grizzly class.
 */
public final class CallHub {
  private static final Logger log = LoggerFactory.getLogger(CallHub.class);
  private static final Duration MAX_DRAIN = Duration.ofDays(365);

  /** How the transport under the calls behaves. */
  enum Transport {
    /**
     * Our own selector threads read the connections: a call's reading can be paused when its lane is
     * full (back-pressure), and dispatch wake-ups are batched per selector pass.
     */
    SELECTOR,
    /**
     * A servlet container reads the connections: nothing can pause them, so a lane that reaches its
     * capacity ends its call (see {@link CallConnection}); every dispatch wakes a worker at once.
     */
    CONTAINER
  }

  private final ServerSettings settings;
  private final Transport transport;
  private final CallRegistry registry;
  private final DispatchPool dispatchPool;
  private final ScheduledThreadPoolExecutor scheduler;
  private final Map<String, PendingCall> pending = new ConcurrentHashMap<>();
  private final AtomicLong admissions = new AtomicLong();
  private final Consumer<CallStreamMetrics.Rejection> rejections;
  private final Runnable overflows;
  private final Runnable stopTransport;
  private final Object closeLock = new Object();
  private boolean closed;
  /** Set once {@link #shutdown()} has begun, before it looks for the open calls to end. */
  private volatile boolean shuttingDown;
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();
  /** When the drain gives up waiting ({@link System#nanoTime()} scale); guarded by closeLock for writes. */
  private volatile long drainDeadlineNanos;
  private Thread drainThread;

  /**
   * @param rejections told of every refused handshake (any thread; must not block)
   * @param overflows told of every call ended because its lane was full ({@link Transport#CONTAINER})
   * @param stopTransport stops the network side once the calls have ended (may be a no-op)
   */
  CallHub(ServerSettings settings, Transport transport, Consumer<CallStreamMetrics.Rejection> rejections,
      Runnable overflows, Runnable stopTransport) {
    this.settings = settings;
    this.transport = transport;
    this.rejections = rejections;
    this.overflows = overflows;
    this.stopTransport = stopTransport;
    this.registry = new CallRegistry(settings.admission());
    this.dispatchPool = new DispatchPool(settings.dispatchThreads(), TimeUnit.SECONDS.toNanos(30), "callstream-dispatch-");
    this.scheduler = new ScheduledThreadPoolExecutor(1, threads("callstream-timer-", true));
    this.scheduler.setRemoveOnCancelPolicy(true);
  }

  /** Starts the idle sweep. */
  void startSweeping() {
    long idle = settings.idleTimeout().toNanos();
    long sweep = Math.max(TimeUnit.MILLISECONDS.toNanos(50), Math.min(TimeUnit.SECONDS.toNanos(1), idle / 4));
    scheduler.scheduleWithFixedDelay(() -> sweep(idle), sweep, sweep, TimeUnit.NANOSECONDS);
  }

  private void sweep(long idleNanos) {
    dispatchPool.rescue();
    long now = System.nanoTime();
    for (CallConnection call : registry.openCalls()) {
      // A call whose reading is paused is waiting for its own listener, not for the peer.
      if (!call.reads.paused() && now - call.lastActivityNanos > idleNanos) {
        call.idleTimeout();
      }
    }
    if (transport == Transport.CONTAINER) {
      // An admission whose upgrade never reached the endpoint (the peer left mid-handshake, the
      // container refused the request) holds a slot no session will give back.
      long limit = settings.handshakeTimeout().toNanos();
      for (PendingCall call : pending.values()) {
        if (now - call.createdNanos > limit && call.claim()) {
          forget(call);
          registry.release();
          log.debug("call {}: upgrade admitted but never opened within {}; slot released", call.logId,
              settings.handshakeTimeout());
        }
      }
    }
  }

  ServerSettings settings() {
    return settings;
  }

  Transport transport() {
    return transport;
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

  /** Calls admitted and not yet ended. */
  public int activeCalls() {
    return registry.reserved();
  }

  /** Whether new calls are refused: a drain or shutdown has begun. */
  public boolean draining() {
    return registry.closing();
  }

  /**
   * Whether {@link #shutdown()} has begun: a call opened from then on must end at once (the shutdown
   * may have looked for open calls before it was registered).
   */
  boolean shuttingDown() {
    return shuttingDown;
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

  PendingCall newPending(CallInfo info, boolean verifyAtStart, String logId) {
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

  /** Counts a refused handshake. */
  void rejected(CallStreamMetrics.Rejection reason) {
    try {
      rejections.accept(reason);
    } catch (RuntimeException e) {
      log.debug("counting a rejection failed: {}", e.toString());
    }
  }

  /** Counts a call ended because its listener fell a whole lane behind. */
  void overflowed() {
    try {
      overflows.run();
    } catch (RuntimeException e) {
      log.debug("counting an overflow failed: {}", e.toString());
    }
  }

  /**
   * Starts (or shortens) a drain: new upgrades are refused from now on, open calls may run until
   * they end or {@code timeout} passes, then the rest end with SHUTDOWN as in {@link #shutdown()}.
   * Runs on its own thread; a later call with an earlier deadline brings the end forward, a later
   * deadline is ignored.
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
        drainThread.setContextClassLoader(CallHub.class.getClassLoader());
        drainThread.start();
      } else if (deadline - drainDeadlineNanos < 0) {
        drainDeadlineNanos = deadline;
        registry.wakeIdleWaiters();
      }
    }
    return terminated;
  }

  /**
   * Blocks until the drain (or shutdown through a drain) that {@link #drain} started has stopped
   * everything; interruptible. A failed stop counts as stopped (it was logged).
   */
  public void awaitTermination() throws InterruptedException {
    try {
      terminated.get();
    } catch (java.util.concurrent.ExecutionException e) {
      // runDrain logged it; the calls are as stopped as they will get.
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

  /**
   * Stops accepting, ends open calls with SHUTDOWN (their sockets closed with 1001), waits up to the
   * shutdown timeout for their terminal callbacks, then stops the transport and the pools. Idempotent.
   */
  public void shutdown() {
    synchronized (closeLock) {
      if (closed) {
        return;
      }
      closed = true;
      shuttingDown = true;
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

  /** Stops the transport, then the dispatch pool and the timer. */
  void stopEverything() {
    try {
      stopTransport.run();
    } catch (RuntimeException e) {
      log.debug("stopping the transport: {}", e.toString());
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

  private static ThreadFactory threads(String prefix, boolean daemon) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
      thread.setDaemon(daemon);
      thread.setContextClassLoader(CallHub.class.getClassLoader());
      return thread;
    };
  }
}
