package dev.callstream.testkit.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callstream.core.AudioChannel;
import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallMetadata;
import dev.callstream.core.ChannelStats;
import dev.callstream.core.EndReason;
import dev.callstream.core.ParticipantType;
import dev.callstream.core.Segment;
import dev.callstream.grpc.CallStreamGrpcServer;
import dev.callstream.testkit.AudioSource;
import dev.callstream.testkit.ChannelReport;
import dev.callstream.testkit.FakeRingCx;
import dev.callstream.testkit.Fault;
import dev.callstream.testkit.Pacing;
import dev.callstream.testkit.RecordedEvent;
import dev.callstream.testkit.RecordingListener;
import dev.callstream.testkit.RingCxCallResult;
import dev.callstream.testkit.RingCxScript;
import dev.callstream.testkit.RingCxSegment;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** End to end: our gRPC server, the fake RingCX and the recorder, through the extension (TLS, secret). */
class CallStreamGrpcExtensionTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  @RegisterExtension
  final CallStreamGrpcExtension ringCx = CallStreamGrpcExtension.builder()
      .server(server -> server.secrets(List.of("right")))
      .sender(sender -> sender.secret("right"))
      .build();

  private static <T extends RecordedEvent> List<T> of(List<RecordedEvent> events, Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
  }

  private static byte[] chunk(AudioSource source, int index) {
    byte[] out = new byte[800];
    byte[] frame = new byte[AudioSource.FRAME_BYTES];
    for (int i = 0; i < 5; i++) {
      source.readFrame(5L * index + i, frame);
      System.arraycopy(frame, 0, out, i * AudioSource.FRAME_BYTES, AudioSource.FRAME_BYTES);
    }
    return out;
  }

  @Test
  void aPlayedCallArrivesSegmentBySegmentWithTheAudioItSent() {
    assertThat(ringCx.uri().getScheme()).isEqualTo("grpcs");
    AudioSource contact = AudioSource.speechLike(3);
    AudioSource agent = AudioSource.tone(440, 0.4);
    RingCxCallResult result = ringCx.platform().play(RingCxScript.builder()
        .dialogId("e2e-1").sessionId("9").otherAudio(contact).agentAudio(agent)
        .maxDuration(Duration.ofSeconds(1)).build());
    assertThat(result.completed()).as("%s", result.failure()).isTrue();
    assertThat(result.status()).isEqualTo(Status.Code.OK);

    RecordingListener recorder = ringCx.recorder();
    RecordedEvent.OnEnd end = recorder.awaitEnd("e2e-1", TIMEOUT);
    assertThat(end.reason()).isEqualTo(EndReason.STOPPED);
    List<RecordedEvent> events = recorder.drain();
    CallMetadata metadata = of(events, RecordedEvent.OnStart.class).get(0).metadata();
    assertThat(metadata.callId()).isEqualTo("e2e-1");
    assertThat(metadata.sessionId()).isEqualTo("9");
    List<Segment> started = of(events, RecordedEvent.OnSegmentStart.class).stream().map(RecordedEvent.OnSegmentStart::segment).toList();
    assertThat(started).extracting(Segment::id).containsExactly("contact", "agent");
    assertThat(started).extracting(Segment::channel).containsExactly(AudioChannel.CONFERENCE, AudioChannel.AGENT);
    assertThat(started).extracting(s -> s.participant().type()).containsExactly(ParticipantType.CONTACT, ParticipantType.AGENT);
    for (Segment segment : started) {
      List<AudioFrame> frames = of(events, RecordedEvent.OnAudio.class).stream()
          .map(RecordedEvent.OnAudio::frame).filter(f -> f.segment().id().equals(segment.id())).toList();
      assertThat(frames).hasSize(10);
      for (int k = 0; k < 10; k++) {
        assertThat(frames.get(k).position()).isEqualTo(k);
        assertThat(frames.get(k).durationMillis()).isEqualTo(100);
        assertThat(frames.get(k).payload()).isEqualTo(chunk(segment.id().equals("agent") ? agent : contact, k));
      }
    }
    assertThat(of(events, RecordedEvent.OnSegmentStop.class)).extracting(e -> e.segment().id()).containsExactly("contact", "agent");
    assertThat(of(events, RecordedEvent.OnError.class)).isEmpty();
  }

  @Test
  void theServerCountsExactlyTheInjectedFaultsPerSegment(FakeRingCx ignored, CallStreamGrpcServer server) {
    try (FakeRingCx platform = FakeRingCx.builder(server.uri())
        .trustCertificates(server.tls().certificate())
        .secret("right")
        .pacing(Pacing.FLOOD)
        .faults(Fault.DROP, Fault.DUPLICATE, Fault.REORDER, Fault.GARBAGE)
        .faultRate(0.05)
        .seed(77)
        .build()) {
      RingCxCallResult result = platform.play(RingCxScript.numbered(77, 0).maxDuration(Duration.ofSeconds(30)).build());
      assertThat(result.completed()).as("%s", result.failure()).isTrue();
      assertThat(result.garbageSent()).isEqualTo(3);

      RecordedEvent.OnEnd end = ringCx.recorder().awaitEnd(result.dialogId(), TIMEOUT);
      assertThat(end.reason()).isEqualTo(EndReason.STOPPED);
      for (String id : List.of("contact", "agent")) {
        ChannelReport sent = result.segment(id);
        ChannelStats stats = end.session().stats(end.session().segment(id));
        assertThat(sent.dropped()).isNotEmpty();
        assertThat(sent.duplicated()).isNotEmpty();
        assertThat(sent.reordered()).isNotEmpty();
        // a segment starts at its first chunk that arrives and ends at its last: drops outside are no gaps
        long first = 1;
        while (sent.dropped().contains(first)) {
          first++;
        }
        long last = sent.framesPlanned();
        while (sent.dropped().contains(last)) {
          last--;
        }
        long from = first;
        long to = last;
        long gapsExpected = sent.dropped().stream().filter(seq -> seq > from && seq < to).count();
        assertThat(stats.frames()).as("frames %s", id).isEqualTo(sent.framesSent());
        assertThat(stats.gaps()).as("gaps %s", id).isEqualTo(gapsExpected);
        assertThat(stats.duplicates()).as("duplicates %s", id).isEqualTo(sent.duplicated().size());
        assertThat(stats.late()).as("late %s", id).isZero();
        assertThat(stats.reordered()).as("reordered %s", id).isEqualTo(sent.reordered().size());
      }
      // the three malformed events cost nothing but a report each
      assertThat(of(ringCx.recorder().drain(), RecordedEvent.OnError.class)).hasSize(3);
    }
  }

  @Test
  void aLaterParticipantStartsLaterOnTheCallTimelineAndHoldArrivesAsSegmentInfo() {
    RingCxCallResult result = ringCx.platform().play(RingCxScript.builder().dialogId("later")
        .segment(RingCxSegment.contact("c").build())
        // after the contact's first second: the server fixes a segment's positions once its reorder window
        // has seen the first chunks, so a participant joining in the first ~500 ms is placed at 0
        .segment(RingCxSegment.bot("b").joinAt(Duration.ofMillis(1000)).hold(Duration.ofMillis(1100), Duration.ofMillis(1200)).build())
        .maxDuration(Duration.ofMillis(1500)).build());
    assertThat(result.completed()).as("%s", result.failure()).isTrue();

    RecordingListener recorder = ringCx.recorder();
    assertThat(recorder.awaitEnd("later", TIMEOUT).reason()).isEqualTo(EndReason.STOPPED);
    List<RecordedEvent> events = recorder.drain();
    Segment bot = of(events, RecordedEvent.OnSegmentStart.class).get(1).segment();
    assertThat(bot.participant().type()).isEqualTo(ParticipantType.BOT);
    assertThat(bot.channel()).isEqualTo(AudioChannel.CONFERENCE);
    assertThat(bot.startMillis()).isEqualTo(1000);
    assertThat(of(events, RecordedEvent.OnSegmentInfo.class))
        .extracting(e -> e.segment().id() + " " + e.info().event())
        .containsExactly("b hold", "b unhold");
  }

  @Test
  void anAbortedCallEndsClosedOnTheServer() {
    try (FakeRingCx platform = FakeRingCx.builder(ringCx.uri())
        .trustCertificates(ringCx.server().tls().certificate())
        .secret("right").pacing(Pacing.FLOOD).faults(Fault.ABORT).build()) {
      RingCxCallResult result = platform.play(RingCxScript.builder().dialogId("cut").maxDuration(Duration.ofSeconds(4)).build());
      assertThat(result.aborted()).isTrue();
      RecordedEvent.OnEnd end = ringCx.recorder().awaitEnd("cut", TIMEOUT);
      assertThat(end.reason()).isEqualTo(EndReason.CLOSED);
      long sent = result.segment("contact").framesSent();
      assertThat(end.session().stats(end.session().segment("contact")).frames()).isLessThanOrEqualTo(sent);
    }
  }

  @Test
  void aWrongSecretIsRefusedWithUnauthenticatedAndNoCall() {
    try (FakeRingCx platform = FakeRingCx.builder(ringCx.uri())
        .trustCertificates(ringCx.server().tls().certificate())
        .secret("wrong").pacing(Pacing.FLOOD).build()) {
      RingCxCallResult result = platform.play(RingCxScript.builder().maxDuration(Duration.ofMillis(300)).build());
      assertThat(result.failed()).isTrue();
      assertThat(result.status()).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(ringCx.recorder().calls()).isZero();
    }
  }
}
