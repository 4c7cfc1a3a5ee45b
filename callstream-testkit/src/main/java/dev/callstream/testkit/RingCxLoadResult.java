package dev.callstream.testkit;

import java.util.List;

/**
 * The summary of a run of concurrent {@link FakeRingCx} calls.
 *
 * @param calls calls played
 * @param failedCalls calls that did not complete (see {@link RingCxCallResult})
 * @param mediaSent {@code SegmentMedia} events sent in total, duplicates included
 * @param seconds wall time of the run
 * @param results every call's result, in index order
 */
public record RingCxLoadResult(int calls, int failedCalls, long mediaSent, double seconds, List<RingCxCallResult> results) {

  public RingCxLoadResult {
    results = List.copyOf(results);
  }

  /** Builds the summary of {@code results}. */
  public static RingCxLoadResult of(List<RingCxCallResult> results, double seconds) {
    int failed = 0;
    long media = 0;
    for (RingCxCallResult result : results) {
      failed += result.failed() ? 1 : 0;
      media += result.mediaSent();
    }
    return new RingCxLoadResult(results.size(), failed, media, seconds, results);
  }

  /** Media events per second over the run (0 when it took no time). */
  public double mediaPerSecond() {
    return seconds > 0 ? mediaSent / seconds : 0;
  }

  /**
   * The same line as {@link LoadResult#toJson()}: {@code {"calls": N, "failedCalls": F, "mediaSent":
   * M, "seconds": S, "mediaPerSecond": R}} (the last line of {@code callstream send}).
   */
  public String toJson() {
    return LoadResult.json(calls, failedCalls, mediaSent, seconds, mediaPerSecond());
  }
}
