package dev.callstream.core.metrics;

import dev.callstream.core.AudioChannel;
import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallInfo;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamException;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.ChannelStats;
import dev.callstream.core.EndReason;
import dev.callstream.core.Gap;
import dev.callstream.core.Segment;
import dev.callstream.core.SegmentInfo;
import dev.callstream.core.Transport;
import dev.callstream.core.TransportEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * The call metrics every transport publishes, on a Micrometer {@link MeterRegistry}, tagged
 * {@code transport} ({@code wss}, {@code grpc}). In Prometheus names (Micrometer adds
 * {@code _total} to counters):
 *
 * <ul>
 *   <li>{@code callstream_calls_active} (gauge): calls admitted whose listener has not yet had
 *       {@code onEnd};
 *   <li>{@code callstream_calls_started_total}, {@code callstream_calls_ended_total{reason}}
 *       ({@code stopped}, {@code closed}, {@code error}, {@code shutdown});
 *   <li>{@code callstream_frames_total{channel}}, {@code callstream_gaps_total{channel}},
 *       {@code callstream_duplicates_total{channel}}, {@code callstream_late_frames_total{channel}}
 *       ({@code agent}, {@code conference}): the call's sequencing counters;
 *   <li>{@code callstream_call_errors_total}: problems reported through {@code onError} (skipped
 *       malformed messages and the like);
 *   <li>{@code callstream_handshakes_rejected_total{reason}} ({@code unauthorized}, {@code capacity},
 *       {@code draining});
 *   <li>{@code callstream_listener_queued_events} and {@code callstream_listener_queued_events_max}
 *       (gauges, when the transport registers them): events waiting for listeners, summed over calls
 *       and for the call furthest behind.
 * </ul>
 *
 * <p>Every series is registered at creation with value 0, so a scrape shows them before the first
 * call. Transports use it through {@link #instrument(CallStreamListener.Factory)} and
 * {@link #handshakeRejected(Rejection)}; users normally only hand a registry to a server's builder.
 *
 * <h2>Cost</h2>
 * The per-frame work is one increment of a plain field in the call's own listener: the channel's
 * counters are brought up to date from {@link CallSession#stats(AudioChannel)} every
 * {@value #FLUSH_FRAMES} frames (one second of audio), at every gap and at the call's end, so a
 * scrape lags the wire by at most a second. Without a registry the servers never load this class,
 * and Micrometer is an optional dependency.
 *
 * <p>Thread-safe. One instance per registry and transport: the gauges of a second instance with the
 * same registry and transport would be ignored by Micrometer (the counters would be shared).
 */
public final class CallStreamMetrics {
  /** Frames of one channel between two updates of its counters. */
  static final int FLUSH_FRAMES = 50;

  /** Why a handshake (or a call before its first callback) was refused. */
  public enum Rejection {
    /** No or a wrong credential (WebSocket 401 or a bad Start secret; gRPC UNAUTHENTICATED). */
    UNAUTHORIZED,
    /** Every call slot taken ({@code maxCalls}): WebSocket 503, gRPC RESOURCE_EXHAUSTED/UNAVAILABLE. */
    CAPACITY,
    /** The server is draining or closing: WebSocket 503, gRPC UNAVAILABLE. */
    DRAINING;

    /** The tag value: {@code unauthorized}, {@code capacity}, {@code draining}. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final MeterRegistry registry;
  private final Transport transport;
  private final AtomicInteger active = new AtomicInteger();
  private final Counter started;
  private final Counter errors;
  private final Map<EndReason, Counter> ended = new EnumMap<>(EndReason.class);
  private final Map<Rejection, Counter> rejected = new EnumMap<>(Rejection.class);
  private final ChannelCounters[] channels = new ChannelCounters[AudioChannel.values().length];

  private CallStreamMetrics(MeterRegistry registry, Transport transport) {
    this.registry = registry;
    this.transport = transport;
    String label = transport.label();
    Gauge.builder("callstream.calls.active", active, AtomicInteger::get)
        .description("Calls admitted and not yet ended")
        .tag("transport", label)
        .strongReference(true)
        .register(registry);
    started = Counter.builder("callstream.calls.started")
        .description("Calls admitted (listener created)")
        .tag("transport", label)
        .register(registry);
    errors = Counter.builder("callstream.call.errors")
        .description("Problems reported to listeners that did not end the call")
        .tag("transport", label)
        .register(registry);
    for (EndReason reason : EndReason.values()) {
      ended.put(reason, Counter.builder("callstream.calls.ended")
          .description("Calls ended, by end reason")
          .tags("transport", label, "reason", reason.label())
          .register(registry));
    }
    for (Rejection reason : Rejection.values()) {
      rejected.put(reason, Counter.builder("callstream.handshakes.rejected")
          .description("Handshakes refused, by reason")
          .tags("transport", label, "reason", reason.label())
          .register(registry));
    }
    for (AudioChannel channel : AudioChannel.values()) {
      channels[channel.ordinal()] = new ChannelCounters(registry, label, channel);
    }
  }

  /**
   * The metrics of one transport on {@code registry}.
   *
   * @param transport gives the {@code transport} tag: {@code wss} or {@code grpc}
   */
  public static CallStreamMetrics create(MeterRegistry registry, Transport transport) {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(transport, "transport");
    return new CallStreamMetrics(registry, transport);
  }

  /** The registry these metrics are on. */
  public MeterRegistry registry() {
    return registry;
  }

  /** The transport these metrics count. */
  public Transport transport() {
    return transport;
  }

  /**
   * A factory whose listeners count the call (started, active, frames, gaps, duplicates, late,
   * errors, ended) and forward every callback to {@code factory}'s listener, in order. A call is
   * counted as started once {@code factory} has created its listener; if that throws, the call is
   * not counted.
   */
  public CallStreamListener.Factory instrument(CallStreamListener.Factory factory) {
    Objects.requireNonNull(factory, "factory");
    return new CallStreamListener.Factory() {
      @Override
      public CallStreamListener create(CallInfo info) {
        CallStreamListener listener = Objects.requireNonNull(factory.create(info), "listener factory returned null");
        started.increment();
        active.incrementAndGet();
        return new Counting(listener);
      }

      @Override
      public boolean blocks() {
        return factory.blocks();
      }
    };
  }

  /** Counts one refused handshake. Any thread. */
  public void handshakeRejected(Rejection reason) {
    rejected.get(Objects.requireNonNull(reason, "reason")).increment();
  }

  /**
   * Registers the transport's listener-queue gauges: {@code callstream_listener_queued_events}
   * (events read and not yet handed to listeners, all calls) and
   * {@code callstream_listener_queued_events_max} (the call furthest behind). The suppliers are
   * called at each scrape, on the scraping thread.
   */
  public void listenerQueue(IntSupplier queuedEvents, IntSupplier maxQueuedEvents) {
    Gauge.builder("callstream.listener.queued.events", queuedEvents, IntSupplier::getAsInt)
        .description("Events read from the wire and not yet delivered to listeners")
        .tag("transport", transport.label())
        .strongReference(true)
        .register(registry);
    Gauge.builder("callstream.listener.queued.events.max", maxQueuedEvents, IntSupplier::getAsInt)
        .description("Events waiting for the listener of the call furthest behind")
        .tag("transport", transport.label())
        .strongReference(true)
        .register(registry);
  }

  /** Calls counted as active now. */
  public int activeCalls() {
    return active.get();
  }

  private static final class ChannelCounters {
    final Counter frames;
    final Counter gaps;
    final Counter duplicates;
    final Counter late;

    ChannelCounters(MeterRegistry registry, String transport, AudioChannel channel) {
      frames = counter(registry, "callstream.frames", "Frames received and delivered in order", transport, channel);
      gaps = counter(registry, "callstream.gaps", "Frame slots that never arrived (filled with silence)", transport, channel);
      duplicates = counter(registry, "callstream.duplicates", "Frames dropped as duplicates", transport, channel);
      late = counter(registry, "callstream.late.frames", "Frames dropped as too late or with an invalid sequence", transport, channel);
    }

    private static Counter counter(MeterRegistry registry, String name, String description, String transport,
        AudioChannel channel) {
      return Counter.builder(name).description(description)
          .tags("transport", transport, "channel", channel.label())
          .register(registry);
    }
  }

  /** One call's listener: counts, then forwards. Used by one call's sequential callbacks only. */
  private final class Counting implements CallStreamListener {
    private final CallStreamListener delegate;
    private final int[] sinceFlush = new int[channels.length];
    private final ChannelStats[] reported = new ChannelStats[channels.length];
    private boolean ended;

    Counting(CallStreamListener delegate) {
      this.delegate = delegate;
      java.util.Arrays.fill(reported, ChannelStats.ZERO);
    }

    @Override
    public void onStart(CallSession session) {
      delegate.onStart(session);
    }

    @Override
    public void onSegmentStart(CallSession session, Segment segment) {
      delegate.onSegmentStart(session, segment);
    }

    @Override
    public void onAudio(CallSession session, AudioFrame frame) {
      int channel = frame.channel().ordinal();
      if (++sinceFlush[channel] >= FLUSH_FRAMES) {
        flush(session, frame.channel());
      }
      delegate.onAudio(session, frame);
    }

    @Override
    public void onGap(CallSession session, Gap gap) {
      flush(session, gap.channel());
      delegate.onGap(session, gap);
    }

    @Override
    public void onSegmentInfo(CallSession session, Segment segment, SegmentInfo info) {
      delegate.onSegmentInfo(session, segment, info);
    }

    @Override
    public void onSegmentStop(CallSession session, Segment segment) {
      delegate.onSegmentStop(session, segment);
    }

    @Override
    public void onTransportEvent(CallSession session, TransportEvent event) {
      delegate.onTransportEvent(session, event);
    }

    @Override
    public void onError(CallSession session, CallStreamException error) {
      errors.increment();
      delegate.onError(session, error);
    }

    @Override
    public void onEnd(CallSession session, EndReason reason, Throwable cause) {
      try {
        delegate.onEnd(session, reason, cause);
      } finally {
        if (!ended) {
          ended = true;
          for (AudioChannel channel : AudioChannel.values()) {
            flush(session, channel);
          }
          CallStreamMetrics.this.ended.get(reason).increment();
          active.decrementAndGet();
        }
      }
    }

    /** Adds what the channel's stats gained since the last flush. */
    private void flush(CallSession session, AudioChannel channel) {
      int index = channel.ordinal();
      sinceFlush[index] = 0;
      ChannelStats now = session.stats(channel);
      ChannelStats before = reported[index];
      ChannelCounters counters = channels[index];
      add(counters.frames, now.frames() - before.frames());
      add(counters.gaps, now.gaps() - before.gaps());
      add(counters.duplicates, now.duplicates() - before.duplicates());
      add(counters.late, now.late() - before.late());
      reported[index] = now;
    }

    private void add(Counter counter, long delta) {
      if (delta > 0) {
        counter.increment(delta);
      }
    }
  }
}
