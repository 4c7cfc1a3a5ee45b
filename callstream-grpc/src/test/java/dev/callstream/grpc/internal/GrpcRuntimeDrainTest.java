package dev.callstream.grpc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Empty;
import dev.callstream.core.CallAdmission;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.metrics.CallStreamMetrics;
import dev.callstream.grpc.proto.Dialog;
import dev.callstream.grpc.proto.DialogInitEvent;
import dev.callstream.grpc.proto.StreamEvent;
import dev.callstream.grpc.proto.StreamingGrpc;
import dev.callstream.transport.Authenticator;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** {@link GrpcRuntime#refused()} and the rejection callback count a stream refused while draining. */
class GrpcRuntimeDrainTest {

  @Test
  void aStreamOpenedWhileDrainingIsCountedInRefusedAndReportedAsDraining() throws Exception {
    List<CallStreamMetrics.Rejection> rejections = new CopyOnWriteArrayList<>();
    GrpcSettings settings = new GrpcSettings("127.0.0.1", 0, TlsSource.none(), CallStreamListener.Factory.NONE,
        Authenticator.NONE, CallAdmission.limit(4), 4 * 1024 * 1024, Duration.ofMinutes(1),
        Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(20),
        Duration.ofSeconds(10), false, 5, 64, 256 * 1024, 1, 100);
    GrpcRuntime runtime = GrpcRuntime.start(settings, rejections::add);
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", runtime.port()).usePlaintext().build();
    try {
      // One open call keeps the drain going (30 s deadline) while the second stream arrives.
      CompletableFuture<Status> first = open(channel);
      awaitActive(runtime, 1);
      CompletableFuture<Void> drained = runtime.drain(Duration.ofSeconds(30));

      Status status = open(channel).get(10, TimeUnit.SECONDS);

      assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(runtime.refused()).containsEntry("draining", 1L).containsEntry("capacity", 0L)
          .containsEntry("unauthorized", 0L);
      assertThat(rejections).containsExactly(CallStreamMetrics.Rejection.DRAINING);
      runtime.drain(Duration.ZERO);
      drained.get(10, TimeUnit.SECONDS);
      assertThat(first.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      runtime.shutdown();
    }
  }

  private static void awaitActive(GrpcRuntime runtime, int calls) {
    Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> runtime.activeCalls() >= calls);
  }

  private static CompletableFuture<Status> open(ManagedChannel channel) {
    CompletableFuture<Status> status = new CompletableFuture<>();
    StreamObserver<StreamEvent> requests = StreamingGrpc.newStub(channel).stream(new StreamObserver<Empty>() {
      @Override
      public void onNext(Empty value) {
      }

      @Override
      public void onError(Throwable t) {
        status.complete(Status.fromThrowable(t));
      }

      @Override
      public void onCompleted() {
        status.complete(Status.OK);
      }
    });
    requests.onNext(StreamEvent.newBuilder().setSessionId("s")
        .setDialogInit(DialogInitEvent.newBuilder().setDialog(Dialog.newBuilder().setId("d"))).build());
    return status;
  }
}
