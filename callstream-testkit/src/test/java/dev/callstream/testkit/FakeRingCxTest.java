package dev.callstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.callstream.core.audio.G711;
import dev.callstream.grpc.proto.Codec;
import dev.callstream.grpc.proto.DialogInitEvent;
import dev.callstream.grpc.proto.ParticipantType;
import dev.callstream.grpc.proto.SegmentStartEvent;
import dev.callstream.grpc.proto.StreamEvent;
import io.grpc.Status;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FakeRingCxTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private RawGrpcReceiver receiver;

  @BeforeEach
  void startReceiver() throws Exception {
    receiver = new RawGrpcReceiver();
  }

  @AfterEach
  void stopReceiver() throws Exception {
    receiver.close();
  }

  private FakeRingCx.Builder sender() {
    return FakeRingCx.builder(receiver.url()).pacing(Pacing.FLOOD);
  }

  private static List<StreamEvent> media(List<StreamEvent> events, String segmentId) {
    return events.stream()
        .filter(e -> e.hasSegmentMedia() && e.getSegmentMedia().getSegmentId().equals(segmentId))
        .collect(Collectors.toList());
  }

  private static List<Long> seqs(List<StreamEvent> media) {
    return media.stream().map(e -> (long) e.getSegmentMedia().getAudioContent().getSeq()).collect(Collectors.toList());
  }

  private static String describe(StreamEvent event) {
    return switch (event.getEventCase()) {
      case DIALOG_INIT -> "init";
      case SEGMENT_START -> "start " + event.getSegmentStart().getSegmentId();
      case SEGMENT_MEDIA -> "media " + event.getSegmentMedia().getSegmentId() + " " + event.getSegmentMedia().getAudioContent().getSeq();
      case SEGMENT_INFO -> "info " + event.getSegmentInfo().getSegmentId() + " " + event.getSegmentInfo().getEvent();
      case SEGMENT_STOP -> "stop " + event.getSegmentStop().getSegmentId();
      default -> "unknown";
    };
  }

  private static byte[] mulaw(AudioSource source, long fromFrame, int frames) {
    byte[] out = new byte[frames * AudioSource.FRAME_BYTES];
    byte[] frame = new byte[AudioSource.FRAME_BYTES];
    for (int i = 0; i < frames; i++) {
      source.readFrame(fromFrame + i, frame);
      System.arraycopy(frame, 0, out, i * AudioSource.FRAME_BYTES, AudioSource.FRAME_BYTES);
    }
    return out;
  }

  @Test
  void playsDialogInitContactAndAgentSegmentsOf800ByteChunksStopsAndHalfCloses() throws Exception {
    AudioSource contact = AudioSource.speechLike(9);
    AudioSource agent = AudioSource.tone(440, 0.5);
    RingCxScript script = RingCxScript.builder()
        .dialogId("dialog-42").sessionId("session-7")
        .otherAudio(contact).agentAudio(agent)
        .attribute("queue", "support")
        .header("x-tenant", "acme")
        .maxDuration(Duration.ofMillis(500))
        .build();
    try (FakeRingCx ringCx = sender().secret("s3cret").build()) {
      RingCxCallResult result = ringCx.play(script);
      assertThat(result.completed()).isTrue();
      assertThat(result.failure()).isNull();
      assertThat(result.status()).isEqualTo(Status.Code.OK);
      assertThat(result.mediaSent()).isEqualTo(10);
      assertThat(result.segments().keySet()).containsExactly("contact", "agent");
      assertThat(result.segment("agent").framesPlanned()).isEqualTo(5);
    }

    RawGrpcReceiver.Call call = receiver.awaitEndedCall(TIMEOUT);
    assertThat(call.end).isEqualTo("completed");
    assertThat(call.headers).containsEntry("authorization", "Bearer s3cret").containsEntry("x-tenant", "acme");
    List<StreamEvent> events = call.events();
    assertThat(events.stream().map(FakeRingCxTest::describe)).containsExactly(
        "init", "start contact", "start agent",
        "media contact 1", "media agent 1", "media contact 2", "media agent 2", "media contact 3", "media agent 3",
        "media contact 4", "media agent 4", "media contact 5", "media agent 5",
        "stop contact", "stop agent");
    assertThat(events).allSatisfy(e -> assertThat(e.getSessionId()).isEqualTo("session-7"));
    DialogInitEvent init = events.get(0).getDialogInit();
    assertThat(init.getDialog().getId()).isEqualTo("dialog-42");
    assertThat(init.getDialog().getAni()).isEqualTo("6505550100");
    assertThat(init.getDialog().getAttributesMap()).containsEntry("queue", "support");
    assertThat(init.getAccount().getId()).isEqualTo("99990000");
    SegmentStartEvent start = events.get(1).getSegmentStart();
    assertThat(start.getParticipant().getType()).isEqualTo(ParticipantType.CONTACT);
    assertThat(events.get(2).getSegmentStart().getParticipant().getType()).isEqualTo(ParticipantType.AGENT);
    assertThat(start.getAudioFormat().getCodec()).isEqualTo(Codec.PCMU);
    assertThat(start.getAudioFormat().getRate()).isEqualTo(8000);
    assertThat(start.getAudioFormat().getPtime()).isEqualTo(100);
    for (int k = 0; k < 5; k++) {
      var contactChunk = media(events, "contact").get(k).getSegmentMedia().getAudioContent();
      var agentChunk = media(events, "agent").get(k).getSegmentMedia().getAudioContent();
      assertThat(contactChunk.getDuration()).isEqualTo(100);
      assertThat(contactChunk.getPayload().toByteArray()).hasSize(800).isEqualTo(mulaw(contact, 5L * k, 5));
      assertThat(agentChunk.getPayload().toByteArray()).isEqualTo(mulaw(agent, 5L * k, 5));
    }
  }

  @Test
  void participantsJoinAndLeaveAtTheirTimesWithHoldAndUnholdInfo() throws Exception {
    RingCxScript script = RingCxScript.builder()
        .segment(RingCxSegment.contact("c").build())
        .segment(RingCxSegment.bot("b").participantName("Assistant")
            .joinAt(Duration.ofMillis(200)).leaveAt(Duration.ofMillis(400))
            .hold(Duration.ofMillis(300), Duration.ofMillis(350))
            .build())
        .maxDuration(Duration.ofMillis(500))
        .build();
    try (FakeRingCx ringCx = sender().build()) {
      assertThat(ringCx.play(script).completed()).isTrue();
    }

    List<StreamEvent> events = receiver.awaitEndedCall(TIMEOUT).events();
    assertThat(events.stream().map(FakeRingCxTest::describe)).containsExactly(
        "init", "start c", "media c 1", "media c 2",
        "start b", "media c 3", "media b 1",
        "info b hold", "media c 4", "media b 2",
        "info b unhold",
        "media c 5", "stop b", "stop c");
    StreamEvent botStart = events.get(4);
    assertThat(botStart.getSegmentStart().getParticipant().getType()).isEqualTo(ParticipantType.BOT);
    assertThat(botStart.getSegmentStart().getParticipant().getName()).isEqualTo("Assistant");
  }

  @Test
  void pcmaAndOtherChunkDurationsCarryTheSourceAudioExactly() throws Exception {
    AudioSource tone = AudioSource.tone(1000, 0.8);
    RingCxScript script = RingCxScript.builder()
        .segment(RingCxSegment.contact("alaw").codec(Codec.PCMA).ptime(20).audio(tone).build())
        .segment(RingCxSegment.agent("l16").codec(Codec.L16).ptime(30).audio(tone).build())
        .maxDuration(Duration.ofMillis(120))
        .build();
    try (FakeRingCx ringCx = sender().build()) {
      RingCxCallResult result = ringCx.play(script);
      assertThat(result.segment("alaw").framesSent()).isEqualTo(6);
      assertThat(result.segment("l16").framesSent()).isEqualTo(4);
    }

    List<StreamEvent> events = receiver.awaitEndedCall(TIMEOUT).events();
    byte[] source = mulaw(tone, 0, 6);
    List<StreamEvent> alaw = media(events, "alaw");
    assertThat(alaw).hasSize(6);
    for (int k = 0; k < 6; k++) {
      byte[] payload = alaw.get(k).getSegmentMedia().getAudioContent().getPayload().toByteArray();
      assertThat(payload).hasSize(160);
      for (int i = 0; i < 160; i++) {
        // A-law cannot hold every mu-law value: each sample is the A-law code of the source's sample
        assertThat(payload[i]).isEqualTo(G711.pcmToAlaw(G711.mulawToPcm(source[160 * k + i])));
      }
    }
    List<StreamEvent> l16 = media(events, "l16");
    assertThat(l16).hasSize(4);
    for (int k = 0; k < 4; k++) {
      byte[] payload = l16.get(k).getSegmentMedia().getAudioContent().getPayload().toByteArray();
      assertThat(payload).hasSize(480); // 30 ms = 240 samples, big-endian
      for (int i = 0; i < 240; i++) {
        short sample = (short) ((payload[2 * i] << 8) | (payload[2 * i + 1] & 0xff));
        assertThat(sample).isEqualTo(G711.mulawToPcm(source[240 * k + i]));
      }
    }
  }

  @Test
  void dropDuplicateAndReorderArriveAsReportedAndRepeatWithTheSeed() throws Exception {
    RingCxScript script = RingCxScript.builder().maxDuration(Duration.ofSeconds(20)).build();
    List<List<Long>> arrivals = new ArrayList<>();
    List<RingCxCallResult> results = new ArrayList<>();
    for (long seed : new long[] {5, 5, 6}) {
      try (FakeRingCx ringCx = sender().faults(Fault.DROP, Fault.DUPLICATE, Fault.REORDER).faultRate(0.1).seed(seed).build()) {
        results.add(ringCx.play(script));
      }
      arrivals.add(seqs(media(receiver.awaitEndedCall(TIMEOUT).events(), "contact")));
    }

    RingCxCallResult first = results.get(0);
    ChannelReport contact = first.segment("contact");
    assertThat(first.completed()).isTrue();
    assertThat(contact.dropped()).isNotEmpty();
    assertThat(contact.duplicated()).isNotEmpty();
    assertThat(contact.reordered()).isNotEmpty();
    List<Long> arrived = arrivals.get(0);
    assertThat(arrived).hasSize((int) contact.mediaSent());
    assertThat(new HashSet<>(arrived)).doesNotContainAnyElementsOf(contact.dropped());
    for (long seq : contact.duplicated()) {
      assertThat(arrived.stream().filter(s -> s == seq).count()).as("seq %d", seq).isEqualTo(2);
    }
    for (long seq : contact.reordered()) {
      int at = arrived.indexOf(seq);
      assertThat(arrived.get(at - 1)).as("seq %d arrives right after its successor", seq).isEqualTo(seq + 1);
    }
    assertThat(contact.framesSent()).isEqualTo(contact.framesPlanned() - contact.dropped().size());
    // the same seed repeats everything, another seed does not
    assertThat(arrivals.get(1)).isEqualTo(arrived);
    assertThat(results.get(1).segments()).isEqualTo(first.segments());
    assertThat(arrivals.get(2)).isNotEqualTo(arrived);
  }

  @Test
  void abortCancelsTheCallMidwayWithoutStops() throws Exception {
    RingCxScript script = RingCxScript.builder().maxDuration(Duration.ofSeconds(10)).build();
    RingCxCallResult result;
    try (FakeRingCx ringCx = sender().faults(Fault.ABORT).seed(3).build()) {
      result = ringCx.play(script);
    }

    assertThat(result.aborted()).isTrue();
    assertThat(result.completed()).isTrue();
    assertThat(result.status()).isEqualTo(Status.Code.CANCELLED);
    long sent = result.segment("contact").framesSent() + result.segment("agent").framesSent();
    assertThat(sent).isBetween(50L, 150L); // 25 % to 75 % of 200 chunks
    RawGrpcReceiver.Call call = receiver.awaitEndedCall(TIMEOUT);
    assertThat(call.end).isEqualTo("cancelled");
    assertThat(call.events()).noneMatch(StreamEvent::hasSegmentStop);
    assertThat((long) media(call.events(), "contact").size() + media(call.events(), "agent").size()).isLessThanOrEqualTo(sent);
  }

  @Test
  void garbageSendsUnknownFieldsAndEventsForAnUnknownSegmentBesideTheAudio() throws Exception {
    RingCxScript script = RingCxScript.builder().maxDuration(Duration.ofSeconds(2)).build();
    RingCxCallResult result;
    try (FakeRingCx ringCx = sender().faults(Fault.GARBAGE).build()) {
      result = ringCx.play(script);
    }

    assertThat(result.completed()).isTrue();
    assertThat(result.garbageSent()).isEqualTo(3);
    List<StreamEvent> events = receiver.awaitEndedCall(TIMEOUT).events();
    assertThat(media(events, "contact")).hasSize(20);
    assertThat(media(events, "agent")).hasSize(20);
    List<StreamEvent> unknownCase = events.stream().filter(e -> e.getEventCase() == StreamEvent.EventCase.EVENT_NOT_SET).toList();
    assertThat(unknownCase).hasSize(1);
    assertThat(unknownCase.get(0).getUnknownFields().hasField(100)).isTrue();
    assertThat(media(events, "unknown-segment")).hasSize(1);
    assertThat(events).filteredOn(e -> e.hasSegmentInfo() && e.getSegmentInfo().getSegmentId().equals("unknown-segment"))
        .singleElement()
        .satisfies(e -> assertThat(e.getSegmentInfo().getUnknownFields().hasField(100)).isTrue());
  }

  @Test
  void aStatusOtherThanOkFailsTheCall() throws Exception {
    receiver.refuseWith(Status.UNAUTHENTICATED.withDescription("bad token"));
    try (FakeRingCx ringCx = sender().secret("wrong").build()) {
      RingCxCallResult result = ringCx.play(RingCxScript.builder().maxDuration(Duration.ofSeconds(1)).build());
      assertThat(result.failed()).isTrue();
      assertThat(result.status()).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(result.statusDescription()).isEqualTo("bad token");
      assertThat(result.failure()).hasMessageContaining("UNAUTHENTICATED");
    }
  }

  @Test
  void anUnreachableServerFailsTheCallWithUnavailable() throws Exception {
    int port = receiver.port();
    receiver.close();
    try (FakeRingCx ringCx = FakeRingCx.builder(URI.create("grpc://127.0.0.1:" + port)).pacing(Pacing.FLOOD).build()) {
      RingCxCallResult result = ringCx.play(RingCxScript.builder().maxDuration(Duration.ofSeconds(1)).build());
      assertThat(result.failed()).isTrue();
      assertThat(result.status()).isEqualTo(Status.Code.UNAVAILABLE);
    }
  }

  @Test
  void floodWaitsForTheServersFlowControlInsteadOfBuffering() throws Exception {
    receiver.close();
    receiver = new RawGrpcReceiver(null, 64 * 1024);
    CountDownLatch gate = receiver.holdReading();
    AtomicLong framesRead = new AtomicLong();
    AudioSource tone = AudioSource.tone(300, 0.5);
    AudioSource counting = new AudioSource() {
      @Override
      public long frameCount() {
        return UNLIMITED;
      }

      @Override
      public void readFrame(long index, byte[] frame) {
        framesRead.incrementAndGet();
        tone.readFrame(index, frame);
      }
    };
    // 2 x 600 chunks of 800 bytes: about 1 MB, far more than the 64 KiB window
    RingCxScript script = RingCxScript.builder().agentAudio(counting).otherAudio(counting)
        .maxDuration(Duration.ofSeconds(60)).build();
    try (FakeRingCx ringCx = sender().build()) {
      var call = ringCx.start(script);
      await().atMost(TIMEOUT).pollDelay(Duration.ofMillis(300)).until(() -> {
        long before = framesRead.get();
        Thread.sleep(300);
        return framesRead.get() == before && before > 0;
      });
      assertThat(framesRead.get()).as("frames generated while the server does not read").isLessThan(6000 / 4);
      assertThat(call).isNotDone();

      gate.countDown();
      RingCxCallResult result = call.get(TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
      assertThat(result.completed()).isTrue();
      assertThat(framesRead.get()).isEqualTo(6000);
    }
    assertThat(media(receiver.awaitEndedCall(TIMEOUT).events(), "agent")).hasSize(600);
  }

  @Test
  void realTimePacingSpreadsTheChunksOverTheCall() throws Exception {
    try (FakeRingCx ringCx = FakeRingCx.builder(receiver.url()).build()) {
      RingCxCallResult result = ringCx.play(RingCxScript.builder().maxDuration(Duration.ofMillis(1000)).build());
      assertThat(result.completed()).isTrue();
      // chunk 10 of each segment is due 900 ms in, the stops at 1000 ms
      assertThat(result.elapsed()).isGreaterThanOrEqualTo(Duration.ofMillis(1000)).isLessThan(Duration.ofSeconds(5));
    }
  }

  @Test
  void manyConcurrentCallsEachGetTheirOwnDialog() throws Exception {
    RingCxLoadResult load;
    try (FakeRingCx ringCx = sender().build()) {
      load = ringCx.run(20, i -> RingCxScript.numbered(4, i).maxDuration(Duration.ofMillis(300)).build());
    }
    assertThat(load.calls()).isEqualTo(20);
    assertThat(load.failedCalls()).isZero();
    assertThat(load.mediaSent()).isEqualTo(20 * 6);
    assertThat(load.toJson()).startsWith("{\"calls\": 20, \"failedCalls\": 0, \"mediaSent\": 120, \"seconds\": ");
    Set<String> dialogs = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      RawGrpcReceiver.Call call = receiver.awaitEndedCall(TIMEOUT);
      assertThat(call.end).isEqualTo("completed");
      dialogs.add(call.events().get(0).getDialogInit().getDialog().getId() + "/" + call.events().get(0).getSessionId());
    }
    assertThat(dialogs).hasSize(20).contains("dialog-4-0/1", "dialog-4-19/20");
  }

  @Test
  void aSharedConnectionCarriesEveryCall() throws Exception {
    try (FakeRingCx ringCx = sender().sharedConnection(true).build()) {
      RingCxLoadResult load = ringCx.run(5, i -> RingCxScript.numbered(1, i).maxDuration(Duration.ofMillis(200)).build());
      assertThat(load.failedCalls()).isZero();
    }
    for (int i = 0; i < 5; i++) {
      assertThat(receiver.awaitEndedCall(TIMEOUT).end).isEqualTo("completed");
    }
  }

  @Test
  void scriptsRefuseImpossibleTimelines() {
    assertThatThrownBy(() -> RingCxScript.builder().build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("endless audio");
    assertThatThrownBy(() -> RingCxSegment.contact("c").joinAt(Duration.ofSeconds(2)).leaveAt(Duration.ofSeconds(1)).build())
        .hasMessageContaining("leaves before it joins");
    assertThatThrownBy(() -> RingCxSegment.contact("c").codec(Codec.PCMU).rate(16000).build())
        .hasMessageContaining("rate must be 8000");
    assertThatThrownBy(() -> RingCxScript.builder()
        .segment(RingCxSegment.contact("x").build()).segment(RingCxSegment.agent("x").build())
        .maxDuration(Duration.ofSeconds(1)).build())
        .hasMessageContaining("two segments with id x");
    assertThatThrownBy(() -> FakeRingCx.builder(URI.create("ws://127.0.0.1:1")))
        .hasMessageContaining("not grpc:// or grpcs://");
    assertThatThrownBy(() -> FakeRingCx.builder(URI.create("grpc://127.0.0.1:1")).insecure(true).build())
        .hasMessageContaining("grpcs://");
    assertThatThrownBy(() -> RingCxScript.builder().header("Authorization", "x"))
        .hasMessageContaining("secret");
  }
}
