package dev.callstream.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import dev.callstream.core.EndReason;
import dev.callstream.core.MalformedEventException;
import dev.callstream.grpc.proto.Codec;
import dev.callstream.grpc.proto.ParticipantType;
import dev.callstream.grpc.proto.StreamEvent;
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Every kind of bad input is reported with the call id and costs at most its own call. */
class GrpcBadInputTest {

  /** A healthy call beside the bad one: it must complete untouched. */
  private static void healthyCall(GrpcHarness grpc, RecordingCallListener[] out) throws Exception {
    GrpcHarness.ClientStream fine = grpc.open();
    fine.send(RingCx.dialogInit("healthy"), RingCx.segmentStart("a", ParticipantType.AGENT));
    for (int seq = 1; seq <= 10; seq++) {
      fine.send(RingCx.media("a", seq, new byte[800]));
    }
    fine.send(RingCx.stop("a"));
    fine.halfClose();
    assertThat(fine.awaitStatus().getCode()).isEqualTo(Status.Code.OK);
    RecordingCallListener call = grpc.listeners.next();
    assertThat(call.awaitEnd()).isEqualTo(EndReason.STOPPED);
    assertThat(call.frames).hasSize(10);
    assertThat(call.errors).isEmpty();
    out[0] = call;
  }

  @Test
  void eventsBeforeDialogInitAreSkippedAndReported() throws Exception {
    try (GrpcHarness grpc = GrpcHarness.plaintext(b -> b)) {
      GrpcHarness.ClientStream stream = grpc.open();
      stream.send(RingCx.segmentStart("a", ParticipantType.AGENT), RingCx.media("a", 1, new byte[800]),
          RingCx.dialogInit("late-init"), RingCx.segmentStart("a", ParticipantType.AGENT),
          RingCx.media("a", 1, new byte[800]), RingCx.stop("a"));
      stream.halfClose();
      assertThat(stream.awaitStatus().getCode()).isEqualTo(Status.Code.OK);
      RecordingCallListener call = grpc.listeners.next();
      assertThat(call.awaitEnd()).isEqualTo(EndReason.STOPPED);
      assertThat(call.errors).hasSize(2).allSatisfy(e -> assertThat(e).isInstanceOf(MalformedEventException.class));
      call.assertErrorMentioning("SegmentStart of segment a before DialogInit");
      call.assertErrorMentioning("SegmentMedia of segment a before DialogInit");
      assertThat(call.frames).hasSize(1);
    }
  }

  @Test
  void mediaOfAnUnknownSegmentASecondDialogInitAndAnUnknownEventAreSkipped() throws Exception {
    try (GrpcHarness grpc = GrpcHarness.plaintext(b -> b)) {
      GrpcHarness.ClientStream stream = grpc.open();
      StreamEvent future = StreamEvent.newBuilder().setSessionId(RingCx.SESSION)
          .setUnknownFields(UnknownFieldSet.newBuilder().addField(9,
              UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFromUtf8("x")).build()).build())
          .build();
      stream.send(RingCx.dialogInit("dialog-bad"), RingCx.segmentStart("a", ParticipantType.AGENT),
          RingCx.media("nobody", 1, new byte[800]), RingCx.dialogInit("other"), future,
          RingCx.info("nobody", "hold", null), RingCx.stop("nobody"),
          RingCx.segmentStart("a", ParticipantType.CONTACT),
          RingCx.media("a", 1, new byte[800]), RingCx.stop("a"));
      stream.halfClose();
      assertThat(stream.awaitStatus().getCode()).isEqualTo(Status.Code.OK);
      RecordingCallListener call = grpc.listeners.next();
      assertThat(call.awaitEnd()).isEqualTo(EndReason.STOPPED);
      assertThat(call.session.callId()).isEqualTo("dialog-bad");
      call.assertErrorMentioning("call dialog-bad: SegmentMedia of unknown segment nobody");
      call.assertErrorMentioning("a second DialogInit");
      call.assertErrorMentioning("unknown oneof case");
      call.assertErrorMentioning("SegmentInfo of unknown segment nobody");
      call.assertErrorMentioning("SegmentStop of unknown segment nobody");
      call.assertErrorMentioning("a second SegmentStart of segment a");
      assertThat(call.transportEvents).extracting(e -> e.name()).contains("unknown");
      assertThat(call.frames).hasSize(1);
      assertThat(call.lines).containsOnlyOnce("segmentStart a AGENT MULAW/8000/100 AGENT");
    }
  }

  @Test
  void emptyAndOversizedPayloadsAreDroppedAndReported() throws Exception {
    try (GrpcHarness grpc = GrpcHarness.plaintext(b -> b)) {
      GrpcHarness.ClientStream stream = grpc.open();
      stream.send(RingCx.dialogInit("dialog-payload"), RingCx.segmentStart("a", ParticipantType.AGENT),
          RingCx.segmentStart("l", ParticipantType.CONTACT, Codec.L16, 8000, 100),
          RingCx.media("a", 1, new byte[800]), RingCx.media("a", 2, new byte[0]),
          RingCx.media("a", 3, new byte[3201]), RingCx.media("l", 1, new byte[1601]),
          RingCx.media("a", 4, new byte[800]), RingCx.stop("a"), RingCx.stop("l"));
      stream.halfClose();
      assertThat(stream.awaitStatus().getCode()).isEqualTo(Status.Code.OK);
      RecordingCallListener call = grpc.listeners.next();
      assertThat(call.awaitEnd()).isEqualTo(EndReason.STOPPED);
      call.assertErrorMentioning("seq 2 with an empty payload");
      call.assertErrorMentioning("seq 3 with 3201 bytes, more than 4 frames");
      call.assertErrorMentioning("seq 1 with 1601 bytes, not whole 2-byte samples");
      // seq 2 and 3 never arrived as far as the timeline knows: silence, not shifted audio
      assertThat(call.frames("a")).extracting(f -> f.position()).containsExactly(0L, 3L);
      assertThat(call.gaps).anySatisfy(g -> {
        assertThat(g.segment().id()).isEqualTo("a");
        assertThat(g.fromPosition()).isEqualTo(1L);
        assertThat(g.frameCount()).isEqualTo(2);
      });
    }
  }

  @Test
  void anAbsurdSequenceJumpIsDroppedAsLateNeverFilled() throws Exception {
    try (GrpcHarness grpc = GrpcHarness.plaintext(b -> b)) {
      GrpcHarness.ClientStream stream = grpc.open();
      stream.send(RingCx.dialogInit("dialog-jump"), RingCx.segmentStart("a", ParticipantType.AGENT));
      for (int seq = 1; seq <= 6; seq++) {
        stream.send(RingCx.media("a", seq, new byte[800]));
      }
      stream.send(RingCx.media("a", 1_000_000, new byte[800]), RingCx.media("a", -5, new byte[800]),
          RingCx.media("a", 7, new byte[800]), RingCx.stop("a"));
      stream.halfClose();
      assertThat(stream.awaitStatus().getCode()).isEqualTo(Status.Code.OK);
      RecordingCallListener call = grpc.listeners.next();
      assertThat(call.awaitEnd()).isEqualTo(EndReason.STOPPED);
      assertThat(call.frames).extracting(f -> f.position()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
      assertThat(call.gaps).isEmpty();
      assertThat(call.session.stats(call.session.segment("a")).late()).isEqualTo(2);
    }
  }

  @Test
  void aSegmentWithAnAbsurdFormatIsRefusedAndItsMediaDropped() throws Exception {
    try (GrpcHarness grpc = GrpcHarness.plaintext(b -> b)) {
      GrpcHarness.ClientStream stream = grpc.open();
      stream.send(RingCx.dialogInit("dialog-format"),
          RingCx.segmentStart("huge", ParticipantType.CONTACT, Codec.PCMU, 8000, 3_600_000),
          RingCx.segmentStart("future", ParticipantType.CONTACT).toBuilder()
              .setSegmentStart(RingCx.segmentStart("future", ParticipantType.CONTACT).getSegmentStart().toBuilder()
                  .setAudioFormat(dev.callstream.grpc.proto.AudioFormat.newBuilder().setCodecValue(42))).build(),
          RingCx.media("huge", 1, new byte[800]), RingCx.media("future", 1, new byte[800]));
      stream.halfClose();
      assertThat(stream.awaitStatus().getCode()).isEqualTo(Status.Code.OK);
      RecordingCallListener call = grpc.listeners.next();
      call.awaitEnd();
      call.assertErrorMentioning("segment huge refused, its media will be dropped: ptime out of 1..1000 ms: 3600000");
      call.assertErrorMentioning("segment future refused, its media will be dropped: unknown codec 42");
      assertThat(call.errors).hasSize(2);
      assertThat(call.frames).isEmpty();
    }
  }

  @Test
  void tooManyMalformedEventsEndTheCallWithInvalidArgument() throws Exception {
    try (GrpcHarness grpc = GrpcHarness.plaintext(b -> b.maxMalformedEvents(5))) {
      GrpcHarness.ClientStream stream = grpc.open();
      stream.send(RingCx.dialogInit("dialog-garbage"));
      for (int i = 0; i < 5; i++) {
        stream.send(RingCx.media("nobody", i, new byte[800]));
      }
      assertThat(stream.awaitStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      RecordingCallListener call = grpc.listeners.next();
      assertThat(call.awaitEnd()).isEqualTo(EndReason.ERROR);
      assertThat(call.endCause).hasMessageContaining("dialog-garbage").hasMessageContaining("5 malformed events");
      RecordingCallListener[] healthy = new RecordingCallListener[1];
      healthyCall(grpc, healthy);
    }
  }

  @Test
  void aMessageOverTheSizeLimitEndsOnlyItsCallWithError() throws Exception {
    try (GrpcHarness grpc = GrpcHarness.plaintext(b -> b.maxMessageBytes(4096))) {
      GrpcHarness.ClientStream stream = grpc.open();
      stream.send(RingCx.dialogInit("dialog-big"), RingCx.segmentStart("a", ParticipantType.AGENT));
      RecordingCallListener call = grpc.listeners.next();
      Awaitility.await().atMost(60, TimeUnit.SECONDS).until(() -> call.lines.size() >= 2);
      stream.send(RingCx.media("a", 1, new byte[5000]));
      assertThat(stream.awaitStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertThat(call.awaitEnd()).isEqualTo(EndReason.ERROR);
      call.assertErrorMentioning("call dialog-big: a message over 4096 bytes");
      RecordingCallListener[] healthy = new RecordingCallListener[1];
      healthyCall(grpc, healthy);
    }
  }

  @Test
  void anIdleStreamIsEndedClosedAfterTheIdleTimeout() throws Exception {
    try (GrpcHarness grpc = GrpcHarness.plaintext(b -> b.idleTimeout(Duration.ofMillis(300)))) {
      GrpcHarness.ClientStream stream = grpc.open();
      stream.send(RingCx.dialogInit("dialog-idle"));
      RecordingCallListener call = grpc.listeners.next();
      assertThat(call.awaitEnd()).isEqualTo(EndReason.CLOSED);
      call.assertErrorMentioning("no event for");
      call.assertErrorMentioning("dialog-idle");
      assertThat(stream.awaitStatus().getCode()).isEqualTo(Status.Code.CANCELLED);
      Awaitility.await().atMost(60, TimeUnit.SECONDS).until(() -> grpc.server.activeCalls() == 0);
    }
  }
}
