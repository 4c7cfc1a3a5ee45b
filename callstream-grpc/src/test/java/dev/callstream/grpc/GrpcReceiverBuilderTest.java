package dev.callstream.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.callstream.core.CallStreamListener;
import dev.callstream.transport.CallStreamReceiverBuilder;
import dev.callstream.transport.Tls;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The gRPC builder takes the shared settings through {@link CallStreamReceiverBuilder}, as the WebSocket ones. */
class GrpcReceiverBuilderTest {

  static <B extends CallStreamReceiverBuilder<B>> B limits(B builder) {
    return builder.maxCalls(1).idleTimeout(Duration.ofSeconds(30)).listenerFactory(CallStreamListener.Factory.NONE);
  }

  @Test
  void sharedSettingsChainOnTheGrpcBuilderWithTheSameChecks() {
    CallStreamGrpcServer.Builder builder = CallStreamGrpcServer.builder();
    assertThatThrownBy(() -> builder.maxCalls(0)).hasMessage("maxCalls < 1: 0");
    assertThatThrownBy(() -> builder.maxMessageBytes(10)).hasMessage("maxMessageBytes < 1024: 10");
    assertThatThrownBy(() -> builder.idleTimeout(Duration.ZERO)).hasMessage("idleTimeout <= 0: PT0S");
    assertThatThrownBy(() -> builder.reorderWindow(0)).hasMessage("reorderWindow < 1: 0");
    assertThatThrownBy(() -> builder.dispatchThreads(0)).hasMessage("dispatchThreads < 1: 0");
    assertThatThrownBy(() -> builder.flowControlWindow(1000)).hasMessage("flowControlWindow < 65535: 1000");

    try (CallStreamGrpcServer server = limits(CallStreamGrpcServer.builder()).host("127.0.0.1").port(0)
        .tls(Tls.none()).build().start()) {
      assertThat(server.ready()).isTrue();
      assertThat(server.uri().getScheme()).isEqualTo("grpc");
    }
    assertThatThrownBy(() -> CallStreamGrpcServer.builder().listenerFactory(CallStreamListener.Factory.NONE).build())
        .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("tls is required");
  }
}
