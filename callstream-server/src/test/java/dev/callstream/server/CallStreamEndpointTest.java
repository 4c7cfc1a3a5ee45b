package dev.callstream.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.callstream.core.CallStreamListener;
import dev.callstream.server.internal.PortableCallEndpoint;
import jakarta.websocket.server.ServerEndpointConfig;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The endpoint's API without a container; calls through real containers are in callstream-container-tests. */
class CallStreamEndpointTest {

  @Test
  void theBuilderValidatesAtOnce() {
    assertThatThrownBy(() -> CallStreamEndpoint.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("listenerFactory");
    for (String path : new String[] {"", "calls", "/calls?x=1", "/calls/*", "/{id}", "/a b"}) {
      assertThatThrownBy(() -> CallStreamEndpoint.builder().path(path)).as(path)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(path);
    }
    assertThatThrownBy(() -> CallStreamEndpoint.builder().queueCapacity(15)).hasMessageContaining("15");
    assertThatThrownBy(() -> CallStreamEndpoint.builder().maxCalls(0)).hasMessageContaining("0");
    assertThatThrownBy(() -> CallStreamEndpoint.builder().maxMessageBytes(10)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CallStreamEndpoint.builder().idleTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theConfigDeploysTheEndpointAtItsPath() {
    try (CallStreamEndpoint endpoint = CallStreamEndpoint.builder().path("/callstream")
        .listenerFactory(CallStreamListener.Factory.NONE).build()) {
      ServerEndpointConfig config = endpoint.endpointConfig();
      assertThat(config.getPath()).isEqualTo("/callstream");
      assertThat(config.getEndpointClass()).isEqualTo(PortableCallEndpoint.class);
      assertThat(endpoint.endpointConfig()).isSameAs(config);
      assertThat(endpoint.handshakeFilter()).isSameAs(endpoint.handshakeFilter());
      assertThat(endpoint.path()).isEqualTo("/callstream");
      assertThat(endpoint.activeCalls()).isZero();
      assertThat(endpoint.draining()).isFalse();
    }
  }

  @Test
  void drainAndCloseWithoutCallsFinishAtOnceAndAreIdempotent() throws Exception {
    CallStreamEndpoint endpoint = CallStreamEndpoint.builder().listenerFactory(CallStreamListener.Factory.NONE).build();
    CompletableFuture<Void> drained = endpoint.drain(Duration.ofSeconds(30));
    assertThat(endpoint.draining()).isTrue();
    drained.get(10, TimeUnit.SECONDS);
    endpoint.close();
    endpoint.close();
    assertThat(endpoint.toString()).contains("draining");
    assertThatThrownBy(() -> endpoint.drain(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
  }
}
