package dev.callstream.core;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** A hand-driven session for listener tests. */
final class FakeCallSession implements CallSession {
  private final CallInfo info;
  private final List<Stop> stops = new ArrayList<>();
  private final Map<AudioChannel, ChannelStats> stats = new EnumMap<>(AudioChannel.class);
  private Start start;
  private AudioFormat format = AudioFormat.MULAW_8K;
  private String callId;
  private String sessionId;
  int closeCalls;

  FakeCallSession(String callId, String sessionId) {
    this(callId, sessionId, Map.of("callId", callId, "sessionId", sessionId));
  }

  FakeCallSession(String callId, String sessionId, Map<String, String> query) {
    this.info = new CallInfo(callId, sessionId, null, null, null, null, null, null, null, null, query);
    this.callId = callId;
    this.sessionId = sessionId;
  }

  static Start start(String callId, String sessionId, Map<String, Object> metadata) {
    return new Start(callId, sessionId, null, null, null, null, null, null, null, null, "audio/x-mulaw", 8000, metadata);
  }

  void start(Start start) {
    this.start = start;
    this.format = start.audioFormat();
  }

  void addStop(Stop stop) {
    stops.add(stop);
  }

  void stats(AudioChannel channel, ChannelStats value) {
    stats.put(channel, value);
  }

  void format(AudioFormat format) {
    this.format = format;
  }

  @Override
  public CallInfo info() {
    return info;
  }

  @Override
  public Start start() {
    return start;
  }

  @Override
  public String callId() {
    return callId == null || callId.isEmpty() ? "unknown" : callId;
  }

  @Override
  public String sessionId() {
    return sessionId == null || sessionId.isEmpty() ? "unknown" : sessionId;
  }

  @Override
  public AudioFormat format() {
    return format;
  }

  @Override
  public List<Stop> stops() {
    return List.copyOf(stops);
  }

  @Override
  public SequenceMode sequenceMode() {
    return SequenceMode.values()[0];
  }

  @Override
  public ChannelStats stats(AudioChannel channel) {
    return stats.getOrDefault(channel, ChannelStats.ZERO);
  }

  @Override
  public void close() {
    closeCalls++;
  }
}
