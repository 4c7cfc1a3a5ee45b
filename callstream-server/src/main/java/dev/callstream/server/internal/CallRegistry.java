package dev.callstream.server.internal;

import dev.callstream.core.CallAdmission;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Call slots and open calls. A slot is reserved atomically at the handshake (so the 503 decision
 * cannot race), from a {@link CallAdmission} that other servers of the process may share, and
 * released exactly once: when the upgrade fails, or after the call's terminal callback.
 */
final class CallRegistry {
  private final CallAdmission admission;
  /** This server's own slots, to wait for its calls at shutdown. */
  private final AtomicInteger reserved = new AtomicInteger();
  private final Set<CallConnection> open = ConcurrentHashMap.newKeySet();
  private final Object idle = new Object();
  private volatile boolean closing;

  CallRegistry(CallAdmission admission) {
    this.admission = admission;
  }

  /** Reserves a slot; false when all are taken or the server is closing. */
  boolean tryReserve() {
    if (closing || !admission.tryAcquire()) {
      return false;
    }
    reserved.incrementAndGet();
    return true;
  }

  void release() {
    admission.release();
    if (reserved.decrementAndGet() == 0) {
      synchronized (idle) {
        idle.notifyAll();
      }
    }
  }

  int reserved() {
    return reserved.get();
  }

  void opened(CallConnection call) {
    open.add(call);
  }

  void closed(CallConnection call) {
    open.remove(call);
  }

  List<CallConnection> openCalls() {
    return List.copyOf(open);
  }

  /** Refuses new calls from now on. */
  void startClosing() {
    closing = true;
  }

  boolean closing() {
    return closing;
  }

  /**
   * Waits until every slot is released or the deadline ({@link System#nanoTime()} scale, read again
   * after each {@link #wakeIdleWaiters()}) passes; false on timeout.
   */
  boolean awaitIdleUntil(java.util.function.LongSupplier deadlineNanos) throws InterruptedException {
    synchronized (idle) {
      while (reserved.get() > 0) {
        long left = deadlineNanos.getAsLong() - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(idle, left);
      }
    }
    return true;
  }

  /** Makes {@link #awaitIdleUntil} read its deadline again (it was brought forward). */
  void wakeIdleWaiters() {
    synchronized (idle) {
      idle.notifyAll();
    }
  }

  /** Waits until every slot is released; false on timeout. */
  boolean awaitIdle(long timeoutNanos) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    synchronized (idle) {
      while (reserved.get() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(idle, left);
      }
    }
    return true;
  }
}
