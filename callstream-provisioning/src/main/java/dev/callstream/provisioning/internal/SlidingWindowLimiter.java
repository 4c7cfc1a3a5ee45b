package dev.callstream.provisioning.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;

/**
 * At most {@code permits} acquisitions in any {@code window}, measured on an injected clock.
 * Thread-safe. Holds at most {@code permits} timestamps.
 */
public final class SlidingWindowLimiter {
  private final int permits;
  private final Duration window;
  private final Clock clock;
  private final ArrayDeque<Instant> granted = new ArrayDeque<>();

  public SlidingWindowLimiter(int permits, Duration window, Clock clock) {
    if (permits < 1) {
      throw new IllegalArgumentException("permits < 1: " + permits);
    }
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("window <= 0: " + window);
    }
    this.permits = permits;
    this.window = window;
    this.clock = clock;
  }

  /**
   * Takes a permit if one is free and returns {@link Duration#ZERO}; otherwise takes nothing and
   * returns how long until the oldest permit leaves the window.
   */
  public synchronized Duration tryAcquire() {
    Instant now = clock.instant();
    while (!granted.isEmpty() && !granted.peekFirst().plus(window).isAfter(now)) {
      granted.removeFirst();
    }
    if (granted.size() < permits) {
      granted.addLast(now);
      return Duration.ZERO;
    }
    return Duration.between(now, granted.peekFirst().plus(window));
  }

  public int permits() {
    return permits;
  }

  public Duration window() {
    return window;
  }
}
