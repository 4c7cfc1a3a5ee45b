package dev.callstream.bench;

import dev.callstream.core.AudioChannel;
import dev.callstream.core.CallInfo;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.internal.CallDriver;
import dev.callstream.core.sequence.SegmentTimeline;
import dev.callstream.server.internal.CallSequencer;
import dev.callstream.server.internal.QueryParser;
import dev.callstream.server.internal.WireCall;
import dev.callstream.server.wire.Media;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Per-frame cost of sequencing: in-order Media alternating between the two channels, as the
 * platform sends them, through {@link CallSequencer} alone and through a whole {@link WireCall} (the
 * WebSocket mapping onto a {@link CallDriver})
 * with a listener that does nothing. Each op builds its {@link Media} (the codec does so per message
 * anyway), so the allocation figure includes those 24 bytes; the payload array is shared.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SequencerBenchmark {
  private final byte[] payload = new byte[160];
  private WireCall driver;
  private CallSequencer sequencer;
  private long frame;

  /** A fresh call per iteration keeps sequence ids far below their 2^31 limit. */
  @Setup(Level.Iteration)
  public void newCall(Blackhole blackhole) {
    CallInfo info = QueryParser.parse("callId=bench&sessionId=1");
    driver = new WireCall(info, new CallStreamListener() {}, CallDriver.DEFAULT_REORDER_WINDOW, () -> {});
    SegmentTimeline.Output sink = new SegmentTimeline.Output() {
      @Override
      public void frame(long position, long sequence, byte[] payload) {
        blackhole.consume(position);
      }

      @Override
      public void gap(long fromPosition, int frameCount) {
        blackhole.consume(fromPosition);
      }
    };
    int window = CallDriver.DEFAULT_REORDER_WINDOW;
    sequencer = new CallSequencer(window, new SegmentTimeline(window, sink), new SegmentTimeline(window, sink));
    frame = 0;
  }

  private Media nextMedia() {
    long f = frame++;
    return new Media((f & 1) == 0 ? AudioChannel.AGENT : AudioChannel.CONFERENCE, 1 + (f >> 1), payload);
  }

  /** WireCall.accept with a no-op listener: both sequencing stages + AudioFrame + dispatch. */
  @Benchmark
  public boolean driverNoOpListener() {
    return driver.accept(nextMedia());
  }

  /** The sequencer and its two timelines alone. */
  @Benchmark
  public void sequencerOnly() {
    sequencer.accept(nextMedia());
  }
}
