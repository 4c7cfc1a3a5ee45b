package dev.callstream.server;

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
import javax.net.ssl.SSLContext;

/** The platform's side of one call, on the JDK WebSocket client. */
final class Peer implements WebSocket.Listener {
  final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  private volatile CompletableFuture<Void> pong = new CompletableFuture<>();
  private WebSocket socket;

  static HttpClient client(CallStreamServer server) {
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
    if (server.tls().secure()) {
      builder.sslContext(server.tls().clientContext());
    }
    return builder.build();
  }

  static HttpClient client(SSLContext context) {
    return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(context).build();
  }

  static Peer connect(CallStreamServer server, String query) {
    return connect(client(server), server.uri(), query, Map.of());
  }

  static Peer connect(CallStreamServer server, String query, Map<String, String> headers) {
    return connect(client(server), server.uri(), query, headers);
  }

  static Peer connect(HttpClient client, URI base, String query, Map<String, String> headers) {
    Peer peer = new Peer();
    WebSocket.Builder builder = client.newWebSocketBuilder();
    headers.forEach(builder::header);
    URI uri = URI.create(base + (query == null ? "" : "?" + query));
    peer.socket = builder.buildAsync(uri, peer).orTimeout(10, TimeUnit.SECONDS).join();
    return peer;
  }

  /** The HTTP status that refused the upgrade; fails when the upgrade succeeded. */
  static int refusedStatus(CallStreamServer server, String query, Map<String, String> headers) {
    try {
      Peer peer = connect(server, query, headers);
      peer.abort();
      throw new AssertionError("upgrade was accepted");
    } catch (CompletionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException refused) {
        return refused.getResponse().statusCode();
      }
      throw e;
    }
  }

  Peer send(String... texts) {
    for (String text : texts) {
      socket.sendText(text, true).orTimeout(10, TimeUnit.SECONDS).join();
    }
    return this;
  }

  Peer sendPart(String text, boolean last) {
    socket.sendText(text, last).orTimeout(10, TimeUnit.SECONDS).join();
    return this;
  }

  Peer sendBinary(byte[] bytes) {
    socket.sendBinary(ByteBuffer.wrap(bytes), true).orTimeout(10, TimeUnit.SECONDS).join();
    return this;
  }

  /**
   * Sends a ping and waits for the pong: the server reads a connection's frames in order, so when
   * the pong is back every message sent before the ping has been read and queued for the listener.
   */
  Peer roundTrip() {
    pong = new CompletableFuture<>();
    socket.sendPing(ByteBuffer.wrap(new byte[] {1})).orTimeout(10, TimeUnit.SECONDS).join();
    pong.orTimeout(10, TimeUnit.SECONDS).join();
    return this;
  }

  void closeNormally() {
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").orTimeout(10, TimeUnit.SECONDS).join();
  }

  void abort() {
    socket.abort();
  }

  /** The close code the server sent, waiting up to {@code seconds}. */
  int awaitCloseCode(long seconds) throws Exception {
    return closeCode.get(seconds, TimeUnit.SECONDS);
  }

  @Override
  public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
    pong.complete(null);
    webSocket.request(1);
    return null;
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
