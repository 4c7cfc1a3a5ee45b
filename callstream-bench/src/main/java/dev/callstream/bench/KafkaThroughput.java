package dev.callstream.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallInfo;
import dev.callstream.core.CallMetadata;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.EndReason;
import dev.callstream.core.Participant;
import dev.callstream.core.ParticipantType;
import dev.callstream.core.Transport;
import dev.callstream.core.audio.AudioFormat;
import dev.callstream.core.internal.CallDriver;
import dev.callstream.kafka.KafkaCallPublisher;
import dev.callstream.kafka.KafkaCallSource;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Frames per second through {@link KafkaCallPublisher} and {@link KafkaCallSource} against a real
 * broker (run-benchmarks.sh --only-kafka starts one on loopback).
 *
 * <pre>
 * java -cp benchmarks.jar dev.callstream.bench.KafkaThroughput --bootstrap 127.0.0.1:9092
 *     [--calls 20] [--frames 3000] [--partitions 2] [--label kafka/throughput/r1]
 * java -cp benchmarks.jar dev.callstream.bench.KafkaThroughput --bootstrap 127.0.0.1:9092 --create-topic T [--partitions 2]
 * </pre>
 *
 * Publisher: the calls run as fast as this thread can drive them through the real {@code CallDriver}
 * (both sides, frames interleaved across calls), the clock stops when the broker acknowledged every
 * record ({@code flush}); also reported is the receive path's own cost, the time to hand the frames
 * over (before the flush). Source: a fresh consumer group reads the topic back into no-op listeners,
 * from the first frame delivered to the last call's {@code onEnd} (the group join is left out). One
 * JSON line on stdout.
 */
public final class KafkaThroughput {
  private KafkaThroughput() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = BenchServer.parse(args);
    String bootstrap = o.get("bootstrap");
    int calls = Integer.parseInt(o.getOrDefault("calls", "20"));
    int frames = Integer.parseInt(o.getOrDefault("frames", "3000"));
    int partitions = Integer.parseInt(o.getOrDefault("partitions", "2"));
    if (o.containsKey("create-topic")) {
      // for the record runs: the topic `record --kafka` publishes to must exist
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
        admin.createTopics(List.of(new NewTopic(o.get("create-topic"), partitions, (short) 1)))
            .all().get(60, TimeUnit.SECONDS);
      }
      System.out.println("created topic " + o.get("create-topic"));
      return;
    }
    String topic = "bench-" + System.nanoTime();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
    }
    byte[][] payloads = new byte[64][160];
    Random random = new Random(1);
    for (byte[] p : payloads) {
      random.nextBytes(p);
    }
    long records = (long) calls * frames * 2;

    // ---- publisher
    long handOffNanos;
    long publishNanos;
    long publishCpu;
    long dropped;
    try (KafkaCallPublisher publisher = KafkaCallPublisher.builder(bootstrap).topic(topic)
        // the flood must not overflow the queue: this measures throughput, not the drop policy
        .maxBufferedBytes(1L << 30).start()) {
      List<CallDriver> drivers = new ArrayList<>();
      for (int c = 0; c < calls; c++) {
        drivers.add(begin(publisher, "bench-" + c));
      }
      long cpu0 = processCpuNanos();
      long t0 = System.nanoTime();
      for (int n = 0; n < frames; n++) {
        for (CallDriver driver : drivers) {
          driver.media("agent", n, payloads[n & 63]);
          driver.media("conference", n, payloads[(n + 7) & 63]);
        }
      }
      for (CallDriver driver : drivers) {
        driver.segmentStop("agent");
        driver.segmentStop("conference");
        driver.end(EndReason.STOPPED, null);
      }
      handOffNanos = System.nanoTime() - t0;
      if (!publisher.flush(Duration.ofMinutes(5))) {
        throw new IllegalStateException("the publisher did not flush within 5 minutes");
      }
      publishNanos = System.nanoTime() - t0;
      publishCpu = processCpuNanos() - cpu0;
      dropped = publisher.dropped();
    }

    // ---- source
    AtomicLong firstFrame = new AtomicLong();
    AtomicLong delivered = new AtomicLong();
    CallStreamListener.Factory counting = info -> new CallStreamListener() {
      @Override
      public void onAudio(CallSession session, AudioFrame frame) {
        if (delivered.getAndIncrement() == 0) {
          firstFrame.set(System.nanoTime());
        }
      }
    };
    long sourceNanos;
    long sourceCpu;
    long cpu0 = processCpuNanos();
    try (KafkaCallSource source = KafkaCallSource.builder(bootstrap, counting).topic(topic).group(topic).start()) {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
      while (source.callsEnded() < calls) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the source ended " + source.callsEnded() + " of " + calls + " calls in 5 minutes");
        }
        TimeUnit.MILLISECONDS.sleep(2); // polling a counter: the bench has no listener to wait on
      }
      sourceNanos = System.nanoTime() - firstFrame.get();
      sourceCpu = processCpuNanos() - cpu0;
    }

    Map<String, Object> result = new LinkedHashMap<>();
    result.put("label", o.getOrDefault("label", "kafka/throughput"));
    result.put("calls", calls);
    result.put("frames", records);
    result.put("partitions", partitions);
    result.put("publishSeconds", publishNanos / 1e9);
    result.put("publishFramesPerSecond", records / (publishNanos / 1e9));
    result.put("handOffMicrosPerFrame", handOffNanos / 1e3 / records);
    result.put("publishCpuMicrosPerFrame", publishCpu / 1e3 / records);
    result.put("dropped", dropped);
    result.put("sourceSeconds", sourceNanos / 1e9);
    result.put("sourceFramesPerSecond", delivered.get() / (sourceNanos / 1e9));
    result.put("sourceCpuMicrosPerFrame", sourceCpu / 1e3 / Math.max(1, delivered.get()));
    result.put("delivered", delivered.get());
    result.put("loadavg", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    System.out.println(new ObjectMapper().writeValueAsString(result));
  }

  private static CallDriver begin(CallStreamListener.Factory factory, String callId) {
    Map<String, String> query = new LinkedHashMap<>();
    query.put("callId", callId);
    query.put("sessionId", "1");
    CallInfo info = new CallInfo(Transport.WSS, callId, "1", "6505550100", "8005550199", "acc", null, null, null,
        "Queue", "q1", query);
    CallDriver driver = new CallDriver(info, factory.create(info), CallDriver.DEFAULT_REORDER_WINDOW, () -> {});
    driver.start(new CallMetadata(callId, "1", "acc", null, null, "agent7", "Queue", "q1", null, "6505550100",
        "8005550199", null, Map.of()), Map.of("query", query));
    driver.segmentStart("agent", new Participant("agent", ParticipantType.AGENT, null), AudioFormat.MULAW_8K, 0);
    driver.segmentStart("conference", new Participant("conference", ParticipantType.CONTACT, null),
        AudioFormat.MULAW_8K, 0);
    return driver;
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }
}
