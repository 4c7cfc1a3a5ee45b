package dev.callstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.callstream.core.AudioChannel;
import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallInfo;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.EndReason;
import dev.callstream.core.Gap;
import dev.callstream.core.Participant;
import dev.callstream.core.ParticipantType;
import dev.callstream.core.Segment;
import dev.callstream.core.Transport;
import dev.callstream.core.audio.AudioFormat;
import dev.callstream.server.wire.Connected;
import dev.callstream.server.wire.Stop;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class RecordingListenerTest {
  private static final Duration SHORT = Duration.ofMillis(200);

  /** A session that only knows its call id: the listener reads nothing else. */
  private static CallSession session(String callId) {
    return (CallSession) java.lang.reflect.Proxy.newProxyInstance(CallSession.class.getClassLoader(),
        new Class<?>[] {CallSession.class}, (proxy, method, args) -> {
          switch (method.getName()) {
            case "callId":
              return callId;
            case "toString":
              return "session of " + callId;
            case "hashCode":
              return System.identityHashCode(proxy);
            case "equals":
              return proxy == args[0];
            default:
              throw new UnsupportedOperationException(method.getName());
          }
        });
  }

  /** The WebSocket segment of a side. */
  private static Segment segment(AudioChannel channel) {
    ParticipantType type = channel == AudioChannel.AGENT ? ParticipantType.AGENT : ParticipantType.CONTACT;
    return new Segment(channel.label(), new Participant(channel.label(), type, null), AudioFormat.MULAW_8K, 0);
  }

  private static AudioFrame agentFrame() {
    return new AudioFrame(segment(AudioChannel.AGENT), 0, 1, new byte[160]);
  }

  @Test
  void recordsEachCallbackInOrderAndVerifiesKinds() {
    RecordingListener recorder = new RecordingListener();
    CallStreamListener listener = recorder.create(CallInfo.empty(Transport.WSS));
    CallSession session = session("c1");

    listener.onTransportEvent(session, new Connected("AgentSession", "1.0.0"));
    listener.onAudio(session, agentFrame());
    listener.onGap(session, new Gap(segment(AudioChannel.CONFERENCE), 4, 2));
    listener.onSegmentStop(session, segment(AudioChannel.CONFERENCE));
    listener.onEnd(session, EndReason.CLOSED, null);

    assertThat(recorder.calls()).isEqualTo(1);
    assertThat(recorder.takeTransportEvent(Connected.class).protocol()).isEqualTo("AgentSession");
    assertThatThrownBy(recorder::takeStart).isInstanceOf(AssertionError.class).hasMessageContaining("OnAudio");
    Gap gap = recorder.takeGap();
    assertThat(gap.channel()).isEqualTo(AudioChannel.CONFERENCE);
    assertThat(gap.fromPosition()).isEqualTo(4);
    assertThat(gap.frameCount()).isEqualTo(2);
    assertThat(recorder.takeSegmentStop().id()).isEqualTo("conference");
    RecordedEvent.OnEnd end = recorder.takeEnd();
    assertThat(end.callId()).isEqualTo("c1");
    assertThat(end.reason()).isEqualTo(EndReason.CLOSED);
    recorder.assertExhausted();
  }

  @Test
  void takeTimesOutWithAnAssertionErrorAndAssertExhaustedSeesLeftovers() {
    RecordingListener recorder = new RecordingListener(10, true, SHORT);
    assertThatThrownBy(recorder::takeAudio).isInstanceOf(AssertionError.class).hasMessageContaining("no event");
    recorder.create(CallInfo.empty(Transport.WSS)).onTransportEvent(session("c1"), new Stop(null, 1L, null, Map.of()));
    assertThatThrownBy(recorder::assertExhausted).isInstanceOf(AssertionError.class).hasMessageContaining("OnTransportEvent");
    assertThatThrownBy(() -> recorder.takeTransportEvent(Connected.class)).isInstanceOf(AssertionError.class)
        .hasMessageContaining("Stop");
  }

  @Test
  void overflowIsNeverSilent() {
    RecordingListener recorder = new RecordingListener(1, true, SHORT);
    CallStreamListener listener = recorder.create(CallInfo.empty(Transport.WSS));
    listener.onTransportEvent(session("c1"), new Connected(null, null));
    listener.onTransportEvent(session("c1"), new Connected(null, null));
    assertThatThrownBy(recorder::assertExhausted).hasMessageContaining("1 event(s) did not fit");
  }

  @Test
  void leavesAudioOutWhenAskedButStillRecordsTheEnd() {
    RecordingListener recorder = new RecordingListener(10, false, SHORT);
    CallStreamListener listener = recorder.create(CallInfo.empty(Transport.WSS));
    listener.onAudio(session("c1"), agentFrame());
    listener.onEnd(session("c1"), EndReason.STOPPED, null);
    assertThat(recorder.takeEnd().reason()).isEqualTo(EndReason.STOPPED);
    recorder.assertExhausted();
  }

  @Test
  void awaitEndWaitsForThatCallWithoutConsumingTheQueue() {
    RecordingListener recorder = new RecordingListener();
    CallStreamListener first = recorder.create(CallInfo.empty(Transport.WSS));
    CallStreamListener second = recorder.create(CallInfo.empty(Transport.WSS));
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
