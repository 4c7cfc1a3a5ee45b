package dev.callstream.testsupport;

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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * The platform's (or an attacker's) side of one WebSocket connection, on the JDK client, sharing no
 * code with the server under test. Sends wait until the message is handed to the socket; the close
 * code the server sends is kept. Timeouts are generous: 50 concurrent TLS handshakes on a loaded
 * 2-core host have taken more than 5 s.
 */
public final class WebSocketPeer implements WebSocket.Listener {
  /** {@link #awaitCloseCode}'s answer when no close frame arrived: the connection broke. */
  public static final int NO_CLOSE_FRAME = -1;

  private static final Duration CONNECT = Duration.ofSeconds(30);
  private static final long SEND_SECONDS = 15;

  private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  private volatile CompletableFuture<Void> pong = new CompletableFuture<>();
  private WebSocket socket;
  private int sent;

  private WebSocketPeer() {}

  /** A client for plain {@code ws://}. */
  public static HttpClient client() {
    return HttpClient.newBuilder().connectTimeout(CONNECT).build();
  }

  /** A client trusting {@code context}'s certificates; plain when {@code context} is null. */
  public static HttpClient client(SSLContext context) {
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(CONNECT);
    if (context != null) {
      builder.sslContext(context);
    }
    return builder.build();
  }

  /** A client whose worker threads are {@code executor}'s (the default pool grows and shrinks on its own). */
  public static HttpClient client(Executor executor) {
    return HttpClient.newBuilder().connectTimeout(CONNECT).executor(executor).build();
  }

  /** Upgrades {@code base?query} (no query when null) with extra handshake {@code headers}. */
  public static WebSocketPeer connect(HttpClient client, URI base, String query, Map<String, String> headers) {
    WebSocketPeer peer = new WebSocketPeer();
    WebSocket.Builder builder = client.newWebSocketBuilder().connectTimeout(CONNECT);
    headers.forEach(builder::header);
    URI uri = URI.create(base + (query == null ? "" : "?" + query));
    peer.socket = builder.buildAsync(uri, peer).orTimeout(CONNECT.toSeconds() + 5, TimeUnit.SECONDS).join();
    return peer;
  }

  /** The HTTP status that refused the upgrade; throws {@link AssertionError} when it was accepted. */
  public static int refusedStatus(HttpClient client, URI base, String query, Map<String, String> headers) {
    try {
      connect(client, base, query, headers).abort();
    } catch (CompletionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException refused) {
        return refused.getResponse().statusCode();
      }
      throw e;
    }
    throw new AssertionError("upgrade was accepted: " + query);
  }

  /** Sends each text as one whole message, in order. */
  public WebSocketPeer send(String... texts) {
    for (String text : texts) {
      socket.sendText(text, true).orTimeout(SEND_SECONDS, TimeUnit.SECONDS).join();
      sent++;
    }
    return this;
  }

  /** Sends one fragment of a text message. */
  public WebSocketPeer sendPart(String text, boolean last) {
    socket.sendText(text, last).orTimeout(SEND_SECONDS, TimeUnit.SECONDS).join();
    if (last) {
      sent++;
    }
    return this;
  }

  /** Sends a binary message. */
  public WebSocketPeer sendBinary(byte[] bytes) {
    socket.sendBinary(ByteBuffer.wrap(bytes), true).orTimeout(SEND_SECONDS, TimeUnit.SECONDS).join();
    sent++;
    return this;
  }

  /**
   * Sends a ping and waits for the pong: a server that reads a connection's frames in order has then
   * read every message sent before the ping.
   */
  public WebSocketPeer roundTrip() {
    pong = new CompletableFuture<>();
    socket.sendPing(ByteBuffer.wrap(new byte[] {1})).orTimeout(SEND_SECONDS, TimeUnit.SECONDS).join();
    pong.orTimeout(SEND_SECONDS, TimeUnit.SECONDS).join();
    return this;
  }

  /** Whole messages handed to the socket so far. */
  public int sent() {
    return sent;
  }

  /** Sends a close frame with 1000. */
  public void closeNormally() {
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").orTimeout(SEND_SECONDS, TimeUnit.SECONDS).join();
  }

  /** Cuts the TCP connection without a close frame. */
  public void abort() {
    socket.abort();
  }

  /**
   * The close code the server sent, waiting up to {@code seconds}; {@link #NO_CLOSE_FRAME} when the
   * connection broke without one.
   *
   * @throws java.util.concurrent.TimeoutException when nothing happened in time
   */
  public int awaitCloseCode(long seconds) throws Exception {
    try {
      return closeCode.get(seconds, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return NO_CLOSE_FRAME;
    }
  }

  /** Completed with the server's close code, or exceptionally when the connection broke. */
  public CompletableFuture<Integer> closed() {
    return closeCode;
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
