package dev.callstream.server.reliability;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The platform's (or an attacker's) side of one connection, on the JDK WebSocket client. Sends wait
 * for the bytes to be handed to the socket; the close code the server sends is kept.
 */
final class Peer implements WebSocket.Listener {
  /** No close frame arrived: the connection was cut. */
  static final int NO_CLOSE_FRAME = -1;

  private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  private WebSocket socket;
  private int sent;

  static Peer connect(HttpClient client, URI server, String query, Map<String, String> headers) {
    Peer peer = new Peer();
    WebSocket.Builder builder = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
    headers.forEach(builder::header);
    URI uri = URI.create(server + (query == null ? "" : "?" + query));
    peer.socket = builder.buildAsync(uri, peer).orTimeout(15, TimeUnit.SECONDS).join();
    return peer;
  }

  /** The HTTP status that refused the upgrade; throws when the upgrade was accepted. */
  static int refusedStatus(HttpClient client, URI server, String query, Map<String, String> headers) {
    try {
      connect(client, server, query, headers).abort();
    } catch (CompletionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException refused) {
        return refused.getResponse().statusCode();
      }
      throw e;
    }
    throw new AssertionError("upgrade was accepted: " + query);
  }

  static HttpClient client() {
    return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  /** A client whose worker threads are {@code executor}'s (the default pool grows and shrinks on its own). */
  static HttpClient client(java.util.concurrent.Executor executor) {
    return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).executor(executor).build();
  }

  Peer send(String text) {
    socket.sendText(text, true).orTimeout(15, TimeUnit.SECONDS).join();
    sent++;
    return this;
  }

  Peer sendBinary(byte[] bytes) {
    socket.sendBinary(ByteBuffer.wrap(bytes), true).orTimeout(15, TimeUnit.SECONDS).join();
    sent++;
    return this;
  }

  /** Messages handed to the socket so far. */
  int sent() {
    return sent;
  }

  void closeNormally() {
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").orTimeout(15, TimeUnit.SECONDS).join();
  }

  /** Cuts the TCP connection without a close frame. */
  void abort() {
    socket.abort();
  }

  /** The close code the server sent, or {@link #NO_CLOSE_FRAME} when the connection broke. */
  int awaitCloseCode(long seconds) throws Exception {
    try {
      return closeCode.get(seconds, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return NO_CLOSE_FRAME;
    }
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closeCode.complete(statusCode);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closeCode.completeExceptionally(error);
  }
}
