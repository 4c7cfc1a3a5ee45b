package dev.callstream.server.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call's queue onto the shared dispatch pool: items run one at a time, in order, never two at
 * once, and a drain task handles at most {@link #BATCH} items before it yields the thread so that
 * busy calls take turns. Callers bound the queue (see {@code CallConnection}); adding never blocks.
 */
final class SerialLane implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(SerialLane.class);
  static final int BATCH = 64;

  private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final DispatchPool pool;
  private final Consumer<Object> sink;
  private final String name;

  SerialLane(DispatchPool pool, Consumer<Object> sink, String name) {
    this.pool = pool;
    this.sink = sink;
    this.name = name;
  }

  /** Items queued and not yet handled. */
  int size() {
    return size.get();
  }

  void add(Object item) {
    queue.add(item);
    size.incrementAndGet();
    schedule(false);
  }

  /**
   * Like {@link #add} but from a selector thread reading a batch of connections: the wake-up of a
   * dispatch thread may wait until the selector has read the batch (see {@link DispatchPool#executeDeferred}).
   */
  void addFromSelector(Object item) {
    queue.add(item);
    size.incrementAndGet();
    schedule(true);
  }

  /**
   * Adds and, unless another thread is running the lane right now, runs it on the calling thread
   * ({@code Dispatch.IO_THREAD}); items left over (more than a batch, or added meanwhile by other
   * threads) go to the pool.
   */
  void addAndRunHere(Object item) {
    queue.add(item);
    size.incrementAndGet();
    if (scheduled.compareAndSet(false, true)) {
      run();
    }
  }

  private void schedule(boolean deferWakeUp) {
    schedule(deferWakeUp, false);
  }

  private void schedule(boolean deferWakeUp, boolean requeue) {
    if (scheduled.compareAndSet(false, true)) {
      try {
        if (requeue) {
          pool.requeue(this);
        } else if (deferWakeUp) {
          pool.executeDeferred(this);
        } else {
          pool.execute(this);
        }
      } catch (RejectedExecutionException e) {
        scheduled.set(false);
        log.error("{}: dispatch pool refused work ({} items left undelivered)", name, size.get());
      }
    }
  }

  @Override
  public void run() {
    try {
      for (int handled = 0; handled < BATCH; handled++) {
        Object item = queue.poll();
        if (item == null) {
          break;
        }
        size.decrementAndGet();
        try {
          sink.accept(item);
        } catch (RuntimeException | Error e) {
          log.error("{}: unexpected failure while dispatching", name, e);
        }
      }
    } finally {
      scheduled.set(false);
      if (!queue.isEmpty()) {
        schedule(false, true);
      }
    }
  }
}
