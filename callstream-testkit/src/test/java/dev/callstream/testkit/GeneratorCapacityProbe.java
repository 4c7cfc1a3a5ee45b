package dev.callstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Measures the generator's own CPU for many real-time calls against the raw receiver (same JVM, so
 * only the sender's threads are counted). Not part of the default build:
 * {@code mvn -pl callstream-testkit verify -DexcludedGroups= -Dgroups=slow -Dtest=GeneratorCapacityProbe
 * -Dprobe.calls=1000 -Dprobe.seconds=20 [-Dprobe.flood=true]}.
 */
@Tag("slow")
class GeneratorCapacityProbe {

  @Test
  void measuresSenderCpuForRealTimeCalls() throws Exception {
    int calls = Integer.getInteger("probe.calls", 200);
    int seconds = Integer.getInteger("probe.seconds", 10);
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    try (RawReceiver receiver = new RawReceiver();
        FakeEngageVoice platform = FakeEngageVoice.builder(receiver.url())
            .pacing(Boolean.getBoolean("probe.flood") ? Pacing.FLOOD : Pacing.REALTIME).build()) {
      long cpuBefore = senderCpu(threads);
      LoadResult load = platform.run(calls,
          i -> CallScript.numbered(1, i).maxDuration(Duration.ofSeconds(seconds)).build());
      long cpu = senderCpu(threads) - cpuBefore;
      double cpuSeconds = cpu / 1e9;
      System.err.printf(
          "probe: %d calls x %d s audio (%s): failed=%d media=%d wall=%.1f s rate=%.0f msg/s sender cpu=%.2f s (%.0f %% of one core)%n",
          calls, seconds, Boolean.getBoolean("probe.flood") ? "flood" : "real time", load.failedCalls(), load.mediaSent(), load.seconds(), load.mediaPerSecond(),
          cpuSeconds, 100 * cpuSeconds / load.seconds());
      assertThat(load.failedCalls()).isZero();
    }
  }

  /** CPU of the sender's threads: its executor, clock and the HTTP client's selector. */
  private static long senderCpu(ThreadMXBean threads) {
    long total = 0;
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      String name = info.getThreadName();
      if (name.startsWith("fake-engage-voice") || name.startsWith("HttpClient")) {
        long cpu = threads.getThreadCpuTime(info.getThreadId());
        total += Math.max(0, cpu);
      }
    }
    return total;
  }
}
