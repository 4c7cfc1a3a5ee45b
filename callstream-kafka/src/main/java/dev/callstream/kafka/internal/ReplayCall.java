package dev.callstream.kafka.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callstream.core.AudioChannel;
import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallInfo;
import dev.callstream.core.CallMetadata;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamException;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.ChannelStats;
import dev.callstream.core.EndReason;
import dev.callstream.core.Gap;
import dev.callstream.core.MalformedEventException;
import dev.callstream.core.Segment;
import dev.callstream.core.SegmentInfo;
import dev.callstream.core.Transport;
import dev.callstream.core.internal.LogSafe;
import dev.callstream.kafka.CallOrigin;
import dev.callstream.kafka.KafkaWire;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call rebuilt from its Kafka records: the {@link CallSession} its listener sees, and the driver
 * that turns records into callbacks in the live order. Frames are deduplicated by position (a
 * position at or below the last one delivered is skipped) and missing positions (records dropped by
 * the publisher) become gaps, so the listener sees every slot of a segment exactly once.
 *
 * <p>Not thread-safe: one consumer thread drives it; the session may be read from anywhere.
 */
public final class ReplayCall implements CallSession {
  private static final Logger LOG = LoggerFactory.getLogger(ReplayCall.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final CallOrigin origin;
  private final CallInfo info;
  private final Transport transport;
  private final String callId;
  private final String sessionId;
  private final CallStreamListener listener;
  private final CallMetadata startMetadata;
  private final List<Segment> initialSegments;
  private volatile CallMetadata metadata;
  private volatile Map<String, Object> wire;
  private volatile List<Segment> segments = List.of();
  private final Map<String, Lane> lanes = new LinkedHashMap<>();
  /** The lanes in start order, for readers on other threads. */
  private volatile List<Lane> published = List.of();
  private boolean ended;
  private volatile boolean closeRequested;

  /**
   * Parses a call-start record and creates the call's listener (nothing is called on it yet: see
   * {@link #begin()}).
   *
   * @throws IllegalArgumentException when the record is not a valid call-start
   */
  public ReplayCall(CallOrigin origin, byte[] value, CallStreamListener.Factory factory) {
    this.origin = origin;
    Map<String, Object> json = parse(value);
    this.transport = ModelJson.transport(ModelJson.str(json, "transport"), Transport.WSS);
    @SuppressWarnings("unchecked")
    Map<String, Object> infoJson = json.get("info") instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
    this.info = ModelJson.info(infoJson, transport);
    this.callId = ModelJson.str(json, "callId");
    this.sessionId = ModelJson.str(json, "sessionId");
    this.startMetadata = ModelJson.metadata(json.get("metadata"));
    this.wire = json.get("wire") instanceof Map<?, ?> m ? copy(m) : Map.of();
    List<Segment> initial = new ArrayList<>();
    if (json.get("segments") instanceof List<?> list) {
      for (Object s : list) {
        initial.add(ModelJson.segment(s));
      }
    }
    this.initialSegments = initial;
    this.listener = Objects.requireNonNull(factory.create(info), "the factory returned null");
  }

  public CallOrigin origin() {
    return origin;
  }

  /** True once onEnd was called: the call's further records are ignored. */
  public boolean ended() {
    return ended;
  }

  /** onStart (when the publisher knew metadata) and onSegmentStart for the segments of the call-start. */
  public void begin() {
    step(() -> {
      if (startMetadata != null) {
        metadata = startMetadata;
        listener.onStart(this);
      }
      for (Segment segment : initialSegments) {
        startSegment(segment);
        if (ended) {
          return;
        }
      }
    });
  }

  /** One record of this call after its call-start. */
  public void handle(String type, Headers headers, byte[] value) {
    if (ended) {
      return;
    }
    step(() -> {
      try {
        switch (type) {
          case KafkaWire.AUDIO -> audio(headers, value);
          case KafkaWire.GAP -> gap(headers);
          case KafkaWire.STOP -> stop(headers, value);
          case KafkaWire.SEGMENT_START -> startSegment(ModelJson.segment(parse(value)));
          case KafkaWire.SEGMENT_INFO -> segmentInfo(headers, value);
          case KafkaWire.CALL_END -> end(value);
          default -> LOG.debug("call {}: record type {} ignored", LogSafe.id(callId()), LogSafe.id(type));
        }
      } catch (IllegalArgumentException e) {
        listener.onError(this, new MalformedEventException("call " + LogSafe.id(callId()) + ": bad Kafka "
            + LogSafe.id(type) + " record at " + origin.topic() + "-" + origin.partition() + ": " + e.getMessage()
            + "; skipped", e));
      }
    });
  }

  /**
   * Ends the call without its call-end record (the source stops or loses the partition, or a new
   * call-start with the same key came): {@code onEnd(reason, cause)}.
   */
  public void abandon(EndReason reason, Throwable cause) {
    if (!ended) {
      finish(reason, cause);
    }
  }

  private interface Step {
    void run();
  }

  /** Live semantics: a listener that throws ends its call with ERROR; close() ends it with CLOSED. */
  private void step(Step step) {
    try {
      step.run();
    } catch (RuntimeException | Error t) {
      if (!ended) {
        LOG.debug("call {}: listener failed, ending the call", LogSafe.id(callId()), t);
        finish(EndReason.ERROR, t);
      }
      return;
    }
    if (closeRequested && !ended) {
      finish(EndReason.CLOSED, null);
    }
  }

  private void startSegment(Segment segment) {
    if (lanes.containsKey(segment.id())) {
      listener.onError(this, new MalformedEventException("call " + LogSafe.id(callId()) + ": segment "
          + LogSafe.id(segment.id()) + " started twice; ignored"));
      return;
    }
    lanes.put(segment.id(), new Lane(segment));
    published = List.copyOf(lanes.values());
    List<Segment> list = new ArrayList<>(segments);
    list.add(segment);
    segments = List.copyOf(list);
    listener.onSegmentStart(this, segment);
  }

  private Lane lane(Headers headers, String what) {
    String id = header(headers, KafkaWire.SEGMENT);
    Lane lane = id == null ? null : lanes.get(id);
    if (lane == null && id == null) {
      // the contract's WebSocket records name the channel; its segments are named after it
      String channel = header(headers, KafkaWire.CHANNEL);
      for (Lane candidate : lanes.values()) {
        if (candidate.segment.channel().label().equals(channel)) {
          lane = candidate;
          break;
        }
      }
    }
    if (lane == null) {
      throw new IllegalArgumentException(what + " for unknown segment " + LogSafe.id(String.valueOf(id)));
    }
    return lane;
  }

  private void audio(Headers headers, byte[] value) {
    Lane lane = lane(headers, "audio");
    long position = number(headers, KafkaWire.POSITION);
    String seq = header(headers, KafkaWire.SEQUENCE);
    long sequence = seq == null ? position : Long.parseLong(seq);
    if (lane.stopped || position < lane.next) {
      return; // delivered already (a redelivered record)
    }
    lane.fillTo(position);
    lane.frames++;
    lane.next = position + 1;
    listener.onAudio(this, new AudioFrame(lane.segment, position, sequence, value == null ? new byte[0] : value));
  }

  private void gap(Headers headers) {
    Lane lane = lane(headers, "gap");
    long position = number(headers, KafkaWire.POSITION);
    long count = number(headers, KafkaWire.COUNT);
    long end = position + count;
    if (lane.stopped || end <= lane.next) {
      return;
    }
    lane.fillTo(end);
  }

  private void stop(Headers headers, byte[] value) {
    Lane lane;
    if (header(headers, KafkaWire.SEGMENT) == null && header(headers, KafkaWire.CHANNEL) == null) {
      Map<String, Object> json = parse(value);
      String id = ModelJson.str(json, "segment");
      lane = id == null ? null : lanes.get(id);
      if (lane == null) {
        throw new IllegalArgumentException("stop for unknown segment " + LogSafe.id(String.valueOf(id)));
      }
    } else {
      lane = lane(headers, "stop");
    }
    if (lane.stopped) {
      return;
    }
    lane.stopped = true;
    listener.onSegmentStop(this, lane.segment);
  }

  private void segmentInfo(Headers headers, byte[] value) {
    Lane lane = lane(headers, "segment info");
    Map<String, Object> json = parse(value);
    String event = ModelJson.str(json, "event");
    listener.onSegmentInfo(this, lane.segment, new SegmentInfo(event == null ? "unknown" : event,
        ModelJson.str(json, "data")));
  }

  private void end(byte[] value) {
    Map<String, Object> json = parse(value);
    // the live call's own account, so that records built from this session match the live ones
    Map<String, Object> details = new LinkedHashMap<>(wire);
    for (String key : List.of("start", "stops", "account", "dialog")) {
      if (json.containsKey(key)) {
        details.put(key, json.get(key));
      }
    }
    wire = Collections.unmodifiableMap(details);
    if (json.get("channels") instanceof Map<?, ?> channels) {
      for (Lane lane : lanes.values()) {
        if (transport == Transport.WSS && channels.get(lane.segment.channel().label()) instanceof Map<?, ?> c) {
          lane.live = c;
        }
      }
    }
    if (json.get("segments") instanceof List<?> list) {
      for (Object o : list) {
        Lane lane = o instanceof Map<?, ?> s ? lanes.get(String.valueOf(s.get("id"))) : null;
        if (lane != null) {
          lane.live = (Map<?, ?>) o;
        }
      }
    }
    String label = ModelJson.str(json, "endReason");
    EndReason reason = EndReason.CLOSED;
    for (EndReason r : EndReason.values()) {
      if (r.label().equals(label)) {
        reason = r;
      }
    }
    Throwable cause = reason == EndReason.ERROR
        ? new CallStreamException("the live call " + LogSafe.id(callId()) + " ended with an error") : null;
    // held frames of a live call are delivered before its end; here, the segments' tails are already complete
    finish(reason, cause);
  }

  private void finish(EndReason reason, Throwable cause) {
    ended = true;
    try {
      listener.onEnd(this, reason, cause);
    } catch (RuntimeException | Error t) {
      LOG.warn("listener onEnd threw for call {}; ignored", LogSafe.id(callId()), t);
    }
  }

  private static String header(Headers headers, String name) {
    Header h = headers.lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static long number(Headers headers, String name) {
    String s = header(headers, name);
    if (s == null) {
      throw new IllegalArgumentException("header " + name + " missing");
    }
    try {
      long n = Long.parseLong(s.trim());
      if (n < 0) {
        throw new IllegalArgumentException("header " + name + " negative");
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("header " + name + " is not a number");
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> parse(byte[] value) {
    if (value == null || value.length == 0) {
      return Map.of();
    }
    try {
      Object o = MAPPER.readValue(value, Object.class);
      if (o instanceof Map<?, ?> m) {
        return (Map<String, Object>) m;
      }
      throw new IllegalArgumentException("value is not a JSON object");
    } catch (IOException e) {
      throw new IllegalArgumentException("value is not JSON");
    }
  }

  private static Map<String, Object> copy(Map<?, ?> m) {
    Map<String, Object> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(String.valueOf(k), v));
    return Collections.unmodifiableMap(out);
  }

  /** One segment's delivery state. */
  private final class Lane {
    final Segment segment;
    long next;
    volatile long frames;
    volatile long gaps;
    boolean stopped;
    /** The live counters from call-end, once known. */
    volatile Map<?, ?> live;

    Lane(Segment segment) {
      this.segment = segment;
    }

    /** Reports every position from next up to (not including) end as a gap. */
    void fillTo(long end) {
      while (next < end) {
        int count = (int) Math.min(Integer.MAX_VALUE, end - next);
        gaps += count;
        listener.onGap(ReplayCall.this, new Gap(segment, next, count));
        next += count;
      }
    }

    ChannelStats stats() {
      return new ChannelStats(frames, gaps, liveCount("duplicates"), liveCount("late"), liveCount("reordered"));
    }

    private long liveCount(String name) {
      Map<?, ?> l = live;
      return l != null && l.get(name) instanceof Number n ? n.longValue() : 0;
    }
  }

  // ------------------------------------------------------------------ CallSession

  @Override
  public Transport transport() {
    return transport;
  }

  @Override
  public CallInfo info() {
    return info;
  }

  @Override
  public CallMetadata metadata() {
    return metadata;
  }

  @Override
  public String callId() {
    CallMetadata m = metadata;
    if (m != null && m.callId() != null) {
      return m.callId();
    }
    if (callId != null) {
      return callId;
    }
    return info.callId() != null ? info.callId() : "unknown";
  }

  @Override
  public String sessionId() {
    CallMetadata m = metadata;
    if (m != null && m.sessionId() != null) {
      return m.sessionId();
    }
    if (sessionId != null) {
      return sessionId;
    }
    return info.sessionId() != null ? info.sessionId() : "unknown";
  }

  @Override
  public List<Segment> segments() {
    return segments;
  }

  @Override
  public Segment segment(String id) {
    for (Segment s : segments) {
      if (s.id().equals(id)) {
        return s;
      }
    }
    return null;
  }

  @Override
  public ChannelStats stats(AudioChannel side) {
    long frames = 0;
    long gaps = 0;
    long duplicates = 0;
    long late = 0;
    long reordered = 0;
    for (Lane lane : published) {
      if (lane.segment.channel() == side) {
        ChannelStats s = lane.stats();
        frames += s.frames();
        gaps += s.gaps();
        duplicates += s.duplicates();
        late += s.late();
        reordered += s.reordered();
      }
    }
    return new ChannelStats(frames, gaps, duplicates, late, reordered);
  }

  @Override
  public ChannelStats stats(Segment segment) {
    for (Lane lane : published) {
      if (lane.segment == segment) {
        return lane.stats();
      }
    }
    return ChannelStats.ZERO;
  }

  @Override
  public Map<String, Object> wireDetails() {
    return wire;
  }

  /** Ends this call's replay after the current callback, with CLOSED; the rest of its records are skipped. */
  @Override
  public void close() {
    closeRequested = true;
  }

  @Override
  public String toString() {
    return "CallSession[kafka " + transport.label() + ", callId=" + LogSafe.id(callId()) + ", sessionId="
        + LogSafe.id(sessionId()) + "]";
  }
}
