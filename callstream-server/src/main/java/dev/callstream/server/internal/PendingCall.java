package dev.callstream.server.internal;

import dev.callstream.core.CallInfo;

/** An admitted upgrade on its way from the handshake filter to the endpoint's {@code onOpen}. */
final class PendingCall {
  final String key;
  final CallInfo info;
  final boolean verifyAtStart;
  final String logId;
  volatile CallConnection call;

  PendingCall(String key, CallInfo info, boolean verifyAtStart, String logId) {
    this.key = key;
    this.info = info;
    this.verifyAtStart = verifyAtStart;
    this.logId = logId;
  }
}
