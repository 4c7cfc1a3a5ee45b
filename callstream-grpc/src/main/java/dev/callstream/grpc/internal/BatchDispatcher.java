package dev.callstream.grpc.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the calls' lanes: one batching thread takes every lane that became ready, in batches a
 * linger apart, and a pool of spare threads takes over whatever that thread cannot serve in time.
 *
 * <p>Why: at real-time pace each 100 ms chunk arrives alone, so handing every message to a parked
 * pool thread cost a futex wake-up and two context switches per message: more CPU than the rest of
 * its handling (BENCHMARKS.md, gRPC). Here a transport thread only queues the lane; the batching
 * thread wakes at most once per {@code linger} while traffic flows (a timed park, nobody signals it)
 * and runs every queued lane in one go. Only the first message after a quiet spell wakes it.
 *
 * <p>Blocking listeners: a lane that runs longer than {@code stuckNanos} (a listener blocked on
 * disk or network), or a batch that has kept the thread busy that long, no longer holds up the
 * others: lanes queued meanwhile, and every new one while it lasts, go to the spare pool, which
 * hands each lane to its own thread. A transport thread checks this on every submission and the
 * idle sweep ({@link #rescue}) when nothing arrives.
 *
 * <p>Lanes are {@link SerialLane}s: each is queued in at most one place at a time and runs its own
 * tasks in order, so neither the batching thread nor the pool needs to know about calls.
 */
final class BatchDispatcher implements java.util.concurrent.Executor {
  private static final Logger log = LoggerFactory.getLogger(BatchDispatcher.class);

  private static final int RUNNING = 0;
  /** In a timed park for the linger: wakes by itself, nobody needs to signal it. */
  private static final int LINGERING = 1;
  /** Parked until signalled: nothing was queued for a whole linger. */
  private static final int PARKED = 2;

  private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger state = new AtomicInteger(RUNNING);
  private final ExecutorService spare;
  private final long lingerNanos;
  private final long stuckNanos;
  private final LongSupplier clock;
  private final Thread thread;
  /** When the batching thread began its current run of work (a batch); 0 while it waits. */
  private volatile long busySince;
  private volatile boolean stopped;

  /**
   * @param spare the pool for lanes the batching thread cannot serve in time (its size bounds how
   *     many blocked listeners the other calls can live with)
   * @param linger the longest a queued lane waits for the batching thread while traffic flows
   * @param stuck how long a lane or batch may keep the batching thread before new lanes go to
   *     {@code spare}
   */
  BatchDispatcher(ExecutorService spare, long lingerNanos, long stuckNanos, String threadName) {
    this(spare, lingerNanos, stuckNanos, threadName, System::nanoTime);
  }

  BatchDispatcher(ExecutorService spare, long lingerNanos, long stuckNanos, String threadName,
      LongSupplier clock) {
    this.spare = spare;
    this.lingerNanos = lingerNanos;
    this.stuckNanos = stuckNanos;
    this.clock = clock;
    this.thread = new Thread(this::work, threadName);
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues a lane; it runs on the batching thread within the linger, or on the spare pool. */
  @Override
  public void execute(Runnable lane) {
    if (stopped) {
      throw new RejectedExecutionException("dispatcher stopped");
    }
    if (stuck()) {
      spill();
      spare.execute(lane);
      return;
    }
    queue.offer(lane);
    if (state.get() == PARKED && state.compareAndSet(PARKED, RUNNING)) {
      LockSupport.unpark(thread);
    }
  }

  /**
   * From the idle sweep: when the batching thread is stuck, the lanes waiting for it go to the
   * spare pool (a submission does the same, but none may come).
   */
  void rescue() {
    if (stuck()) {
      spill();
    }
  }

  /** True while the batching thread has been busy for longer than the stuck limit. */
  boolean stuck() {
    long since = busySince;
    return since != 0 && clock.getAsLong() - since > stuckNanos;
  }

  private void spill() {
    for (Runnable lane = queue.poll(); lane != null; lane = queue.poll()) {
      try {
        spare.execute(lane);
      } catch (RejectedExecutionException e) {
        lane.run(); // the pool is gone (stopping): finish here rather than lose the lane's tasks
      }
    }
  }

  private void work() {
    while (!stopped || !queue.isEmpty()) {
      Runnable lane = queue.poll();
      if (lane != null) {
        if (busySince == 0) {
          busySince = clock.getAsLong() | 1;
        }
        try {
          lane.run();
        } catch (RuntimeException | Error e) {
          log.error("a call lane failed", e);
        }
        if (stuck()) {
          spill(); // this batch took too long: what else waits goes to the spare threads
        }
        continue;
      }
      boolean worked = busySince != 0;
      busySince = 0;
      if (stopped) {
        break;
      }
      if (worked) {
        // traffic is flowing: the next batch comes by the clock, no submitter has to wake us
        state.set(LINGERING);
        LockSupport.parkNanos(this, lingerNanos);
        state.set(RUNNING);
        continue;
      }
      state.set(PARKED);
      // a submitter that saw us lingering woke nobody: look once more before sleeping
      if (!queue.isEmpty() || stopped) {
        state.set(RUNNING);
        continue;
      }
      while (state.get() == PARKED && !stopped) {
        LockSupport.park(this);
      }
      state.set(RUNNING);
    }
  }

  /** Runs what is queued, then the batching thread ends; waits up to {@code timeout} for it. */
  boolean stop(long timeout, TimeUnit unit) throws InterruptedException {
    stopped = true;
    LockSupport.unpark(thread);
    thread.join(Math.max(1, unit.toMillis(timeout)));
    return !thread.isAlive();
  }

  /** Ends the batching thread at once; lanes still queued are dropped. */
  void stopNow() {
    stopped = true;
    queue.clear();
    LockSupport.unpark(thread);
  }
}
