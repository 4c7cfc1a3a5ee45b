package dev.callstream.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.callstream.core.AudioChannel;
import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.EndReason;
import dev.callstream.core.Transport;
import dev.callstream.core.TransportEvent;
import dev.callstream.grpc.proto.ParticipantType;
import io.grpc.Status;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CallStreamGrpcServerTest {

  @Test
  void aWholeCallReachesTheListenerInOrderAndTheRpcCompletesWithOk() throws Exception {
    try (GrpcHarness grpc = GrpcHarness.plaintext(b -> b)) {
      GrpcHarness.ClientStream stream = grpc.open();
      stream.send(RingCx.dialogInit("dialog-7"),
          RingCx.segmentStart("s-contact", ParticipantType.CONTACT),
          RingCx.segmentStart("s-agent", ParticipantType.AGENT));
      for (int seq = 1; seq <= 5; seq++) {
        stream.send(RingCx.media("s-contact", seq, RingCx.everyCode(seq, 800)),
            RingCx.media("s-agent", seq, RingCx.everyCode(100 + seq, 800)));
      }
      stream.send(RingCx.info("s-contact", "hold", "{\"by\":\"agent\"}"), RingCx.info("s-contact", "unhold", null),
          RingCx.stop("s-agent"), RingCx.stop("s-contact"));
      stream.halfClose();

      assertThat(stream.awaitStatus().getCode()).isEqualTo(Status.Code.OK);
      assertThat(stream.responses).isEqualTo(1);
      RecordingCallListener call = grpc.listeners.next();
      // onEnd has run before the client saw OK
      assertThat(call.end).isCompletedWithValue(EndReason.STOPPED);
      assertThat(call.lines).containsExactly(
          "start dialog-7 session-1",
          "segmentStart s-contact CONTACT MULAW/8000/100 CONFERENCE",
          "segmentStart s-agent AGENT MULAW/8000/100 AGENT",
          "info s-contact hold {\"by\":\"agent\"}",
          "info s-contact unhold null",
          "segmentStop s-agent",
          "segmentStop s-contact",
          "end STOPPED");
      List<AudioFrame> contact = call.frames("s-contact");
      assertThat(contact).extracting(AudioFrame::position).containsExactly(0L, 1L, 2L, 3L, 4L);
      assertThat(contact).extracting(AudioFrame::sequence).containsExactly(1L, 2L, 3L, 4L, 5L);
      assertThat(contact.get(2).payload()).isEqualTo(RingCx.everyCode(3, 800));
      assertThat(contact.get(2).durationMillis()).isEqualTo(100);
      assertThat(call.frames("s-agent")).hasSize(5).allSatisfy(f -> assertThat(f.channel()).isEqualTo(AudioChannel.AGENT));
      assertThat(call.errors).isEmpty();
      assertThat(call.gaps).isEmpty();
    }
  }

  @Test
  void theCallCarriesTheDialogMetadataAndWireDetails() throws Exception {
    try (GrpcHarness grpc = GrpcHarness.plaintext(b -> b)) {
      GrpcHarness.ClientStream stream = grpc.open("token-not-checked");
      stream.send(RingCx.dialogInit("dialog-8"));
      stream.halfClose();
      assertThat(stream.awaitStatus().getCode()).isEqualTo(Status.Code.OK);
      RecordingCallListener call = grpc.listeners.next();
      call.awaitEnd();

      assertThat(call.info.transport()).isEqualTo(Transport.GRPC);
      assertThat(call.info.parameters()).containsEntry("x-tenant", "acme").doesNotContainKeys("authorization", "x-api-token");
      CallSession session = call.session;
      assertThat(session.transport()).isEqualTo(Transport.GRPC);
      assertThat(session.callId()).isEqualTo("dialog-8");
      assertThat(session.sessionId()).isEqualTo("session-1");
      assertThat(session.metadata().accountId()).isEqualTo("acc-1");
      assertThat(session.metadata().subaccountId()).isEqualTo("sub-2");
      assertThat(session.metadata().rcAccountId()).isEqualTo("rc-3");
      assertThat(session.metadata().dialogType()).isEqualTo("INBOUND");
      assertThat(session.metadata().ani()).isEqualTo("+15551230000");
      assertThat(session.metadata().language()).isNull();
      assertThat(session.metadata().attributes()).containsExactly(Map.entry("queue", "sales"), Map.entry("tier", "gold"));
      Map<String, Object> wire = session.wireDetails();
      assertThat(wire).containsOnlyKeys("account", "dialog");
      assertThat(map(wire.get("account"))).containsEntry("id", "acc-1").containsEntry("subAccountId", "sub-2")
          .containsEntry("rcAccountId", "rc-3");
      assertThat(map(wire.get("dialog"))).containsEntry("id", "dialog-8").containsEntry("type", "INBOUND")
          .containsEntry("dnis", "+15559870000").containsEntry("language", null);
      // no segment was started: the stream ended without every segment stopped
      assertThat(call.end).isCompletedWithValue(EndReason.CLOSED);
    }
  }

  @Test
  void everyEventButMediaIsAlsoDeliveredRaw() throws Exception {
    try (GrpcHarness grpc = GrpcHarness.plaintext(b -> b)) {
      GrpcHarness.ClientStream stream = grpc.open();
      stream.send(RingCx.dialogInit("d"), RingCx.segmentStart("s1", ParticipantType.BOT),
          RingCx.media("s1", 1, new byte[800]), RingCx.info("s1", "hold", null), RingCx.stop("s1"));
      stream.halfClose();
      assertThat(stream.awaitStatus().getCode()).isEqualTo(Status.Code.OK);
      RecordingCallListener call = grpc.listeners.next();
      call.awaitEnd();
      assertThat(call.transportEvents).extracting(TransportEvent::name)
          .containsExactly("dialog_init", "segment_start", "segment_info", "segment_stop");
      TransportEvent start = call.transportEvents.get(1);
      assertThat(start.transport()).isEqualTo(Transport.GRPC);
      assertThat(start.fields()).containsEntry("sessionId", "session-1");
      Map<String, Object> segmentStart = map(start.fields().get("segmentStart"));
      assertThat(segmentStart.get("segmentId")).isEqualTo("s1");
      assertThat(map(segmentStart.get("participant"))).containsEntry("type", "BOT").containsEntry("name", "Name s1");
      assertThat(map(segmentStart.get("audioFormat"))).containsEntry("codec", "PCMU").containsEntry("rate", 8000L);
      assertThat(segmentStart.get("product")).isNull();
      assertThat(((GrpcTransportEvent) start).event().getSegmentStart().getSegmentId()).isEqualTo("s1");
      assertThat(call.lines).contains("segmentStart s1 BOT MULAW/8000/100 CONFERENCE");
    }
  }

  @Test
  void aHalfCloseBeforeEverySegmentStoppedEndsClosedAndStillCompletesOk() throws Exception {
    try (GrpcHarness grpc = GrpcHarness.plaintext(b -> b)) {
      GrpcHarness.ClientStream stream = grpc.open();
      stream.send(RingCx.dialogInit("d"), RingCx.segmentStart("a", ParticipantType.AGENT),
          RingCx.segmentStart("c", ParticipantType.CONTACT), RingCx.media("a", 1, new byte[800]), RingCx.stop("a"));
      stream.halfClose();
      assertThat(stream.awaitStatus().getCode()).isEqualTo(Status.Code.OK);
      RecordingCallListener call = grpc.listeners.next();
      assertThat(call.awaitEnd()).isEqualTo(EndReason.CLOSED);
      assertThat(call.frames("a")).hasSize(1);
    }
  }

  @Test
  void aMissingAudioFormatMeansPcmu8000With100MsChunks() throws Exception {
    try (GrpcHarness grpc = GrpcHarness.plaintext(b -> b)) {
      GrpcHarness.ClientStream stream = grpc.open();
      stream.send(RingCx.dialogInit("d"), RingCx.segmentStartWithoutFormat("c", ParticipantType.CONTACT),
          RingCx.segmentStart("u", ParticipantType.PARTICIPANT_TYPE_UNSPECIFIED, dev.callstream.grpc.proto.Codec.CODEC_UNSPECIFIED, 0, 0),
          RingCx.stop("c"), RingCx.stop("u"));
      stream.halfClose();
      assertThat(stream.awaitStatus().getCode()).isEqualTo(Status.Code.OK);
      RecordingCallListener call = grpc.listeners.next();
      assertThat(call.awaitEnd()).isEqualTo(EndReason.STOPPED);
      assertThat(call.lines).contains("segmentStart c CONTACT MULAW/8000/100 CONFERENCE",
          "segmentStart u UNKNOWN MULAW/8000/100 CONFERENCE");
    }
  }

  @Test
  void aClientCancelEndsTheCallClosedWithAnError() throws Exception {
    try (GrpcHarness grpc = GrpcHarness.plaintext(b -> b)) {
      GrpcHarness.ClientStream stream = grpc.open();
      stream.send(RingCx.dialogInit("dialog-cancel"), RingCx.segmentStart("a", ParticipantType.AGENT),
          RingCx.media("a", 1, new byte[800]));
      RecordingCallListener call = grpc.listeners.next();
      org.awaitility.Awaitility.await().atMost(60, TimeUnit.SECONDS).until(() -> call.frames.size() + call.lines.size() >= 2);
      stream.cancel();
      assertThat(call.awaitEnd()).isEqualTo(EndReason.CLOSED);
      call.assertErrorMentioning("dialog-cancel");
      call.assertErrorMentioning("cancelled");
      assertThat(stream.awaitStatus().getCode()).isEqualTo(Status.Code.CANCELLED);
      org.awaitility.Awaitility.await().atMost(60, TimeUnit.SECONDS).until(() -> grpc.server.activeCalls() == 0);
    }
  }

  @Test
  void closingTheServerEndsOpenCallsWithShutdown() throws Exception {
    GrpcHarness grpc = GrpcHarness.plaintext(b -> b);
    try {
      GrpcHarness.ClientStream stream = grpc.open();
      stream.send(RingCx.dialogInit("d"), RingCx.segmentStart("a", ParticipantType.AGENT));
      RecordingCallListener call = grpc.listeners.next();
      org.awaitility.Awaitility.await().atMost(60, TimeUnit.SECONDS).until(() -> call.lines.size() >= 2);
      grpc.server.close();
      assertThat(call.end).isCompletedWithValue(EndReason.SHUTDOWN);
      assertThat(stream.awaitStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    } finally {
      grpc.close();
    }
  }

  @Test
  void aListenerThatThrowsEndsOnlyItsOwnCallWithError() throws Exception {
    CompletableFuture<EndReason> throwingEnd = new CompletableFuture<>();
    RecordingCallListener.Factory good = new RecordingCallListener.Factory();
    CallStreamListener.Factory factory = info -> info.parameters().containsKey("x-tenant")
        ? new CallStreamListener() {
            @Override
            public void onStart(CallSession session) {
              throw new IllegalStateException("listener bug");
            }

            @Override
            public void onEnd(CallSession session, EndReason reason, Throwable cause) {
              throwingEnd.complete(reason);
            }
          }
        : good.create(info);
    try (GrpcHarness grpc = GrpcHarness.plaintext(factory, b -> b)) {
      GrpcHarness.ClientStream bad = grpc.open("any");
      GrpcHarness.ClientStream fine = grpc.open();
      bad.send(RingCx.dialogInit("bad"));
      fine.send(RingCx.dialogInit("fine"), RingCx.segmentStart("a", ParticipantType.AGENT),
          RingCx.media("a", 1, new byte[800]), RingCx.stop("a"));
      assertThat(throwingEnd.get(10, TimeUnit.SECONDS)).isEqualTo(EndReason.ERROR);
      assertThat(bad.awaitStatus().getCode()).isEqualTo(Status.Code.CANCELLED);
      fine.halfClose();
      assertThat(fine.awaitStatus().getCode()).isEqualTo(Status.Code.OK);
      RecordingCallListener call = good.next();
      assertThat(call.awaitEnd()).isEqualTo(EndReason.STOPPED);
      assertThat(call.frames).hasSize(1);
    }
  }

  @Test
  void aFailingListenerFactoryRefusesTheStream() throws Exception {
    CallStreamListener.Factory factory = info -> {
      throw new IllegalStateException("no");
    };
    try (GrpcHarness grpc = GrpcHarness.plaintext(factory, b -> b)) {
      GrpcHarness.ClientStream stream = grpc.open();
      stream.send(RingCx.dialogInit("d"));
      assertThat(stream.awaitStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
      org.awaitility.Awaitility.await().atMost(60, TimeUnit.SECONDS).until(() -> grpc.server.activeCalls() == 0);
    }
  }

  @Test
  void theBuilderNamesBadValues() {
    CallStreamGrpcServer.Builder builder = CallStreamGrpcServer.builder();
    assertThatThrownBy(() -> builder.port(-1)).hasMessage("port < 0: -1");
    assertThatThrownBy(() -> builder.maxCalls(0)).hasMessage("maxCalls < 1: 0");
    assertThatThrownBy(() -> builder.callBuffer(0)).hasMessage("callBuffer < 1: 0");
    assertThatThrownBy(() -> builder.maxMessageBytes(10)).hasMessage("maxMessageBytes < 1024: 10");
    assertThatThrownBy(() -> builder.idleTimeout(java.time.Duration.ZERO)).hasMessage("idleTimeout <= 0: PT0S");
    assertThatThrownBy(() -> builder.secrets(List.of())).hasMessage("secrets is empty");
    assertThatThrownBy(builder::build).hasMessage("listenerFactory is required");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    return (Map<String, Object>) value;
  }

  @Test
  void theUriNamesTheSchemeAndRealPort() throws Exception {
    try (GrpcHarness grpc = GrpcHarness.plaintext(b -> b)) {
      assertThat(grpc.server.uri().toString()).isEqualTo("grpc://127.0.0.1:" + grpc.server.port());
      assertThat(grpc.server.port()).isPositive();
    }
  }
}
