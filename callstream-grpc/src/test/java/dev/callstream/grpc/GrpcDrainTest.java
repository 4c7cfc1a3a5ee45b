package dev.callstream.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callstream.core.EndReason;
import dev.callstream.grpc.proto.ParticipantType;
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class GrpcDrainTest {

  @Test
  void aDrainRefusesNewStreamsAndLetsOpenCallsFinish() throws Exception {
    try (GrpcHarness grpc = GrpcHarness.plaintext(b -> b.maxCalls(2))) {
      assertThat(grpc.server.ready()).isTrue();
      GrpcHarness.ClientStream open = grpc.open();
      open.send(RingCx.dialogInit("open"), RingCx.segmentStart("a", ParticipantType.AGENT));
      RecordingCallListener call = grpc.listeners.next();
      Awaitility.await().atMost(60, TimeUnit.SECONDS).until(() -> call.lines.size() >= 2);

      CompletableFuture<Void> drained = grpc.server.drain(Duration.ofSeconds(30));
      assertThat(grpc.server.draining()).isTrue();
      assertThat(grpc.server.ready()).isFalse();
      GrpcHarness.ClientStream refused = grpc.open();
      refused.send(RingCx.dialogInit("late"));
      assertThat(refused.awaitStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);

      open.send(RingCx.media("a", 1, new byte[800]), RingCx.stop("a"));
      open.halfClose();
      assertThat(open.awaitStatus().getCode()).isEqualTo(Status.Code.OK);
      assertThat(call.awaitEnd()).isEqualTo(EndReason.STOPPED);
      // long before the 30 s: the drain ends with its last call
      drained.get(10, TimeUnit.SECONDS);
      assertThat(grpc.listeners.created).isEmpty();
    }
  }

  @Test
  void callsStillOpenWhenTheDrainTimesOutEndWithShutdown() throws Exception {
    try (GrpcHarness grpc = GrpcHarness.plaintext(b -> b)) {
      GrpcHarness.ClientStream open = grpc.open();
      open.send(RingCx.dialogInit("slow"));
      RecordingCallListener call = grpc.listeners.next();
      Awaitility.await().atMost(60, TimeUnit.SECONDS).until(() -> call.lines.size() >= 1);
      CompletableFuture<Void> drained = grpc.server.drain(Duration.ofMinutes(10));
      // a second signal: end the drain at once
      grpc.server.drain(Duration.ZERO);
      drained.get(10, TimeUnit.SECONDS);
      assertThat(call.end).isCompletedWithValue(EndReason.SHUTDOWN);
      assertThat(open.awaitStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    }
  }
}
