package dev.callstream.core;

import java.util.List;
import java.util.Map;

/**
 * One call as seen by its listener: what the transport and the platform said, its segments, and
 * live counters.
 *
 * <p>Safe to read from any thread; values read outside the listener's own callbacks may be a moment
 * out of date.
 */
public interface CallSession {

  /** How the call arrived. */
  Transport transport();

  /** What was known when the call was admitted; never null. */
  CallInfo info();

  /** The call's metadata, or null before {@link CallStreamListener#onStart}. */
  CallMetadata metadata();

  /** The metadata's call id if known, else the admission's, else {@code "unknown"}. Never null. */
  String callId();

  /** The metadata's session id if known, else the admission's, else {@code "unknown"}. Never null. */
  String sessionId();

  /** The segments started so far, in the order they started; never null. */
  List<Segment> segments();

  /** The started segment with this id, or null. */
  Segment segment(String id);

  /** A snapshot of one side's counters, summed over that side's segments. */
  ChannelStats stats(AudioChannel side);

  /** A snapshot of one segment's counters ({@link ChannelStats#ZERO} for a segment of another call). */
  ChannelStats stats(Segment segment);

  /**
   * The transport's own account of the call, as an ordered JSON-like map (String, Number, Boolean,
   * null, List, Map) with secrets removed, for records such as {@code call.json}: WebSocket
   * {@code {"query":{...},"start":{...},"stops":[...],"sequenceMode":"..."}}, gRPC
   * {@code {"account":{...},"dialog":{...}}}. Never null; a snapshot.
   */
  Map<String, Object> wireDetails();

  /**
   * Asks the transport to end this call: the connection or stream is closed and the listener then
   * gets its terminal {@link CallStreamListener#onEnd} with {@link EndReason#CLOSED}. Idempotent.
   */
  void close();
}
