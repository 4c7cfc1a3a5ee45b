package dev.callstream.grpc.internal;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one call's tasks one at a time, in submission order, on a shared pool: at most one pool
 * thread works for a call at any moment, so the call's driver needs no locking, and different calls
 * run in parallel. After {@value #BATCH} tasks the lane yields its thread so that a busy call cannot
 * starve the others.
 *
 * <p>The queue is not bounded here: the call bounds it, by requesting messages from gRPC only as
 * this lane drains them (flow control), plus a few control tasks (end, idle, shutdown).
 */
final class SerialLane implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(SerialLane.class);
  static final int BATCH = 64;

  private final Executor pool;
  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
  private boolean scheduled;

  SerialLane(Executor pool) {
    this.pool = pool;
  }

  void submit(Runnable task) {
    synchronized (tasks) {
      tasks.add(task);
      if (scheduled) {
        return;
      }
      scheduled = true;
    }
    schedule();
  }

  /** True while tasks are queued or one is running. */
  boolean busy() {
    synchronized (tasks) {
      return scheduled;
    }
  }

  private void schedule() {
    try {
      pool.execute(this);
    } catch (RejectedExecutionException e) {
      // The pool is gone (the server stopped after its shutdown timeout): finish here rather than
      // leave a call without its terminal callback.
      run();
    }
  }

  @Override
  public void run() {
    for (int i = 0; i < BATCH; i++) {
      Runnable task;
      synchronized (tasks) {
        task = tasks.poll();
        if (task == null) {
          scheduled = false;
          return;
        }
      }
      try {
        task.run();
      } catch (Throwable t) {
        log.error("a call task failed", t);
      }
    }
    schedule();
  }
}
