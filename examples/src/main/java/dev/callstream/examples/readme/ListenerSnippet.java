package dev.callstream.examples.readme;

import dev.callstream.core.AudioChannel;
import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.ParticipantType;
import dev.callstream.core.Segment;
import java.util.HashMap;
import java.util.Map;

/** The README's per-participant listener block, compiled (compared by {@code ReadmeSnippetsTest}). */
final class ListenerSnippet implements CallStreamListener {
  long agentMillis;

  // readme:begin listener-segments
  final Map<String, Transcriber> transcribers = new HashMap<>();   // per-call state in plain fields

  @Override public void onSegmentStart(CallSession call, Segment segment) {
    transcribers.put(segment.id(), new Transcriber(segment.participant().type()));   // CONTACT, AGENT, BOT
  }
  @Override public void onAudio(CallSession call, AudioFrame frame) {
    transcribers.get(frame.segment().id()).feed(frame.samples());   // per participant
    if (frame.channel() == AudioChannel.AGENT) agentMillis += frame.durationMillis();   // per side
  }
  @Override public void onSegmentStop(CallSession call, Segment segment) {
    transcribers.remove(segment.id()).finish();
  }
  // readme:end listener-segments

  /** Stands for your speech-to-text client. */
  static final class Transcriber {
    Transcriber(ParticipantType type) {}

    void feed(short[] samples) {}

    void finish() {}
  }
}
