package dev.callstream.bench;

import dev.callstream.core.AudioChannel;
import dev.callstream.core.CallInfo;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.Transport;
import dev.callstream.core.internal.CallDriver;
import dev.callstream.server.internal.QueryParser;
import dev.callstream.server.internal.WireCall;
import dev.callstream.server.wire.Media;
import dev.callstream.core.metrics.CallStreamMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the Micrometer call metrics add per frame: in-order Media through a whole {@link WireCall}
 * (the WebSocket mapping onto a {@link CallDriver}) to a listener that does nothing, without metrics and with {@link CallStreamMetrics#instrument}
 * on a Prometheus registry (the frame counter, its flush to the channel's counters every 50 frames).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MetricsBenchmark {
  private final byte[] payload = new byte[160];
  private final CallStreamMetrics metrics =
      CallStreamMetrics.create(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), Transport.WSS);
  private WireCall plain;
  private WireCall instrumented;
  private long frame;

  /** A fresh call per iteration keeps sequence ids far below their 2^31 limit. */
  @Setup(Level.Iteration)
  public void newCall() {
    CallInfo info = QueryParser.parse("callId=bench&sessionId=1");
    CallStreamListener.Factory noOp = callInfo -> new CallStreamListener() {};
    plain = new WireCall(info, noOp.create(info), CallDriver.DEFAULT_REORDER_WINDOW, () -> {});
    instrumented = new WireCall(info, metrics.instrument(noOp).create(info), CallDriver.DEFAULT_REORDER_WINDOW, () -> {});
    frame = 0;
  }

  private Media nextMedia() {
    long f = frame++;
    return new Media((f & 1) == 0 ? AudioChannel.AGENT : AudioChannel.CONFERENCE, 1 + (f >> 1), payload);
  }

  /** No registry: the server does not wrap the listener at all. */
  @Benchmark
  public boolean withoutMetrics() {
    return plain.accept(nextMedia());
  }

  /** With the call metrics. */
  @Benchmark
  public boolean withMetrics() {
    return instrumented.accept(nextMedia());
  }
}
