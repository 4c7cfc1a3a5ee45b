package dev.callstream.testkit;

import java.util.List;

/**
 * What one side of a played call actually sent, so a test can work out what the receiver should
 * have recorded. Sequence ids are the ones on the wire (see the sequence mode).
 *
 * @param framesPlanned frames of this side in the script (the call's length in frames)
 * @param framesSent distinct frames sent at least once (planned minus dropped, minus those after an
 *     abort)
 * @param mediaSent Media messages sent for this side, duplicates included
 * @param dropped sequence ids never sent because of {@link Fault#DROP}, in order
 * @param duplicated sequence ids sent twice, in order
 * @param reordered sequence ids sent one place late, after their successor, in order
 */
public record ChannelReport(
    long framesPlanned,
    long framesSent,
    long mediaSent,
    List<Long> dropped,
    List<Long> duplicated,
    List<Long> reordered) {

  public ChannelReport {
    dropped = List.copyOf(dropped);
    duplicated = List.copyOf(duplicated);
    reordered = List.copyOf(reordered);
  }
}
