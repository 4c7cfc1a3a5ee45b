package dev.callstream.core;

/**
 * Counters of one channel's sequencing, as written to {@code call.json}.
 *
 * @param frames frames received from the wire and delivered in order
 * @param gaps frame slots that never arrived and were reported as gaps (filled with silence by recorders)
 * @param duplicates frames dropped because that sequence had already arrived
 * @param late frames dropped because they came after their slot was given up, or had an invalid sequence id
 * @param reordered frames that arrived out of order and were put back in their place
 */
public record ChannelStats(long frames, long gaps, long duplicates, long late, long reordered) {
  public static final ChannelStats ZERO = new ChannelStats(0, 0, 0, 0, 0);
}
