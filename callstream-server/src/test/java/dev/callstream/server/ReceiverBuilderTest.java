package dev.callstream.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.callstream.core.CallStreamListener;
import dev.callstream.transport.CallStreamReceiverBuilder;
import dev.callstream.transport.Tls;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Both WebSocket builders take the shared settings through {@link CallStreamReceiverBuilder}, alike. */
class ReceiverBuilderTest {

  static <B extends CallStreamReceiverBuilder<B>> B limits(B builder) {
    return builder.maxCalls(1).idleTimeout(Duration.ofSeconds(30)).listenerFactory(CallStreamListener.Factory.NONE);
  }

  static void refusesBadValuesAlike(CallStreamReceiverBuilder<?> builder) {
    assertThatThrownBy(() -> builder.maxCalls(0)).hasMessage("maxCalls < 1: 0");
    assertThatThrownBy(() -> builder.maxMessageBytes(10)).hasMessage("maxMessageBytes < 1024: 10");
    assertThatThrownBy(() -> builder.idleTimeout(Duration.ZERO)).hasMessage("idleTimeout <= 0: PT0S");
    assertThatThrownBy(() -> builder.shutdownTimeout(Duration.ZERO)).hasMessage("shutdownTimeout <= 0: PT0S");
    assertThatThrownBy(() -> builder.reorderWindow(0)).hasMessage("reorderWindow < 1: 0");
    assertThatThrownBy(() -> builder.dispatchThreads(0)).hasMessage("dispatchThreads < 1: 0");
    assertThatThrownBy(() -> builder.authenticator(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void theStandaloneServerTakesTheSharedSettingsAndChainsOnItsOwnBuilder() throws Exception {
    refusesBadValuesAlike(CallStreamServer.builder());
    try (CallStreamServer server = limits(CallStreamServer.builder()).host("127.0.0.1").port(0)
        .tls(Tls.none()).build().start()) {
      assertThat(server.ready()).isTrue();
    }
    assertThatThrownBy(() -> CallStreamServer.builder().tls(Tls.none()).build())
        .isInstanceOf(IllegalStateException.class).hasMessage("listenerFactory is required");
  }

  @Test
  void theContainerEndpointTakesTheSharedSettingsAndChainsOnItsOwnBuilder() {
    refusesBadValuesAlike(CallStreamEndpoint.builder());
    try (CallStreamEndpoint endpoint = limits(CallStreamEndpoint.builder()).path("/calls").build()) {
      assertThat(endpoint.path()).isEqualTo("/calls");
      assertThat(endpoint.draining()).isFalse();
    }
    assertThatThrownBy(() -> CallStreamEndpoint.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessage("listenerFactory is required");
  }
}
