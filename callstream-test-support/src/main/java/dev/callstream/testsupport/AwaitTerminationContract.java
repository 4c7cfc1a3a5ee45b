package dev.callstream.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * What {@code awaitTermination()} promises on every server (WebSocket and gRPC): what keeps a
 * {@code main} serving. A module's test extends this and says how to build its server; JUnit runs
 * the inherited tests.
 */
public abstract class AwaitTerminationContract {

  /** {@code awaitTermination()} of one server. */
  @FunctionalInterface
  public interface Awaiter {
    void awaitTermination() throws InterruptedException;
  }

  /**
   * One server, not yet started, seen through the methods this contract needs (the servers share no
   * interface).
   */
  public record Server(Runnable start, Awaiter awaiter, BooleanSupplier ready, Runnable close) {
    void awaitTermination() throws InterruptedException {
      awaiter.awaitTermination();
    }
  }

  /** A new server, not started, on port 0 in plaintext, with no-op listeners. */
  protected abstract Server newServer();

  @Test
  void blocksUntilAnotherThreadClosesTheServer() throws Exception {
    Server server = newServer();
    server.start().run();
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
    assertThatThrownBy(() -> returned.get(300, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);

    server.close().run();
    returned.get(10, TimeUnit.SECONDS);
    server.awaitTermination(); // already stopped: returns at once
  }

  @Test
  void isInterruptibleAndLeavesTheServerRunning() throws Exception {
    Server server = newServer();
    server.start().run();
    try {
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
      assertThat(server.ready().getAsBoolean()).isTrue();
    } finally {
      server.close().run();
    }
  }

  @Test
  void beforeStartItIsAnError() {
    Server server = newServer();
    assertThatThrownBy(server::awaitTermination).isInstanceOf(IllegalStateException.class)
        .hasMessage("server not started");
  }
}
