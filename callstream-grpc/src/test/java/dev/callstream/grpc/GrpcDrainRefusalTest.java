package dev.callstream.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.callstream.core.EndReason;
import dev.callstream.grpc.proto.ParticipantType;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every stream opened while the server drains reaches the server, is refused with
 * {@code UNAVAILABLE} ("server draining") and is counted as rejected {@code draining}: on a
 * connection opened before the drain and on one opened during it (the listener stays up until the
 * drain ends).
 */
class GrpcDrainRefusalTest {
  private final MeterRegistry registry = new SimpleMeterRegistry();

  private double rejected(String reason) {
    return registry.get("callstream.handshakes.rejected").tag("transport", "grpc").tag("reason", reason)
        .counter().count();
  }

  @Test
  void everyStreamOpenedDuringADrainIsRefusedWithUnavailableAndCounted() throws Exception {
    try (GrpcHarness grpc = GrpcHarness.plaintext(b -> b.meterRegistry(registry))) {
      GrpcHarness.ClientStream open = grpc.open().send(RingCx.dialogInit("kept"),
          RingCx.segmentStart("a", ParticipantType.AGENT));
      RecordingCallListener call = grpc.listeners.next();
      await().atMost(Duration.ofSeconds(10)).until(() -> call.lines.size() >= 2);

      CompletableFuture<Void> drained = grpc.server.drain(Duration.ofSeconds(30));

      List<Status> refusals = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        refusals.add(grpc.open().send(RingCx.dialogInit("same-connection-" + i)).awaitStatus());
      }
      ManagedChannel late = NettyChannelBuilder.forAddress("127.0.0.1", grpc.server.port()).usePlaintext().build();
      try {
        for (int i = 0; i < 2; i++) {
          GrpcHarness.ClientStream stream = new GrpcHarness.ClientStream();
          dev.callstream.grpc.proto.StreamingGrpc.newStub(late).stream(stream);
          stream.send(RingCx.dialogInit("new-connection-" + i));
          refusals.add(stream.awaitStatus());
        }
      } finally {
        late.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }

      assertThat(refusals).hasSize(5).allSatisfy(status -> {
        assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(status.getDescription()).isEqualTo("server draining");
      });
      assertThat(rejected("draining")).isEqualTo(5);
      assertThat(rejected("capacity")).isZero();
      assertThat(rejected("unauthorized")).isZero();
      assertThat(grpc.listeners.created).as("no listener for a refused stream").isEmpty();

      assertThat(drained).as("the open call still runs").isNotDone();
      open.send(RingCx.media("a", 1, new byte[800]), RingCx.stop("a"));
      open.halfClose();
      assertThat(open.awaitStatus().getCode()).isEqualTo(Status.Code.OK);
      assertThat(call.awaitEnd()).isEqualTo(EndReason.STOPPED);
      drained.get(10, TimeUnit.SECONDS);

      // The drain has ended: the network is down and a new stream fails without reaching the server.
      assertThat(grpc.open().send(RingCx.dialogInit("after")).awaitStatus().getCode())
          .isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(rejected("draining")).isEqualTo(5);
    }
  }
}
