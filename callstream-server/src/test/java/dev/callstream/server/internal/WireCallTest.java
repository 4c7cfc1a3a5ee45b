package dev.callstream.server.internal;

import static dev.callstream.core.AudioChannel.AGENT;
import static dev.callstream.core.AudioChannel.CONFERENCE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.callstream.core.AudioChannel;
import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallInfo;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamException;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.ChannelStats;
import dev.callstream.core.EndReason;
import dev.callstream.core.Gap;
import dev.callstream.core.Segment;
import dev.callstream.core.Transport;
import dev.callstream.core.TransportEvent;
import dev.callstream.core.audio.AudioFormat;
import dev.callstream.server.wire.Connected;
import dev.callstream.server.wire.MalformedMessageException;
import dev.callstream.server.wire.Media;
import dev.callstream.server.wire.SequenceMode;
import dev.callstream.server.wire.Start;
import dev.callstream.server.wire.Stop;
import dev.callstream.server.wire.Unknown;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The WebSocket mapping: wire events through {@link WireCall} onto the call model. */
class WireCallTest {

  /** Records every callback as a line; can be told to throw from one of them. */
  private static final class RecordingListener implements CallStreamListener {
    final List<String> calls = new ArrayList<>();
    final List<AudioFrame> frames = new ArrayList<>();
    Throwable endCause;
    String throwOn;
    RuntimeException toThrow = new IllegalStateException("listener bug");

    private void record(String call) {
      calls.add(call);
      if (throwOn != null && call.startsWith(throwOn)) {
        throw toThrow;
      }
    }

    boolean recordSegments;

    @Override
    public void onTransportEvent(CallSession session, TransportEvent event) {
      assertThat(event.transport()).isEqualTo(Transport.WSS);
      if (event instanceof Connected connected) {
        record("connected " + connected.protocol());
      } else if (event instanceof Stop) {
        record("stop " + ((List<?>) session.wireDetails().get("stops")).size());
      } else if (event instanceof Unknown unknown) {
        record("unknown " + unknown.eventName());
      }
    }

    @Override
    public void onStart(CallSession session) {
      record("start " + session.metadata().callId());
    }

    @Override
    public void onSegmentStart(CallSession session, Segment segment) {
      if (recordSegments) {
        record("segment " + segment.id());
      }
    }

    @Override
    public void onSegmentStop(CallSession session, Segment segment) {
      if (recordSegments) {
        record("segment stop " + segment.id());
      }
    }

    @Override
    public void onAudio(CallSession session, AudioFrame frame) {
      frames.add(frame);
      record("audio " + frame.channel().label() + " " + frame.position());
    }

    @Override
    public void onGap(CallSession session, Gap gap) {
      record("gap " + gap.channel().label() + " " + gap.fromPosition() + "+" + gap.frameCount());
    }

    @Override
    public void onError(CallSession session, CallStreamException error) {
      record("error " + error.getMessage());
    }

    @Override
    public void onEnd(CallSession session, EndReason reason, Throwable cause) {
      endCause = cause;
      record("end " + reason.label());
    }
  }

  private final RecordingListener listener = new RecordingListener();
  private final AtomicInteger closes = new AtomicInteger();
  private final WireCall driver = new WireCall(QueryParser.parse("callId=q1&sessionId=qs"), listener, 5, closes::incrementAndGet);

  private static Start start(String callId, String contentType) {
    return new Start(callId, "s1", null, null, null, null, null, null, null, null, contentType, 8000, Map.of());
  }

  private static Media media(AudioChannel channel, long sequence) {
    return new Media(channel, sequence, new byte[] {(byte) 0xFF, (byte) 0x00, (byte) sequence});
  }

  private static Stop stop() {
    return new Stop(null, 1L, null, Map.of());
  }

  private void sendBothSides(long fromSequence, long toSequence) {
    for (long s = fromSequence; s <= toSequence; s++) {
      driver.accept(media(AGENT, s));
      driver.accept(media(CONFERENCE, s));
    }
  }

  @Test
  void aNormalCallCallsBackInOrderAndEndsStoppedAfterTwoStops() {
    assertThat(driver.accept(new Connected("AgentSession", "1.0.0"))).isTrue();
    assertThat(driver.accept(start("c1", "audio/x-mulaw"))).isTrue();
    sendBothSides(1, 4);
    assertThat(driver.accept(new Unknown("Future", "{\"event\":\"Future\"}"))).isTrue();
    assertThat(driver.accept(stop())).isTrue();
    assertThat(driver.ended()).isFalse();
    assertThat(driver.accept(stop())).isFalse();
    assertThat(driver.ended()).isTrue();

    // the first six frames are held to detect the numbering, then released in arrival order
    assertThat(listener.calls).containsExactly(
        "connected AgentSession", "start c1",
        "audio agent 0", "audio conference 0", "audio agent 1", "audio conference 1", "audio agent 2", "audio conference 2",
        "audio agent 3", "audio conference 3", "unknown Future", "stop 1", "stop 2", "end stopped");
    assertThat(listener.endCause).isNull();
    assertThat(closes).hasValue(0);
    CallSession session = driver.session();
    assertThat(session.callId()).isEqualTo("c1");
    assertThat(session.sessionId()).isEqualTo("s1");
    assertThat((List<?>) session.wireDetails().get("stops")).hasSize(2);
    assertThat(session.wireDetails().get("sequenceMode")).isEqualTo("per-perspective");
    assertThat(driver.sequenceMode()).isEqualTo(SequenceMode.PER_PERSPECTIVE);
    assertThat(session.stats(AGENT)).isEqualTo(new ChannelStats(4, 0, 0, 0, 0));
    assertThat(session.stats(CONFERENCE)).isEqualTo(new ChannelStats(4, 0, 0, 0, 0));
  }

  @Test
  void framesCarryTheStartFormatSequenceAndPayload() {
    driver.accept(start("c1", "audio/x-alaw"));
    sendBothSides(1, 3);
    driver.end(EndReason.CLOSED, null);
    AudioFrame first = listener.frames.get(0);
    assertThat(first.format()).isEqualTo(new AudioFormat(AudioFormat.Encoding.ALAW, 8000));
    assertThat(first.sequence()).isEqualTo(1);
    assertThat(first.payload()).containsExactly(0xFF, 0x00, 1);
    assertThat(driver.session().segments()).extracting(Segment::format)
        .containsOnly(new AudioFormat(AudioFormat.Encoding.ALAW, 8000));
  }

  @Test
  void mediaBeforeStartIsDecodedAsMulaw8k() {
    assertThat(driver.session().segments()).isEmpty();
    assertThat(driver.session().callId()).isEqualTo("q1");
    assertThat(driver.session().sessionId()).isEqualTo("qs");
    sendBothSides(1, 3);
    driver.end(EndReason.CLOSED, null);
    assertThat(listener.frames).hasSize(6).allSatisfy(f -> assertThat(f.format()).isEqualTo(AudioFormat.MULAW_8K));
  }

  @Test
  void aSecondStartIsReportedAndIgnored() {
    driver.accept(start("c1", null));
    assertThat(driver.accept(start("c2", null))).isTrue();
    assertThat(listener.calls).hasSize(2);
    assertThat(listener.calls.get(1)).startsWith("error ").contains("duplicate Start");
    assertThat(driver.session().metadata().callId()).isEqualTo("c1");
  }

  @Test
  void stopsBeforeStartStillEndTheCall() {
    driver.accept(stop());
    driver.accept(stop());
    assertThat(listener.calls).containsExactly("stop 1", "stop 2", "end stopped");
    assertThat(driver.session().callId()).isEqualTo("q1");
  }

  @Test
  void twoStopsNamingTheSameSideDoNotEndTheCallButBothSidesDo() {
    driver.accept(new Stop(AGENT, null, null, Map.of()));
    driver.accept(new Stop(AGENT, null, null, Map.of()));
    assertThat(driver.ended()).isFalse();
    driver.accept(new Stop(CONFERENCE, null, null, Map.of()));
    assertThat(driver.ended()).isTrue();
    assertThat(listener.calls).endsWith("end stopped");
  }

  @Test
  void endIsIdempotentAndEventsAfterItAreIgnored() {
    driver.accept(start("c1", null));
    driver.end(EndReason.CLOSED, null);
    driver.end(EndReason.CLOSED, null);
    driver.end(EndReason.ERROR, new RuntimeException());
    assertThat(driver.accept(media(AGENT, 1))).isFalse();
    assertThat(driver.accept(stop())).isFalse();
    driver.reportError(new MalformedMessageException("late"));
    assertThat(listener.calls).containsExactly("start c1", "end closed");
  }

  @Test
  void endFlushesHeldFramesWithGapsBetween() {
    driver.accept(start("c1", null));
    for (long s : new long[] {1, 2, 3, 4, 5, 6, 8, 10}) {
      driver.accept(media(AGENT, s));
    }
    assertThat(listener.calls).containsExactly("start c1", "audio agent 0", "audio agent 1", "audio agent 2",
        "audio agent 3", "audio agent 4", "audio agent 5");
    driver.end(EndReason.CLOSED, null);
    assertThat(listener.calls.subList(7, listener.calls.size())).containsExactly(
        "gap agent 6+1", "audio agent 7", "gap agent 8+1", "audio agent 9", "end closed");
    assertThat(driver.session().stats(AGENT)).isEqualTo(new ChannelStats(8, 2, 0, 0, 0));
  }

  @Test
  void aListenerThrowingInOnAudioEndsTheCallWithErrorAndClosesTheConnection() {
    listener.throwOn = "audio agent 1";
    driver.accept(start("c1", null));
    boolean open = true;
    for (long s = 1; s <= 6 && open; s++) {
      open = driver.accept(media(AGENT, s));
    }
    assertThat(open).isFalse();
    assertThat(driver.ended()).isTrue();
    assertThat(listener.calls).containsExactly("start c1", "audio agent 0", "audio agent 1", "end error");
    assertThat(listener.endCause).isSameAs(listener.toThrow);
    assertThat(closes).hasValue(1);
    assertThat(driver.accept(media(AGENT, 7))).isFalse();
    driver.end(EndReason.CLOSED, null);
    assertThat(listener.calls).hasSize(4);
  }

  @Test
  void aListenerThrowingDuringTheFinalFlushEndsWithError() {
    listener.throwOn = "gap";
    for (long s : new long[] {1, 2, 3, 4, 5, 6, 8}) {
      driver.accept(media(CONFERENCE, s));
    }
    driver.end(EndReason.CLOSED, null);
    assertThat(listener.calls).endsWith("gap conference 6+1", "end error");
    assertThat(listener.endCause).isSameAs(listener.toThrow);
    assertThat(closes).hasValue(1);
  }

  @Test
  void aListenerThrowingInOnStopOrOnErrorEndsTheCallOnce() {
    listener.throwOn = "error";
    driver.accept(stop());
    driver.reportError(new MalformedMessageException("bad message"));
    driver.accept(stop());
    assertThat(listener.calls).containsExactly("stop 1", "error bad message", "end error");
    assertThat(closes).hasValue(1);
  }

  @Test
  void anOnEndThatThrowsIsSwallowed() {
    listener.throwOn = "end";
    driver.end(EndReason.SHUTDOWN, null);
    driver.end(EndReason.CLOSED, null);
    assertThat(listener.calls).containsExactly("end shutdown");
    assertThat(driver.ended()).isTrue();
    assertThat(closes).hasValue(0);
  }

  @Test
  void sessionCloseRunsCloseConnectionAndAnEndFromInsideACallbackWaitsForIt() {
    WireCall[] self = new WireCall[1];
    List<String> calls = new ArrayList<>();
    CallStreamListener closingListener = new CallStreamListener() {
      @Override
      public void onTransportEvent(CallSession session, TransportEvent event) {
        session.close(); // the transport reports the close synchronously, from inside this callback
        calls.add("stop returned");
      }

      @Override
      public void onEnd(CallSession session, EndReason reason, Throwable cause) {
        calls.add("end " + reason.label());
      }
    };
    self[0] = new WireCall(CallInfo.empty(Transport.WSS), closingListener, 5, () -> {
      calls.add("close");
      self[0].end(EndReason.CLOSED, null);
    });
    assertThat(self[0].accept(stop())).isFalse();
    assertThat(calls).containsExactly("close", "stop returned", "end closed");
    assertThat(self[0].session().callId()).isEqualTo("unknown");
  }

  @Test
  void countersAreVisibleFromAnotherThread() throws Exception {
    sendBothSides(1, 10);
    driver.accept(media(AGENT, 10));
    driver.accept(media(AGENT, Media.NO_SEQUENCE));
    ChannelStats seen = CompletableFuture.supplyAsync(() -> driver.session().stats(AGENT)).get(5, TimeUnit.SECONDS);
    assertThat(seen).isEqualTo(new ChannelStats(10, 0, 1, 1, 0));
    assertThat(CompletableFuture.supplyAsync(() -> driver.session().wireDetails().get("sequenceMode")).get(5, TimeUnit.SECONDS))
        .isEqualTo("per-perspective");
  }

  @Test
  void aWindowBelowOneIsRefused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new WireCall(CallInfo.empty(Transport.WSS), listener, 0, () -> {}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
  }

  @Test
  void startMakesTwoSegmentsAndEveryFrameReceivedBeforeAStopIsDeliveredBeforeIt() {
    listener.recordSegments = true;
    driver.accept(start("c1", null));
    for (long s : new long[] {1, 2, 3, 4, 5, 6, 8, 9}) {   // 7 is missing: 8 and 9 are held in the window
      driver.accept(media(AGENT, s));
    }
    driver.accept(new Stop(AGENT, null, null, Map.of()));
    assertThat(listener.calls).containsExactly("start c1", "segment agent", "segment conference",
        "audio agent 0", "audio agent 1", "audio agent 2", "audio agent 3", "audio agent 4", "audio agent 5",
        "gap agent 6+1", "audio agent 7", "audio agent 8", "stop 1", "segment stop agent");
    driver.accept(stop());
    assertThat(listener.calls).endsWith("stop 2", "segment stop conference", "end stopped");
    assertThat(driver.session().segments()).extracting(segment -> segment.participant().type().name())
        .containsExactly("AGENT", "CONTACT");
  }
}
