package dev.callstream.testkit.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * The calls one fake (WebSocket or gRPC) is playing, and the clock thread that wakes them: starts a
 * call, plays many concurrently and waits for all, and aborts those still running on close.
 * Thread-safe.
 *
 * @param <R> the result of one call
 */
public final class RunningCalls<R> {

  /** One call being played; its result completes exactly once, never exceptionally. */
  public interface Call<R> {
    CompletableFuture<R> result();

    /** Starts sending; called once, after the call is registered. */
    void begin();

    /** Aborts the call (its result completes with a failure). */
    void shutdown();
  }

  private final ScheduledThreadPoolExecutor clock;
  private final Set<Call<R>> running = ConcurrentHashMap.newKeySet();

  /** A clock of one daemon thread named {@code clockName-1}. */
  public RunningCalls(String clockName) {
    this.clock = new ScheduledThreadPoolExecutor(1, daemonThreads(clockName));
    clock.setRemoveOnCancelPolicy(true);
  }

  /** The thread on which calls schedule their next frame, retry or timeout. */
  public ScheduledThreadPoolExecutor clock() {
    return clock;
  }

  /**
   * Registers and begins the call {@code newCall} makes; the future is the call's result.
   *
   * @throws IllegalStateException after {@link #stopClock()}
   */
  public CompletableFuture<R> start(Supplier<? extends Call<R>> newCall) {
    if (clock.isShutdown()) {
      throw new IllegalStateException("closed");
    }
    Call<R> call = newCall.get();
    running.add(call);
    CompletableFuture<R> result = call.result();
    result.whenComplete((r, e) -> running.remove(call));
    call.begin();
    return result;
  }

  /**
   * Starts {@code calls} calls with {@code start} (call {@code i} from {@code start.apply(i)}), waits
   * for all and hands their results, in order, and the seconds it took to {@code load}.
   */
  public static <R, L> L run(int calls, IntFunction<CompletableFuture<R>> start,
      BiFunction<List<R>, Double, L> load) {
    if (calls < 0) {
      throw new IllegalArgumentException("calls < 0: " + calls);
    }
    long started = System.nanoTime();
    List<CompletableFuture<R>> futures = new ArrayList<>(calls);
    for (int i = 0; i < calls; i++) {
      futures.add(start.apply(i));
    }
    List<R> results = new ArrayList<>(calls);
    for (CompletableFuture<R> future : futures) {
      results.add(future.join());
    }
    return load.apply(results, (System.nanoTime() - started) / 1e9);
  }

  /** Aborts the calls still running. */
  public void abortAll() {
    for (Call<R> call : List.copyOf(running)) {
      call.shutdown();
    }
  }

  /** Stops the clock thread; {@link #start} refuses new calls from then on. Idempotent. */
  public void stopClock() {
    clock.shutdownNow();
  }

  /** Daemon threads named {@code name-1}, {@code name-2}... */
  public static ThreadFactory daemonThreads(String name) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
