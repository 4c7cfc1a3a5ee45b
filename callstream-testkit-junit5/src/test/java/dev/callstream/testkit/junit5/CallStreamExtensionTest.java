package dev.callstream.testkit.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callstream.core.AudioChannel;
import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallMetadata;
import dev.callstream.core.ChannelStats;
import dev.callstream.core.EndReason;
import dev.callstream.server.CallStreamServer;
import dev.callstream.server.wire.Connected;
import dev.callstream.server.wire.SequenceMode;
import dev.callstream.server.wire.Start;
import dev.callstream.server.wire.Stop;
import dev.callstream.testkit.AudioSource;
import dev.callstream.testkit.CallResult;
import dev.callstream.testkit.CallScript;
import dev.callstream.testkit.ChannelReport;
import dev.callstream.testkit.FakeEngageVoice;
import dev.callstream.testkit.Fault;
import dev.callstream.testkit.HandshakeFailedException;
import dev.callstream.testkit.LoadResult;
import dev.callstream.testkit.Pacing;
import dev.callstream.testkit.RecordedEvent;
import dev.callstream.testkit.RecordingListener;
import dev.callstream.transport.Authenticator;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** End to end: our server, the fake platform and the recorder, through the extension. */
class CallStreamExtensionTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  /**
   * Both sides' handshake limits (default 10 s): {@link #manyConcurrentCallsAllEndStopped} starts 30
   * TLS handshakes at once, which on a loaded 2-core CI host can take longer than that; a call whose
   * upgrade is cut fails the test without anything being wrong. Also the sender's wait for the
   * server's close reply (default 5 s), whose code the first test checks.
   */
  private static final Duration HANDSHAKE = Duration.ofSeconds(60);

  @RegisterExtension
  final CallStreamExtension callStream = CallStreamExtension.builder()
      .server(server -> server.authenticator(Authenticator.secrets(List.of("right"))).handshakeTimeout(HANDSHAKE))
      .sender(sender -> sender.secret("right").connectTimeout(HANDSHAKE).closeTimeout(HANDSHAKE))
      .build();

  @Test
  void aPlayedCallArrivesEventByEventWithTheAudioItSent() {
    AudioSource agent = AudioSource.tone(440, 0.4);
    AudioSource conference = AudioSource.speechLike(3);
    CallResult result = callStream.platform().play(CallScript.builder()
        .callId("e2e-1").sessionId("9").agent(agent).conference(conference)
        .maxDuration(Duration.ofSeconds(1)).build());
    assertThat(result.completed()).as("%s", result.failure()).isTrue();

    RecordingListener recorder = callStream.recorder();
    assertThat(recorder.takeTransportEvent(Connected.class).protocol()).isEqualTo("AgentSession");
    Start start = recorder.takeTransportEvent(Start.class);
    assertThat(start.sampleRateHertz()).isEqualTo(8000);
    assertThat(start.contentType()).isEqualTo("audio/x-mulaw");
    CallMetadata metadata = recorder.takeStart();
    assertThat(metadata.callId()).isEqualTo("e2e-1");
    assertThat(metadata.sessionId()).isEqualTo("9");
    assertThat(recorder.takeSegmentStart().id()).isEqualTo("agent");
    assertThat(recorder.takeSegmentStart().id()).isEqualTo("conference");

    byte[] expected = new byte[AudioSource.FRAME_BYTES];
    int[] next = new int[2];
    for (int i = 0; i < 100; i++) {
      AudioFrame frame = recorder.takeAudio();
      int side = frame.channel().stereoIndex();
      assertThat(frame.position()).isEqualTo(next[side]);
      (frame.channel() == AudioChannel.AGENT ? agent : conference).readFrame(next[side], expected);
      assertThat(frame.payload()).isEqualTo(expected);
      next[side]++;
    }
    assertThat(next).containsExactly(50, 50);
    recorder.takeTransportEvent(Stop.class);
    recorder.takeTransportEvent(Stop.class);
    assertThat(recorder.takeSegmentStop().id()).isEqualTo("agent");
    assertThat(recorder.takeSegmentStop().id()).isEqualTo("conference");
    RecordedEvent.OnEnd end = recorder.takeEnd();
    assertThat(end.reason()).isEqualTo(EndReason.STOPPED);
    assertThat(end.session().info().callId()).isEqualTo("e2e-1");
    recorder.assertExhausted();
    assertThat(result.closeCode()).isEqualTo(1000);
  }

  @Test
  void theServerCountsExactlyTheInjectedFaults(FakeEngageVoice ignored, CallStreamServer server) {
    try (FakeEngageVoice platform = FakeEngageVoice.builder(server.uri())
        .sslContext(server.tls().clientContext())
        .secret("right")
        .pacing(Pacing.FLOOD)
        .faults(Fault.DROP, Fault.DUPLICATE, Fault.REORDER, Fault.GARBAGE)
        .faultRate(0.03)
        .sequenceMode(SequenceMode.PER_CONNECTION)
        .seed(77)
        .build()) {
      CallResult result = platform.play(CallScript.numbered(77, 0).maxDuration(Duration.ofSeconds(6)).build());
      assertThat(result.completed()).as("%s", result.failure()).isTrue();

      RecordedEvent.OnEnd end = callStream.recorder().awaitEnd(result.callId(), TIMEOUT);
      assertThat(end.reason()).isEqualTo(EndReason.STOPPED);
      assertThat(end.session().wireDetails().get("sequenceMode")).isEqualTo("per-connection");
      for (AudioChannel channel : AudioChannel.values()) {
        ChannelReport sent = result.report(channel);
        ChannelStats stats = end.session().stats(channel);
        assertThat(sent.dropped()).isNotEmpty();
        assertThat(sent.duplicated()).isNotEmpty();
        assertThat(sent.reordered()).isNotEmpty();
        long lastSequence = channel == AudioChannel.AGENT ? 2 * 300 - 1 : 2 * 300;
        long gapsExpected = sent.dropped().stream().filter(seq -> seq != lastSequence).count();
        assertThat(stats.frames()).as("frames %s", channel).isEqualTo(sent.framesSent());
        assertThat(stats.gaps()).as("gaps %s", channel).isEqualTo(gapsExpected);
        assertThat(stats.duplicates()).as("duplicates %s", channel).isEqualTo(sent.duplicated().size());
        assertThat(stats.late()).as("late %s", channel).isZero();
        assertThat(stats.reordered()).as("reordered %s", channel).isEqualTo(sent.reordered().size());
      }
    }
  }

  @Test
  void anAbortedCallEndsClosedOnTheServer() {
    try (FakeEngageVoice platform = FakeEngageVoice.builder(callStream.uri())
        .sslContext(callStream.server().tls().clientContext())
        .secret("right").pacing(Pacing.FLOOD).faults(Fault.ABORT).build()) {
      CallResult result = platform.play(CallScript.builder().callId("cut").maxDuration(Duration.ofSeconds(2)).build());
      assertThat(result.aborted()).isTrue();
      RecordedEvent.OnEnd end = callStream.recorder().awaitEnd("cut", TIMEOUT);
      assertThat(end.reason()).isEqualTo(EndReason.CLOSED);
      assertThat((List<?>) end.session().wireDetails().get("stops")).isEmpty();
      assertThat(end.session().stats(AudioChannel.AGENT).frames()).isEqualTo(result.agent().framesSent());
    }
  }

  @Test
  void aWrongSecretIsRefusedWith401AndNotRetried() {
    try (FakeEngageVoice platform = FakeEngageVoice.builder(callStream.uri())
        .sslContext(callStream.server().tls().clientContext())
        .secret("wrong").pacing(Pacing.FLOOD).build()) {
      CallResult result = platform.play(CallScript.builder().maxDuration(Duration.ofMillis(200)).build());
      assertThat(result.failed()).isTrue();
      assertThat(result.attempts()).isEqualTo(1);
      assertThat(((HandshakeFailedException) result.failure()).status()).isEqualTo(401);
    }
    assertThat(callStream.recorder().calls()).isZero();
  }

  @Test
  void insecureTrustsTheSelfSignedCertificateAndTheDefaultDoesNot() {
    CallScript script = CallScript.builder().maxDuration(Duration.ofMillis(200)).build();
    try (FakeEngageVoice insecure = FakeEngageVoice.builder(callStream.uri())
        .insecure(true).secret("right").pacing(Pacing.FLOOD).build()) {
      assertThat(insecure.play(script).completed()).isTrue();
    }
    try (FakeEngageVoice strict = FakeEngageVoice.builder(callStream.uri())
        .secret("right").pacing(Pacing.FLOOD).build()) {
      CallResult result = strict.play(script);
      assertThat(result.failed()).isTrue();
      assertThat(result.failure()).hasMessageContaining("cannot connect");
    }
  }

  @Test
  void manyConcurrentCallsAllEndStopped(RecordingListener recorder) {
    LoadResult load = callStream.platform().run(30,
        i -> CallScript.numbered(5, i).maxDuration(Duration.ofSeconds(1)).build());
    assertThat(load.failedCalls()).isZero();
    assertThat(load.mediaSent()).isEqualTo(30 * 100);
    for (CallResult result : load.results()) {
      RecordedEvent.OnEnd end = recorder.awaitEnd(result.callId(), TIMEOUT);
      assertThat(end.reason()).isEqualTo(EndReason.STOPPED);
      assertThat(end.session().stats(AudioChannel.CONFERENCE).frames()).isEqualTo(50);
    }
    assertThat(recorder.calls()).isEqualTo(30);
  }
}
