package dev.callstream.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.callstream.core.CallStreamListener;
import dev.callstream.transport.Tls;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link CallStreamServer#awaitTermination()}: what keeps a {@code main} serving. */
class AwaitTerminationTest {

  @Test
  void blocksUntilAnotherThreadClosesTheServer() throws Exception {
    CallStreamServer server = CallStreamServer.builder().port(0).tls(Tls.none())
        .listenerFactory(info -> new CallStreamListener() {}).build().start();
    CountDownLatch waiting = new CountDownLatch(1);
    CompletableFuture<Void> returned = CompletableFuture.runAsync(() -> {
      waiting.countDown();
      try {
        server.awaitTermination();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    assertThat(waiting.await(5, TimeUnit.SECONDS)).isTrue();
    // Still waiting while the server runs (a bounded look: it must not have returned by itself).
    assertThatThrownBy(() -> returned.get(300, TimeUnit.MILLISECONDS))
        .isInstanceOf(java.util.concurrent.TimeoutException.class);

    server.close();
    returned.get(10, TimeUnit.SECONDS);
    server.awaitTermination(); // already stopped: returns at once
  }

  @Test
  void isInterruptibleAndLeavesTheServerRunning() throws Exception {
    try (CallStreamServer server = CallStreamServer.builder().port(0).tls(Tls.none())
        .listenerFactory(info -> new CallStreamListener() {}).build().start()) {
      CompletableFuture<Throwable> thrown = new CompletableFuture<>();
      Thread waiter = new Thread(() -> {
        try {
          server.awaitTermination();
          thrown.complete(null);
        } catch (Throwable t) {
          thrown.complete(t);
        }
      });
      waiter.start();
      waiter.interrupt();
      assertThat(thrown.get(10, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
      assertThat(server.ready()).isTrue();
    }
  }

  @Test
  void beforeStartItIsAnError() {
    CallStreamServer server = CallStreamServer.builder().port(0).tls(Tls.none())
        .listenerFactory(info -> new CallStreamListener() {}).build();
    assertThatThrownBy(server::awaitTermination).isInstanceOf(IllegalStateException.class)
        .hasMessage("server not started");
  }
}
