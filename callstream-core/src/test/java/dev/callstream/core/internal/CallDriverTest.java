package dev.callstream.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.callstream.core.AudioChannel;
import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallInfo;
import dev.callstream.core.CallMetadata;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamException;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.ChannelStats;
import dev.callstream.core.EndReason;
import dev.callstream.core.FakeCallSession;
import dev.callstream.core.Gap;
import dev.callstream.core.MalformedEventException;
import dev.callstream.core.Participant;
import dev.callstream.core.ParticipantType;
import dev.callstream.core.Segment;
import dev.callstream.core.SegmentInfo;
import dev.callstream.core.Transport;
import dev.callstream.core.TransportEvent;
import dev.callstream.core.audio.AudioFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CallDriverTest {

  static final AudioFormat PCMU_100 = new AudioFormat(AudioFormat.Encoding.MULAW, 8000, 100);
  static final Participant CONTACT = new Participant("p-contact", ParticipantType.CONTACT, "Carol");
  static final Participant AGENT = new Participant("p-agent", ParticipantType.AGENT, "Alice");
  static final Participant BOT = new Participant("p-bot", ParticipantType.BOT, null);
  static final CallMetadata DIALOG = new CallMetadata("dialog-1", "session-1", "acc", null, null, null, null, null,
      "INBOUND", "+1555", "+1666", "en-US", Map.of("k", "v"));

  /** Records every callback as a line; can be told to throw from one of them. */
  static final class Lines implements CallStreamListener {
    final List<String> calls = new ArrayList<>();
    final List<AudioFrame> frames = new ArrayList<>();
    String throwOn;

    private void record(String call) {
      calls.add(call);
      if (throwOn != null && call.startsWith(throwOn)) {
        throw new IllegalStateException("listener bug");
      }
    }

    @Override
    public void onStart(CallSession session) {
      record("start " + session.metadata().callId());
    }

    @Override
    public void onSegmentStart(CallSession session, Segment segment) {
      assertThat(session.segments()).contains(segment);
      record("segment " + segment.id() + " " + segment.channel().label() + " @" + segment.startMillis());
    }

    @Override
    public void onAudio(CallSession session, AudioFrame frame) {
      frames.add(frame);
      record("audio " + frame.segment().id() + " " + frame.position());
    }

    @Override
    public void onGap(CallSession session, Gap gap) {
      record("gap " + gap.segment().id() + " " + gap.fromPosition() + "+" + gap.frameCount());
    }

    @Override
    public void onSegmentInfo(CallSession session, Segment segment, SegmentInfo info) {
      record("info " + segment.id() + " " + info.event());
    }

    @Override
    public void onSegmentStop(CallSession session, Segment segment) {
      record("stop " + segment.id());
    }

    @Override
    public void onTransportEvent(CallSession session, TransportEvent event) {
      record("event " + event.name());
    }

    @Override
    public void onError(CallSession session, CallStreamException error) {
      record("error " + error.getClass().getSimpleName());
    }

    @Override
    public void onEnd(CallSession session, EndReason reason, Throwable cause) {
      record("end " + reason.label());
    }
  }

  final Lines listener = new Lines();
  final AtomicInteger closes = new AtomicInteger();
  final CallDriver driver = new CallDriver(CallInfo.empty(Transport.GRPC), listener, 5, closes::incrementAndGet);

  static byte[] chunk(int n) {
    byte[] payload = new byte[800];
    payload[0] = (byte) n;
    return payload;
  }

  @Test
  void aGrpcShapedCallCallsBackInOrderPerSegment() {
    driver.start(DIALOG, Map.of("dialog", Map.of("id", "dialog-1")));
    driver.segmentStart("s1", CONTACT, PCMU_100, 1);
    driver.segmentStart("s2", AGENT, PCMU_100, 1);
    driver.media("s1", 1, chunk(1));
    driver.media("s2", 2, chunk(2));   // s2's first chunk is lost
    driver.media("s1", 2, chunk(2));
    driver.segmentInfo("s1", new SegmentInfo("hold", null));
    driver.segmentStop("s1");
    driver.segmentStop("s2");
    driver.end(EndReason.STOPPED, null);

    assertThat(listener.calls).containsExactly(
        "start dialog-1", "segment s1 conference @0", "segment s2 agent @0",
        "audio s1 0", "audio s1 1", "info s1 hold", "stop s1", "gap s2 0+1", "audio s2 1", "stop s2", "end stopped");
    AudioFrame agentFrame = listener.frames.get(2);
    assertThat(agentFrame.channel()).isEqualTo(AudioChannel.AGENT);
    assertThat(agentFrame.sequence()).isEqualTo(2);
    assertThat(agentFrame.durationMillis()).isEqualTo(100);
    assertThat(agentFrame.startMillis()).isEqualTo(100);
    assertThat(agentFrame.sampleCount()).isEqualTo(800);
    CallSession session = driver.session();
    assertThat(session.callId()).isEqualTo("dialog-1");
    assertThat(session.sessionId()).isEqualTo("session-1");
    assertThat(session.transport()).isEqualTo(Transport.GRPC);
    assertThat(session.wireDetails()).containsKey("dialog");
    assertThat(session.stats(AudioChannel.AGENT)).isEqualTo(new ChannelStats(1, 1, 0, 0, 0));
    assertThat(session.stats(session.segment("s1"))).isEqualTo(new ChannelStats(2, 0, 0, 0, 0));
    assertThat(driver.allSegmentsStopped()).isTrue();
  }

  @Test
  void everyFrameReceivedBeforeAStopIsDeliveredBeforeIt() {
    driver.segmentStart("s1", CONTACT, PCMU_100, 1);
    driver.media("s1", 1, chunk(1));
    driver.media("s1", 3, chunk(3));   // 2 is missing: 3 is held in the window
    driver.media("s1", 4, chunk(4));
    assertThat(listener.calls).containsExactly("segment s1 conference @0", "audio s1 0");
    driver.segmentStop("s1");
    assertThat(listener.calls).containsExactly("segment s1 conference @0", "audio s1 0",
        "gap s1 1+1", "audio s1 2", "audio s1 3", "stop s1");
    driver.media("s1", 5, chunk(5));
    assertThat(listener.calls).last().isEqualTo("error MalformedEventException");
    assertThat(driver.session().stats(driver.session().segment("s1")).late()).isEqualTo(1);
  }

  @Test
  void withoutAFirstSequenceTheBaseIsTheLowestOfTheFirstFramesEvenOutOfOrder() {
    driver.segmentStart("s1", CONTACT, PCMU_100);
    for (int seq : new int[] {12, 10, 11, 13, 15, 14, 16}) {
      driver.media("s1", seq, chunk(seq));
    }
    driver.end(EndReason.CLOSED, null);
    assertThat(listener.frames).extracting(AudioFrame::position).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
    assertThat(listener.frames).extracting(AudioFrame::sequence).containsExactly(10L, 11L, 12L, 13L, 14L, 15L, 16L);
  }

  @Test
  void anExpectedFirstSequenceTurnsLostFirstFramesIntoGapsAndOtherNumberingsStillWork() {
    driver.segmentStartExpecting("lost", CONTACT, PCMU_100, 1);
    driver.segmentStartExpecting("zero", AGENT, PCMU_100, 1);
    driver.segmentStartExpecting("far", new Participant("b", ParticipantType.BOT, null), PCMU_100, 1);
    for (int seq : new int[] {4, 3, 5}) {     // 1 and 2 lost, 3 and 4 swapped
      driver.media("lost", seq, chunk(seq));
    }
    for (int seq : new int[] {0, 1, 2}) {     // a sender numbering from 0 loses nothing
      driver.media("zero", seq, chunk(seq));
    }
    for (int seq : new int[] {500, 501}) {    // far above the expected start: its own base
      driver.media("far", seq, chunk(seq));
    }
    driver.end(EndReason.CLOSED, null);

    assertThat(listener.calls).contains("gap lost 0+2", "audio lost 2", "audio lost 3", "audio lost 4",
        "audio zero 0", "audio zero 1", "audio zero 2", "audio far 0", "audio far 1");
    assertThat(listener.calls).noneMatch(call -> call.startsWith("gap zero") || call.startsWith("gap far"));
  }

  @Test
  void aSegmentThatJoinsLaterStartsAtTheCallTimelinesCurrentExtent() {
    driver.segmentStart("contact", CONTACT, PCMU_100, 1);
    driver.segmentStart("agent", AGENT, PCMU_100, 1);
    for (int seq = 1; seq <= 30; seq++) {
      driver.media("contact", seq, chunk(seq));   // 3 s of the contact
    }
    for (int seq = 1; seq <= 10; seq++) {
      driver.media("agent", seq, chunk(seq));     // 1 s of the agent
    }
    Segment bot = driver.segmentStart("bot", BOT, new AudioFormat(AudioFormat.Encoding.ALAW, 8000, 20), 1);
    assertThat(bot.startMillis()).isEqualTo(3000);
    assertThat(bot.channel()).isEqualTo(AudioChannel.CONFERENCE);
    driver.media("bot", 1, new byte[160]);
    assertThat(listener.frames.get(listener.frames.size() - 1).startMillis()).isEqualTo(3000);
    driver.media("bot", 2, new byte[160]);
    assertThat(listener.frames.get(listener.frames.size() - 1).startMillis()).isEqualTo(3020);
  }

  @Test
  void aSegmentStartingWhileAnotherSegmentsFirstFramesAreHeldStartsAfterThem() {
    driver.segmentStart("contact", CONTACT, PCMU_100);   // base found from its first frames
    driver.media("contact", 1, chunk(1));
    driver.media("contact", 3, chunk(3));   // out of order: still held to find the base
    driver.media("contact", 2, chunk(2));
    assertThat(listener.frames).isEmpty();
    Segment agent = driver.segmentStart("agent", AGENT, PCMU_100);
    assertThat(agent.startMillis()).isEqualTo(300);
    driver.media("agent", 1, chunk(1));
    driver.end(EndReason.CLOSED, null);
    assertThat(listener.frames).extracting(AudioFrame::startMillis).containsExactly(0L, 100L, 200L, 300L);
  }

  @Test
  void aHeldFirstFrameThatJumpsAbsurdlyFarDoesNotPushALaterSegmentsStart() {
    driver.segmentStart("contact", CONTACT, PCMU_100);
    driver.media("contact", 1, chunk(1));
    driver.media("contact", 1 + CallDriver.MAX_FORWARD_JUMP + 100, chunk(2));   // dropped as late once decided
    driver.media("contact", 2, chunk(3));
    assertThat(driver.segmentStart("agent", AGENT, PCMU_100).startMillis()).isEqualTo(200);
    driver.end(EndReason.CLOSED, null);
    assertThat(driver.session().stats(driver.session().segment("contact")).late()).isEqualTo(1);
  }

  @Test
  void unknownSegmentsSecondStartsAndDuplicateSegmentsAreReportedAndSkipped() {
    driver.start(DIALOG, Map.of());
    driver.start(DIALOG, Map.of());
    driver.media("nope", 1, chunk(1));
    driver.segmentStart("s1", CONTACT, PCMU_100, 1);
    assertThat(driver.segmentStart("s1", AGENT, PCMU_100, 1)).isNull();
    driver.segmentInfo("nope", new SegmentInfo("hold", "x"));
    assertThat(listener.calls).containsExactly("start dialog-1", "error MalformedEventException",
        "error MalformedEventException", "segment s1 conference @0", "error MalformedEventException",
        "error MalformedEventException");
    assertThat(driver.session().segments()).hasSize(1);
    assertThat(driver.ended()).isFalse();
  }

  @Test
  void opusIsDeliveredAsReceivedAndReportedOnceAsNotDecodable() {
    driver.segmentStart("s1", CONTACT, new AudioFormat(AudioFormat.Encoding.OPUS, 48000, 20), 1);
    driver.media("s1", 1, new byte[] {1, 2, 3});
    driver.media("s1", 2, new byte[] {4});
    assertThat(listener.calls).containsExactly("segment s1 conference @0", "error CallStreamException",
        "audio s1 0", "audio s1 1");
    assertThat(listener.frames.get(0).decodable()).isFalse();
    assertThat(listener.frames.get(0).payload()).containsExactly(1, 2, 3);
    assertThatThrownBy(() -> listener.frames.get(0).pcm16le()).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void invalidAndAbsurdSequencesAreLateAndNeverFilled() {
    driver.segmentStart("s1", CONTACT, PCMU_100, 1);
    driver.media("s1", 1, chunk(1));
    driver.media("s1", -5, chunk(2));
    driver.media("s1", 1L << 40, chunk(3));
    driver.media("s1", 1 + 3002, chunk(4));
    driver.media("s1", 1, chunk(1));
    driver.end(EndReason.CLOSED, null);
    assertThat(driver.session().stats(AudioChannel.CONFERENCE)).isEqualTo(new ChannelStats(1, 0, 1, 3, 0));
    assertThat(listener.calls).noneMatch(line -> line.startsWith("gap"));
  }

  @Test
  void aListenerThrowingEndsTheCallWithErrorOnceAndClosesTheConnection() {
    listener.throwOn = "audio";
    driver.segmentStart("s1", CONTACT, PCMU_100, 1);
    assertThat(driver.media("s1", 1, chunk(1))).isFalse();
    assertThat(driver.media("s1", 2, chunk(2))).isFalse();
    driver.end(EndReason.CLOSED, null);
    assertThat(listener.calls).containsExactly("segment s1 conference @0", "audio s1 0", "end error");
    assertThat(closes.get()).isEqualTo(1);
  }

  @Test
  void anEndFromInsideACallbackWaitsForItAndAnOnEndThatThrowsIsSwallowed() {
    CallDriver[] self = new CallDriver[1];
    List<String> calls = new ArrayList<>();
    CallStreamListener closing = new CallStreamListener() {
      @Override
      public void onSegmentStop(CallSession session, Segment segment) {
        session.close();
        calls.add("stop returned");
      }

      @Override
      public void onEnd(CallSession session, EndReason reason, Throwable cause) {
        calls.add("end " + reason.label());
        throw new IllegalStateException("onEnd bug");
      }
    };
    self[0] = new CallDriver(CallInfo.empty(Transport.GRPC), closing, 5, () -> {
      calls.add("close");
      self[0].end(EndReason.CLOSED, null);
    });
    self[0].segmentStart("s1", CONTACT, PCMU_100, 1);
    assertThat(self[0].segmentStop("s1")).isFalse();
    assertThat(calls).containsExactly("close", "stop returned", "end closed");
    assertThat(self[0].ended()).isTrue();
    assertThat(self[0].session().callId()).isEqualTo("unknown");
  }

  @Test
  void countersAreVisibleFromAnotherThread() throws Exception {
    driver.segmentStart("s1", CONTACT, PCMU_100, 1);
    for (int seq = 1; seq <= 10; seq++) {
      driver.media("s1", seq, chunk(seq));
    }
    driver.media("s1", 10, chunk(10));
    ChannelStats seen = CompletableFuture.supplyAsync(() -> driver.session().stats(AudioChannel.CONFERENCE))
        .get(5, TimeUnit.SECONDS);
    assertThat(seen).isEqualTo(new ChannelStats(10, 0, 1, 0, 0));
    assertThat(driver.session().stats(FakeCallSession.segment(AudioChannel.CONFERENCE, PCMU_100)))
        .as("a segment of another call").isEqualTo(ChannelStats.ZERO);
  }

  @Test
  void factoryAllGivesEveryListenerEveryCallbackInOrderAndRethrowsTheFirstFailure() {
    Lines first = new Lines();
    Lines second = new Lines();
    first.throwOn = "audio";
    CallStreamListener both = CallStreamListener.Factory.all(info -> first, info -> second)
        .create(CallInfo.empty(Transport.GRPC));
    CallDriver combined = new CallDriver(CallInfo.empty(Transport.GRPC), both, 5, () -> {});
    combined.segmentStart("s1", CONTACT, PCMU_100, 1);
    combined.media("s1", 1, chunk(1));
    assertThat(first.calls).containsExactly("segment s1 conference @0", "audio s1 0", "end error");
    assertThat(second.calls).isEqualTo(first.calls);
  }

  @Test
  void aCombinedFactoryBlocksWhenAnyOfItsPartsBlocks(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    CallStreamListener.Factory quick = info -> new CallStreamListener() {};
    CallStreamListener.Factory recorder = dev.callstream.core.recording.CallRecorder.builder(dir).build();
    assertThat(quick.blocks()).isFalse();
    assertThat(CallStreamListener.Factory.NONE.blocks()).isFalse();
    assertThat(recorder.blocks()).isTrue();
    assertThat(CallStreamListener.Factory.all(quick, quick).blocks()).isFalse();
    assertThat(CallStreamListener.Factory.all(quick, recorder).blocks()).isTrue();
  }

  @Test
  void aWindowBelowOneIsRefused() {
    assertThatThrownBy(() -> new CallDriver(CallInfo.empty(Transport.WSS), listener, 0, () -> {}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
  }
}
