package dev.callstream.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.callstream.core.EndReason;
import dev.callstream.grpc.proto.ParticipantType;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link CallStreamGrpcServer#drain}: new streams refused with {@code UNAVAILABLE} at once, an open
 * call running to its natural end with all its audio, the rest ended with SHUTDOWN at the deadline;
 * and the call metrics (tagged {@code transport=grpc}) counting it.
 */
class GrpcDrainMetricsTest {
  private final MeterRegistry registry = new SimpleMeterRegistry();

  private double counter(String name, String... tags) {
    return registry.get(name).tag("transport", "grpc").tags(tags).counter().count();
  }

  @Test
  void aDrainRefusesNewStreamsAndLetsTheOpenCallEndWithAllItsAudio() throws Exception {
    try (GrpcHarness grpc = GrpcHarness.plaintext(b -> b.meterRegistry(registry))) {
      GrpcHarness.ClientStream open = grpc.open().send(RingCx.dialogInit("d1"),
          RingCx.segmentStart("a", ParticipantType.AGENT), RingCx.segmentStart("c", ParticipantType.CONTACT));
      RecordingCallListener call = grpc.listeners.next();
      for (int seq = 1; seq <= 3; seq++) {
        open.send(RingCx.media("a", seq, RingCx.everyCode(seq, 800)), RingCx.media("c", seq, RingCx.everyCode(50 + seq, 800)));
      }
      // frames wait in the reorder window; the call has started when its segments have
      await().atMost(Duration.ofSeconds(10)).until(() -> call.lines.size() >= 3);

      CompletableFuture<Void> drained = grpc.server.drain(Duration.ofSeconds(30));

      assertThat(grpc.server.draining()).isTrue();
      GrpcHarness.ClientStream refused = grpc.open().send(RingCx.dialogInit("d2"));
      assertThat(refused.awaitStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(grpc.listeners.created).as("no listener for the refused stream").isEmpty();
      assertThat(drained).as("the open call still runs").isNotDone();
      for (int seq = 4; seq <= 6; seq++) {
        open.send(RingCx.media("a", seq, RingCx.everyCode(seq, 800)), RingCx.media("c", seq, RingCx.everyCode(50 + seq, 800)));
      }
      open.send(RingCx.stop("a"), RingCx.stop("c"));
      open.halfClose();

      assertThat(open.awaitStatus().getCode()).isEqualTo(Status.Code.OK);
      assertThat(call.awaitEnd()).isEqualTo(EndReason.STOPPED);
      assertThat(call.frames).hasSize(12);
      drained.get(15, TimeUnit.SECONDS);
      assertThat(counter("callstream.calls.started")).isEqualTo(1);
      assertThat(counter("callstream.calls.ended", "reason", "stopped")).isEqualTo(1);
      assertThat(counter("callstream.frames", "channel", "agent")).isEqualTo(6);
      assertThat(counter("callstream.frames", "channel", "conference")).isEqualTo(6);
      // The drain sends GOAWAY and closes the listening socket at once, so a stream opened meanwhile
      // is refused by HTTP/2 itself and never reaches the handler that counts refusals.
      assertThat(counter("callstream.handshakes.rejected", "reason", "draining")).isLessThanOrEqualTo(1);
      assertThat(registry.get("callstream.calls.active").tag("transport", "grpc").gauge().value()).isZero();
    }
  }

  @Test
  void aCallStillOpenAtTheDeadlineEndsWithShutdown() throws Exception {
    try (GrpcHarness grpc = GrpcHarness.plaintext(b -> b.meterRegistry(registry))) {
      grpc.open().send(RingCx.dialogInit("d1"), RingCx.segmentStart("a", ParticipantType.AGENT),
          RingCx.media("a", 1, new byte[800]));
      RecordingCallListener call = grpc.listeners.next();
      await().atMost(Duration.ofSeconds(10)).until(() -> call.lines.size() >= 2);

      grpc.server.drain(Duration.ofMillis(300)).get(15, TimeUnit.SECONDS);

      assertThat(call.awaitEnd()).isEqualTo(EndReason.SHUTDOWN);
      assertThat(counter("callstream.calls.ended", "reason", "shutdown")).isEqualTo(1);
    }
  }
}
