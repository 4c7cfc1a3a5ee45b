package dev.callstream.server.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatch threads: a fixed maximum of workers draining one queue of ready lanes.
 *
 * <p>Why not a {@code ThreadPoolExecutor}: its queue wakes a parked worker on every task, so at real-time
 * rates (each 20 ms frame arrives alone) every frame cost a futex wake and a context switch. Here a
 * submitter wakes a worker only when no worker is <em>searching</em> (awake and not running a task, or
 * woken and not yet running), and a selector defers even that to the end of its batch
 * ({@link #executeDeferred}): one wake-up then drains every lane that became ready meanwhile.
 *
 * <p>Blocking listeners: a worker that takes a task while more are queued and no other worker is
 * searching wakes one more worker (or starts one, up to the maximum) before it runs the task, so a task
 * that blocks never strands the tasks queued behind it: they are taken at once by the woken worker, not
 * at the next selector batch or sweep. Up to {@code threads - 1} blocked listeners leave the other calls
 * running. This is the one extra wake-up per batch that this pool pays over a single drainer
 * (BENCHMARKS.md, "Dispatch pool"). A lane that re-queues itself after its batch ({@link #requeue})
 * wakes nobody: its worker searches again as soon as it returns.
 *
 * <p>The queue is unbounded by type but bounded by its users: each lane has at most one task queued or
 * running. Idle workers exit after {@code keepAliveNanos} and are started again on demand.
 * {@link #rescue} (called by the idle sweep) is a safety net only.
 */
final class DispatchPool implements Executor {
  private static final Logger log = LoggerFactory.getLogger(DispatchPool.class);

  private static final int RUNNING = 0;
  private static final int PARKED = 1;
  private static final int SIGNALLED = 2;
  private static final int EXITED = 3;
  /** Deferred tasks after which a selector wakes a worker without waiting for the end of its batch. */
  static final int DEFER_LIMIT = 32;

  private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedDeque<Worker> idle = new ConcurrentLinkedDeque<>();
  private final Set<Worker> workers = ConcurrentHashMap.newKeySet();
  /** Workers awake and not inside a task (including woken ones not yet running). */
  private final AtomicInteger searching = new AtomicInteger();
  private final AtomicInteger live = new AtomicInteger();
  private final AtomicInteger deferred = new AtomicInteger();
  /** {@code System.nanoTime()} (made non-zero) of the oldest deferred task not yet flushed; 0 when none. */
  private final AtomicLong deferredSince = new AtomicLong();
  private final AtomicInteger names = new AtomicInteger();
  private final int maxThreads;
  private final long keepAliveNanos;
  private final String prefix;
  private volatile boolean shutdown;

  DispatchPool(int maxThreads, long keepAliveNanos, String prefix) {
    if (maxThreads < 1) {
      throw new IllegalArgumentException("maxThreads < 1: " + maxThreads);
    }
    this.maxThreads = maxThreads;
    this.keepAliveNanos = keepAliveNanos;
    this.prefix = prefix;
  }

  @Override
  public void execute(Runnable task) {
    if (shutdown) {
      throw new RejectedExecutionException("dispatch pool shut down");
    }
    queue.offer(task);
    if (searching.get() == 0) {
      signal();
    }
  }

  /**
   * Queues a task that the running task submits as its last act (a lane with items left after its
   * batch). On a worker of this pool nobody is woken: that worker searches again as soon as it
   * returns. On any other thread (a lane run inline by {@code Dispatch.IO_THREAD}) it is
   * {@link #execute}.
   */
  void requeue(Runnable task) {
    if (Thread.currentThread() instanceof WorkerThread thread && thread.pool == this) {
      if (shutdown) {
        throw new RejectedExecutionException("dispatch pool shut down");
      }
      queue.offer(task);
    } else {
      execute(task);
    }
  }

  /**
   * Queues a task from a selector thread without waking a worker yet: the selector calls
   * {@link #flushDeferred} once the oldest deferred task has waited its linger (see
   * {@link #deferredWaitLeft}), or every {@link #DEFER_LIMIT} tasks, so one wake-up serves a batch
   * instead of one per message. At real-time pace messages arrive one per read; without the linger
   * every message cost a futex wake and a context switch, more than the rest of its handling.
   */
  void executeDeferred(Runnable task) {
    if (shutdown) {
      throw new RejectedExecutionException("dispatch pool shut down");
    }
    queue.offer(task);
    if (deferred.incrementAndGet() >= DEFER_LIMIT) {
      flushDeferred();
    } else if (deferredSince.get() == 0) {
      deferredSince.compareAndSet(0, System.nanoTime() | 1);
    }
  }

  /**
   * How long the oldest deferred task may still wait for its wake-up, given that none may wait longer
   * than {@code lingerNanos}: negative when nothing is deferred, 0 when the wake-up is due.
   */
  long deferredWaitLeft(long lingerNanos) {
    long since = deferredSince.get();
    if (since == 0) {
      return -1;
    }
    return Math.max(0, lingerNanos - (System.nanoTime() - since));
  }

  /** Wakes a worker for tasks queued by {@link #executeDeferred}, unless one is already searching. */
  void flushDeferred() {
    if (deferred.get() != 0) {
      deferred.set(0);
    }
    if (deferredSince.get() != 0) {
      deferredSince.set(0);
    }
    rescue();
  }

  /**
   * Wakes a worker when tasks are queued and no worker is searching: after deferred submissions, and
   * from the idle sweep as a safety net (workers hand off by themselves when they take a task).
   */
  void rescue() {
    if (searching.get() == 0 && !queue.isEmpty()) {
      signal();
    }
  }

  /** Wakes a parked worker, or starts one if fewer than the maximum are alive. */
  private void signal() {
    for (Worker w = idle.pollFirst(); w != null; w = idle.pollFirst()) {
      if (w.state.compareAndSet(PARKED, SIGNALLED)) {
        searching.incrementAndGet();
        LockSupport.unpark(w.thread);
        return;
      }
    }
    for (int n = live.get(); n < maxThreads; n = live.get()) {
      if (live.compareAndSet(n, n + 1)) {
        searching.incrementAndGet();
        Worker w = new Worker();
        Thread thread = new WorkerThread(this, () -> work(w), prefix + names.incrementAndGet());
        thread.setDaemon(true);
        // Started on demand from whatever thread submits (in a servlet container, a request thread):
        // not inheriting its context class loader keeps a web application's loader from being pinned.
        thread.setContextClassLoader(DispatchPool.class.getClassLoader());
        w.thread = thread;
        workers.add(w);
        thread.start();
        return;
      }
    }
    // every worker is inside a task: the first to finish takes the queued one
  }

  private void work(Worker self) {
    try {
      while (true) {
        Runnable task = queue.poll();
        if (task != null) {
          // The last searcher hands off before running a task that may block: whatever is still
          // queued gets a worker now rather than when this task returns.
          if (searching.decrementAndGet() == 0 && !queue.isEmpty()) {
            signal();
          }
          try {
            task.run();
          } catch (RuntimeException | Error e) {
            log.error("dispatch task failed", e);
          }
          searching.incrementAndGet();
          continue;
        }
        if (!parkUntilSignalled(self)) {
          return;
        }
      }
    } finally {
      workers.remove(self);
      synchronized (workers) {
        workers.notifyAll();
      }
    }
  }

  /** Returns false when the worker should exit (idle too long, or shut down with nothing queued). */
  private boolean parkUntilSignalled(Worker self) {
    self.state.set(PARKED);
    idle.addFirst(self);
    searching.decrementAndGet();
    // A submitter that saw us searching did not wake anyone: look once more before sleeping.
    if (!queue.isEmpty() || shutdown) {
      if (self.state.compareAndSet(PARKED, RUNNING)) {
        idle.remove(self);
        searching.incrementAndGet();
        if (shutdown && queue.isEmpty()) {
          return exit(self);
        }
        return true;
      }
    }
    long deadline = System.nanoTime() + keepAliveNanos;
    while (self.state.get() == PARKED) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || shutdown) {
        if (self.state.compareAndSet(PARKED, EXITED)) {
          idle.remove(self);
          live.decrementAndGet();
          if (!queue.isEmpty() && !shutdown) {
            signal(); // raced with a submitter that counted on us
          }
          return false;
        }
        break;
      }
      LockSupport.parkNanos(this, left);
    }
    self.state.set(RUNNING); // signalled: the signaller counted us as searching
    return true;
  }

  private boolean exit(Worker self) {
    self.state.set(EXITED);
    searching.decrementAndGet();
    live.decrementAndGet();
    return false;
  }

  /** Runs what is queued, accepts nothing new; workers exit once the queue is empty. */
  void shutdown() {
    shutdown = true;
    for (Worker w : workers) {
      LockSupport.unpark(w.thread);
    }
  }

  /** Drops what is queued and interrupts the workers. */
  void shutdownNow() {
    shutdown = true;
    queue.clear();
    for (Worker w : workers) {
      w.thread.interrupt();
      LockSupport.unpark(w.thread);
    }
  }

  boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    synchronized (workers) {
      while (!workers.isEmpty()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(workers, left);
      }
    }
    return true;
  }

  private static final class WorkerThread extends Thread {
    final DispatchPool pool;

    WorkerThread(DispatchPool pool, Runnable body, String name) {
      super(body, name);
      this.pool = pool;
    }
  }

  private static final class Worker {
    final AtomicInteger state = new AtomicInteger(RUNNING);
    volatile Thread thread;
  }
}
