package dev.callstream.core;

import java.util.List;

/**
 * One call as seen by its listener: what the handshake and Start said, and live counters.
 *
 * <p>Safe to read from any thread; values read outside the listener's own callbacks may be a moment
 * out of date.
 */
public interface CallSession {

  /** The upgrade request's call info; never null (empty when the transport has none). */
  CallInfo info();

  /** The Start event, or null before it arrives. */
  Start start();

  /** Start's call id if known, else the handshake's, else {@code "unknown"}. Never null. */
  String callId();

  /** Start's session id if known, else the handshake's, else {@code "unknown"}. Never null. */
  String sessionId();

  /** The audio format announced by Start, mu-law 8 kHz until then. */
  AudioFormat format();

  /** The Stops received so far, in order. */
  List<Stop> stops();

  /** The sequence numbering detected for this call. */
  SequenceMode sequenceMode();

  /** A snapshot of one channel's counters. */
  ChannelStats stats(AudioChannel channel);

  /**
   * Asks the transport to end this call: the connection is closed and the listener then gets its
   * terminal {@link CallStreamListener#onEnd} with {@link EndReason#CLOSED}. Idempotent.
   */
  void close();
}
