package dev.callstream.core;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A limit on concurrent calls that several servers can share, so that one process admits at most
 * {@link #maxCalls()} calls across all its transports (for example a WebSocket and a gRPC server
 * recording into the same folder). Each server takes a slot when it admits a call and gives it back
 * after the call's terminal callback.
 *
 * <p>Thread-safe and lock-free: {@link #tryAcquire()} is one compare-and-set, so the decision to
 * refuse a call cannot race with another transport admitting one.
 */
public final class CallAdmission {
  private final int maxCalls;
  private final AtomicInteger active = new AtomicInteger();

  private CallAdmission(int maxCalls) {
    this.maxCalls = maxCalls;
  }

  /**
   * A limit of {@code maxCalls} concurrent calls.
   *
   * @throws IllegalArgumentException when {@code maxCalls < 1}
   */
  public static CallAdmission limit(int maxCalls) {
    if (maxCalls < 1) {
      throw new IllegalArgumentException("maxCalls < 1: " + maxCalls);
    }
    return new CallAdmission(maxCalls);
  }

  /** Takes a slot; false when all {@link #maxCalls()} are taken. */
  public boolean tryAcquire() {
    while (true) {
      int current = active.get();
      if (current >= maxCalls) {
        return false;
      }
      if (active.compareAndSet(current, current + 1)) {
        return true;
      }
    }
  }

  /**
   * Gives back a slot taken by {@link #tryAcquire()}; call exactly once per successful acquire.
   *
   * @throws IllegalStateException when no slot is taken (a release without an acquire)
   */
  public void release() {
    if (active.getAndUpdate(n -> n > 0 ? n - 1 : n) <= 0) {
      throw new IllegalStateException("release() without a matching tryAcquire()");
    }
  }

  /** Slots taken now. */
  public int active() {
    return active.get();
  }

  /** The limit. */
  public int maxCalls() {
    return maxCalls;
  }

  @Override
  public String toString() {
    return "CallAdmission[" + active.get() + "/" + maxCalls + "]";
  }
}
