package dev.callstream.bench;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A lock-free log-linear histogram of microsecond values: exact below 64 us, then 32 buckets per
 * power of two (at most ~3% relative error). Any thread may record; a snapshot taken while others
 * record is approximate by a few samples, which is fine for percentiles over tens of thousands.
 */
final class LatencyHistogram {
  private static final int LINEAR = 64;
  private static final int SUB_BITS = 5;
  private static final int SUB = 1 << SUB_BITS;
  private static final int EXPONENTS = 40;

  private final AtomicLongArray counts = new AtomicLongArray(LINEAR + EXPONENTS * SUB);

  void recordMicros(long micros) {
    counts.incrementAndGet(index(Math.max(0, micros)));
  }

  static int index(long v) {
    if (v < LINEAR) {
      return (int) v;
    }
    int exponent = 63 - Long.numberOfLeadingZeros(v); // >= 6
    int sub = (int) ((v >>> (exponent - SUB_BITS)) & (SUB - 1));
    int i = LINEAR + (exponent - 6) * SUB + sub;
    return Math.min(i, LINEAR + EXPONENTS * SUB - 1);
  }

  /** The largest value that falls in bucket {@code i}. */
  static long upperBound(int i) {
    if (i < LINEAR) {
      return i;
    }
    int exponent = (i - LINEAR) / SUB + 6;
    int sub = (i - LINEAR) % SUB;
    long base = (1L << exponent) + ((long) sub << (exponent - SUB_BITS));
    return base + (1L << (exponent - SUB_BITS)) - 1;
  }

  void reset() {
    for (int i = 0; i < counts.length(); i++) {
      counts.set(i, 0);
    }
  }

  /** {"count":N,"p50us":..,"p99us":..,"p999us":..,"maxus":..}; percentiles null when empty. */
  String toJson() {
    long[] snapshot = new long[counts.length()];
    long total = 0;
    int highest = -1;
    for (int i = 0; i < snapshot.length; i++) {
      snapshot[i] = counts.get(i);
      total += snapshot[i];
      if (snapshot[i] > 0) {
        highest = i;
      }
    }
    if (total == 0) {
      return "{\"count\":0,\"p50us\":null,\"p99us\":null,\"p999us\":null,\"maxus\":null}";
    }
    return String.format(Locale.ROOT, "{\"count\":%d,\"p50us\":%d,\"p99us\":%d,\"p999us\":%d,\"maxus\":%d}",
        total, percentile(snapshot, total, 0.50), percentile(snapshot, total, 0.99),
        percentile(snapshot, total, 0.999), upperBound(highest));
  }

  private static long percentile(long[] snapshot, long total, double q) {
    long rank = (long) Math.ceil(q * total);
    long seen = 0;
    for (int i = 0; i < snapshot.length; i++) {
      seen += snapshot[i];
      if (seen >= rank) {
        return upperBound(i);
      }
    }
    return upperBound(snapshot.length - 1);
  }
}
