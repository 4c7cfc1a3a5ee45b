package dev.callstream.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callstream.core.CallAdmission;
import dev.callstream.core.EndReason;
import dev.callstream.grpc.proto.ParticipantType;
import io.grpc.Status;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class GrpcAdmissionTest {

  @Test
  void aStreamWithoutTheSecretIsRefusedUnauthenticatedAndNothingReachesTheFactory() throws Exception {
    try (GrpcHarness grpc = GrpcHarness.plaintext(b -> b.secrets(List.of("s3cret", "next-s3cret")))) {
      GrpcHarness.ClientStream missing = grpc.open();
      missing.send(RingCx.dialogInit("d1"), RingCx.segmentStart("a", ParticipantType.AGENT));
      GrpcHarness.ClientStream wrong = grpc.open("Bearer nope");
      wrong.send(RingCx.dialogInit("d2"));
      GrpcHarness.ClientStream prefixOnly = grpc.open("Bearer ");

      assertThat(missing.awaitStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(wrong.awaitStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(prefixOnly.awaitStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(wrong.awaitStatus().getDescription()).doesNotContain("nope");
      assertThat(grpc.listeners.created).isEmpty();
      assertThat(grpc.server.activeCalls()).isZero();
    }
  }

  @Test
  void theSecretIsAcceptedAsBearerOrBareAndEitherRotatedValue() throws Exception {
    try (GrpcHarness grpc = GrpcHarness.plaintext(b -> b.secrets(List.of("s3cret", "next-s3cret")))) {
      for (String authorization : List.of("Bearer s3cret", "s3cret", "bearer next-s3cret", "next-s3cret")) {
        GrpcHarness.ClientStream stream = grpc.open(authorization);
        stream.send(RingCx.dialogInit("d"));
        stream.halfClose();
        assertThat(stream.awaitStatus().getCode()).as(authorization).isEqualTo(Status.Code.OK);
        assertThat(grpc.listeners.next().awaitEnd()).isEqualTo(EndReason.CLOSED);
      }
    }
  }

  @Test
  void beyondMaxCallsAStreamIsRefusedResourceExhaustedUntilASlotFrees() throws Exception {
    try (GrpcHarness grpc = GrpcHarness.plaintext(b -> b.maxCalls(2))) {
      GrpcHarness.ClientStream first = grpc.open().send(RingCx.dialogInit("d1"));
      GrpcHarness.ClientStream second = grpc.open().send(RingCx.dialogInit("d2"));
      RecordingCallListener one = grpc.listeners.next();
      grpc.listeners.next();
      Awaitility.await().atMost(60, TimeUnit.SECONDS).until(() -> grpc.server.activeCalls() == 2);

      GrpcHarness.ClientStream third = grpc.open().send(RingCx.dialogInit("d3"));
      assertThat(third.awaitStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertThat(grpc.listeners.created).isEmpty();

      first.halfClose();
      assertThat(first.awaitStatus().getCode()).isEqualTo(Status.Code.OK);
      assertThat(one.awaitEnd()).isEqualTo(EndReason.CLOSED);
      Awaitility.await().atMost(60, TimeUnit.SECONDS).until(() -> grpc.server.activeCalls() == 1);
      GrpcHarness.ClientStream fourth = grpc.open().send(RingCx.dialogInit("d4"));
      fourth.halfClose();
      assertThat(fourth.awaitStatus().getCode()).isEqualTo(Status.Code.OK);
      second.halfClose();
      assertThat(second.awaitStatus().getCode()).isEqualTo(Status.Code.OK);
    }
  }

  @Test
  void twoServersSharingOneAdmissionCountTogether() throws Exception {
    CallAdmission shared = CallAdmission.limit(1);
    try (GrpcHarness a = GrpcHarness.plaintext(b -> b.admission(shared));
        GrpcHarness b = GrpcHarness.plaintext(x -> x.admission(shared))) {
      GrpcHarness.ClientStream open = a.open().send(RingCx.dialogInit("d1"));
      a.listeners.next();
      assertThat(shared.active()).isEqualTo(1);
      GrpcHarness.ClientStream refused = b.open().send(RingCx.dialogInit("d2"));
      assertThat(refused.awaitStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      open.halfClose();
      assertThat(open.awaitStatus().getCode()).isEqualTo(Status.Code.OK);
      Awaitility.await().atMost(60, TimeUnit.SECONDS).until(() -> shared.active() == 0);
      GrpcHarness.ClientStream admitted = b.open().send(RingCx.dialogInit("d3"));
      admitted.halfClose();
      assertThat(admitted.awaitStatus().getCode()).isEqualTo(Status.Code.OK);
    }
  }
}
