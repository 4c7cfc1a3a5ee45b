package dev.callstream.core;

import dev.callstream.core.audio.AudioFormat;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A hand-driven session for listener tests: by default a WebSocket call with its two fixed segments
 * ({@code agent}, {@code conference}); {@link #grpc()} makes a gRPC one with segments added by hand.
 */
public final class FakeCallSession implements CallSession {
  private final CallInfo info;
  private final Map<AudioChannel, ChannelStats> stats = new EnumMap<>(AudioChannel.class);
  private final Map<Segment, ChannelStats> segmentStats = new IdentityHashMap<>();
  private final List<Object> stops = new ArrayList<>();
  private final Map<String, Object> wire = new LinkedHashMap<>();
  private final List<Segment> segments = new ArrayList<>();
  private CallMetadata metadata;
  private AudioFormat format = AudioFormat.MULAW_8K;
  private final String callId;
  private final String sessionId;
  public int closeCalls;

  public FakeCallSession(String callId, String sessionId) {
    this(callId, sessionId, Map.of("callId", callId, "sessionId", sessionId));
  }

  public FakeCallSession(String callId, String sessionId, Map<String, String> query) {
    this(Transport.WSS, callId, sessionId, query);
  }

  private FakeCallSession(Transport transport, String callId, String sessionId, Map<String, String> query) {
    this.info = new CallInfo(transport, callId, sessionId, null, null, null, null, null, null, null, null, query);
    this.callId = callId;
    this.sessionId = sessionId;
    if (transport == Transport.WSS) {
      segments.add(segment(AudioChannel.AGENT, format));
      segments.add(segment(AudioChannel.CONFERENCE, format));
    }
  }

  /** A gRPC call with no segments yet. */
  public static FakeCallSession grpc(String dialogId, String sessionId) {
    return new FakeCallSession(Transport.GRPC, null, null, Map.of()).withMetadata(dialogId, sessionId);
  }

  private FakeCallSession withMetadata(String dialogId, String session) {
    metadata = new CallMetadata(dialogId, session, null, null, null, null, null, null, null, null, null, null, Map.of());
    return this;
  }

  /** A WebSocket-style segment of a side: id {@code agent} or {@code conference}, starting at 0. */
  public static Segment segment(AudioChannel channel, AudioFormat format) {
    ParticipantType type = channel == AudioChannel.AGENT ? ParticipantType.AGENT : ParticipantType.CONTACT;
    return new Segment(channel.label(), new Participant(channel.label(), type, null), format, 0);
  }

  /** This session's segment of a side (WebSocket calls). */
  public Segment segment(AudioChannel channel) {
    return segments.get(channel.stereoIndex());
  }

  /** A gap of this session's segment of a side. */
  public Gap gap(AudioChannel channel, long from, int count) {
    return new Gap(segment(channel), from, count);
  }

  /** The Start of a WebSocket call: metadata known, its raw fields in the wire details. */
  public void start(Map<String, Object> startFields) {
    metadata = new CallMetadata(callId, sessionId, null, null, null, null, null, null, null, null, null, null, Map.of());
    wire.put("start", new LinkedHashMap<>(startFields));
  }

  /** Adds a Stop's raw fields to the wire details. */
  public void addStop(Map<String, Object> stopFields) {
    stops.add(new LinkedHashMap<>(stopFields));
    wire.put("stops", List.copyOf(stops));
  }

  public void wire(String key, Object value) {
    wire.put(key, value);
  }

  public void addSegment(Segment segment) {
    segments.add(segment);
  }

  public void stats(AudioChannel channel, ChannelStats value) {
    stats.put(channel, value);
  }

  public void stats(Segment segment, ChannelStats value) {
    segmentStats.put(segment, value);
  }

  /** Sets the format of both WebSocket segments. */
  public void format(AudioFormat format) {
    this.format = format;
    if (info.transport() == Transport.WSS) {
      segments.set(0, segment(AudioChannel.AGENT, format));
      segments.set(1, segment(AudioChannel.CONFERENCE, format));
    }
  }

  public AudioFormat format() {
    return format;
  }

  @Override
  public Transport transport() {
    return info.transport();
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
    String id = metadata != null && metadata.callId() != null ? metadata.callId() : callId;
    return id == null || id.isEmpty() ? "unknown" : id;
  }

  @Override
  public String sessionId() {
    String id = metadata != null && metadata.sessionId() != null ? metadata.sessionId() : sessionId;
    return id == null || id.isEmpty() ? "unknown" : id;
  }

  @Override
  public List<Segment> segments() {
    return List.copyOf(segments);
  }

  @Override
  public Segment segment(String id) {
    for (Segment segment : segments) {
      if (segment.id().equals(id)) {
        return segment;
      }
    }
    return null;
  }

  @Override
  public ChannelStats stats(AudioChannel channel) {
    return stats.getOrDefault(channel, ChannelStats.ZERO);
  }

  @Override
  public ChannelStats stats(Segment segment) {
    return segmentStats.getOrDefault(segment, ChannelStats.ZERO);
  }

  @Override
  public Map<String, Object> wireDetails() {
    return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(wire));
  }

  @Override
  public void close() {
    closeCalls++;
  }

  /** A raw transport event for tests. */
  public record Event(Transport transport, String name, Map<String, Object> fields) implements TransportEvent {}

  /** Delivers a WebSocket Stop as the server does: wire details first, then the transport event; both Stops stop both segments. */
  public void stop(CallStreamListener listener, Map<String, Object> stopFields) {
    addStop(stopFields);
    listener.onTransportEvent(this, new Event(Transport.WSS, "Stop", stopFields));
    if (stops.size() == 2) {
      listener.onSegmentStop(this, segment(AudioChannel.AGENT));
      listener.onSegmentStop(this, segment(AudioChannel.CONFERENCE));
    }
  }
}
