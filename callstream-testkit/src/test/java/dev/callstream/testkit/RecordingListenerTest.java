package dev.callstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.callstream.core.AudioChannel;
import dev.callstream.core.AudioFormat;
import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallInfo;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.ChannelStats;
import dev.callstream.core.Connected;
import dev.callstream.core.EndReason;
import dev.callstream.core.SequenceMode;
import dev.callstream.core.Start;
import dev.callstream.core.Stop;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class RecordingListenerTest {
  private static final Duration SHORT = Duration.ofMillis(200);

  /** A session that only knows its call id: the listener reads nothing else. */
  private static CallSession session(String callId) {
    return new CallSession() {
      public CallInfo info() { return CallInfo.empty(); }
      public Start start() { return null; }
      public String callId() { return callId; }
      public String sessionId() { return "1"; }
      public AudioFormat format() { return AudioFormat.MULAW_8K; }
      public List<Stop> stops() { return List.of(); }
      public SequenceMode sequenceMode() { return SequenceMode.UNDETERMINED; }
      public ChannelStats stats(AudioChannel channel) { return null; }
      public void close() {}
    };
  }

  @Test
  void recordsEachCallbackInOrderAndVerifiesKinds() {
    RecordingListener recorder = new RecordingListener();
    CallStreamListener listener = recorder.create(CallInfo.empty());
    CallSession session = session("c1");
    AudioFrame frame = new AudioFrame(AudioChannel.AGENT, 0, 1, AudioFormat.MULAW_8K, new byte[160]);

    listener.onConnected(session, new Connected("AgentSession", "1.0.0"));
    listener.onAudio(session, frame);
    listener.onGap(session, AudioChannel.CONFERENCE, 4, 2);
    listener.onEnd(session, EndReason.CLOSED, null);

    assertThat(recorder.calls()).isEqualTo(1);
    assertThat(recorder.takeConnected().protocol()).isEqualTo("AgentSession");
    assertThatThrownBy(recorder::takeStart).isInstanceOf(AssertionError.class).hasMessageContaining("OnAudio");
    RecordedEvent.OnGap gap = recorder.takeGap();
    assertThat(gap.channel()).isEqualTo(AudioChannel.CONFERENCE);
    assertThat(gap.fromPosition()).isEqualTo(4);
    assertThat(gap.frameCount()).isEqualTo(2);
    RecordedEvent.OnEnd end = recorder.takeEnd();
    assertThat(end.callId()).isEqualTo("c1");
    assertThat(end.reason()).isEqualTo(EndReason.CLOSED);
    recorder.assertExhausted();
  }

  @Test
  void takeTimesOutWithAnAssertionErrorAndAssertExhaustedSeesLeftovers() {
    RecordingListener recorder = new RecordingListener(10, true, SHORT);
    assertThatThrownBy(recorder::takeAudio).isInstanceOf(AssertionError.class).hasMessageContaining("no event");
    recorder.create(CallInfo.empty()).onStop(session("c1"), new Stop(null, 1L, null, Map.of()));
    assertThatThrownBy(recorder::assertExhausted).isInstanceOf(AssertionError.class).hasMessageContaining("OnStop");
    assertThat(recorder.takeStop().durationSeconds()).isEqualTo(1L);
  }

  @Test
  void overflowIsNeverSilent() {
    RecordingListener recorder = new RecordingListener(1, true, SHORT);
    CallStreamListener listener = recorder.create(CallInfo.empty());
    listener.onConnected(session("c1"), new Connected(null, null));
    listener.onConnected(session("c1"), new Connected(null, null));
    assertThatThrownBy(recorder::assertExhausted).hasMessageContaining("1 event(s) did not fit");
  }

  @Test
  void leavesAudioOutWhenAskedButStillRecordsTheEnd() {
    RecordingListener recorder = new RecordingListener(10, false, SHORT);
    CallStreamListener listener = recorder.create(CallInfo.empty());
    listener.onAudio(session("c1"), new AudioFrame(AudioChannel.AGENT, 0, 1, AudioFormat.MULAW_8K, new byte[160]));
    listener.onEnd(session("c1"), EndReason.STOPPED, null);
    assertThat(recorder.takeEnd().reason()).isEqualTo(EndReason.STOPPED);
    recorder.assertExhausted();
  }

  @Test
  void awaitEndWaitsForThatCallWithoutConsumingTheQueue() {
    RecordingListener recorder = new RecordingListener();
    CallStreamListener first = recorder.create(CallInfo.empty());
    CallStreamListener second = recorder.create(CallInfo.empty());
    CompletableFuture.runAsync(() -> {
      first.onEnd(session("a"), EndReason.STOPPED, null);
      second.onEnd(session("b"), EndReason.ERROR, new IllegalStateException("x"));
    });
    assertThat(recorder.awaitEnd("b", Duration.ofSeconds(5)).reason()).isEqualTo(EndReason.ERROR);
    assertThat(recorder.awaitEnd("a", Duration.ofSeconds(5)).reason()).isEqualTo(EndReason.STOPPED);
    assertThatThrownBy(() -> recorder.awaitEnd("c", SHORT)).isInstanceOf(AssertionError.class);
    assertThat(recorder.drain()).hasSize(2);
  }
}
