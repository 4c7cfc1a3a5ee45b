package dev.callstream.testkit.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callstream.core.CallStreamListener;
import dev.callstream.core.EndReason;
import dev.callstream.testkit.CallResult;
import dev.callstream.testkit.CallScript;
import dev.callstream.transport.Tls;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A static extension shares one plain-ws server and the user's own listener factory across tests. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PerClassExtensionTest {
  private static final CountDownLatch ended = new CountDownLatch(2);

  @RegisterExtension
  static final CallStreamExtension callStream = CallStreamExtension.builder()
      .tls(Tls.none())
      .listenerFactory(() -> info -> new CallStreamListener() {
        @Override
        public void onEnd(dev.callstream.core.CallSession session, EndReason reason, Throwable cause) {
          ended.countDown();
        }
      })
      .build();

  private static int port;

  @Test
  @Order(1)
  void servesPlainWebSocketsWithTheUsersListeners() {
    port = callStream.server().port();
    assertThat(callStream.uri().getScheme()).isEqualTo("ws");
    CallResult result = callStream.platform().play(CallScript.builder().maxDuration(Duration.ofMillis(200)).build());
    assertThat(result.completed()).as("first call: %s", result).isTrue();
    org.assertj.core.api.Assertions.assertThatThrownBy(callStream::recorder).isInstanceOf(IllegalStateException.class);
  }

  @Test
  @Order(2)
  void keepsTheSameServerForTheWholeClass() throws InterruptedException {
    assertThat(callStream.server().port()).isEqualTo(port);
    CallResult second = callStream.platform().play(CallScript.builder().callId("second").maxDuration(Duration.ofMillis(200)).build());
    assertThat(second.completed()).as("second call: %s", second).isTrue();
    // both calls' listeners ended: one per call, made by the user's factory
    assertThat(ended.await(10, TimeUnit.SECONDS)).isTrue();
  }
}
