package dev.callstream.testkit;

import java.util.List;
import java.util.Locale;

/**
 * The summary of a run of concurrent calls.
 *
 * @param calls calls played
 * @param failedCalls calls that did not complete (see {@link CallResult})
 * @param mediaSent Media messages sent in total, duplicates included
 * @param seconds wall time of the run
 * @param results every call's result, in index order
 */
public record LoadResult(int calls, int failedCalls, long mediaSent, double seconds, List<CallResult> results) {

  public LoadResult {
    results = List.copyOf(results);
  }

  /** Builds the summary of {@code results}. */
  public static LoadResult of(List<CallResult> results, double seconds) {
    int failed = 0;
    long media = 0;
    for (CallResult result : results) {
      failed += result.failed() ? 1 : 0;
      media += result.mediaSent();
    }
    return new LoadResult(results.size(), failed, media, seconds, results);
  }

  /** Media messages per second over the run (0 when it took no time). */
  public double mediaPerSecond() {
    return seconds > 0 ? mediaSent / seconds : 0;
  }

  /**
   * One line of JSON: {@code {"calls": N, "failedCalls": F, "mediaSent": M, "seconds": S,
   * "mediaPerSecond": R}} (the last line of {@code callstream send}).
   */
  public String toJson() {
    return json(calls, failedCalls, mediaSent, seconds, mediaPerSecond());
  }

  /** The one format of the summary line, shared with {@link RingCxLoadResult}. */
  static String json(int calls, int failedCalls, long mediaSent, double seconds, double mediaPerSecond) {
    return String.format(
        Locale.ROOT,
        "{\"calls\": %d, \"failedCalls\": %d, \"mediaSent\": %d, \"seconds\": %.3f, \"mediaPerSecond\": %.1f}",
        calls, failedCalls, mediaSent, seconds, mediaPerSecond);
  }
}
