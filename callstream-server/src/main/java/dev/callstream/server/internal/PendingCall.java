package dev.callstream.server.internal;

import dev.callstream.core.CallInfo;
import java.util.concurrent.atomic.AtomicBoolean;

/** An admitted upgrade on its way from the handshake to the endpoint's {@code onOpen}. */
final class PendingCall {
  final String key;
  final CallInfo info;
  final boolean verifyAtStart;
  final String logId;
  final long createdNanos = System.nanoTime();
  private final AtomicBoolean claimed = new AtomicBoolean();
  volatile CallConnection call;

  PendingCall(String key, CallInfo info, boolean verifyAtStart, String logId) {
    this.key = key;
    this.info = info;
    this.verifyAtStart = verifyAtStart;
    this.logId = logId;
  }

  /**
   * Takes the admission (and its call slot) for the one party that will open or release it: the
   * session's {@code onOpen}, or the sweep that gives up on an upgrade that never opened. True for
   * the first caller only.
   */
  boolean claim() {
    return claimed.compareAndSet(false, true);
  }
}
