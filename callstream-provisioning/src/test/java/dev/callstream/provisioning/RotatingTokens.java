package dev.callstream.provisioning;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A token provider that hands out {@code token-1}, then {@code token-2} after an invalidation,
 * {@code token-3} after the next, and so on, and remembers what was invalidated. Thread-safe.
 */
final class RotatingTokens implements TokenProvider {
  private final List<String> invalidated = new CopyOnWriteArrayList<>();
  private volatile String current = "token-1";

  @Override
  public String token() {
    return current;
  }

  @Override
  public synchronized void invalidate(String token) {
    invalidated.add(token);
    current = "token-" + (invalidated.size() + 1);
  }

  /** The tokens invalidated so far, in order. */
  List<String> invalidated() {
    return invalidated;
  }
}
