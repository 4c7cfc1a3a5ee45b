package dev.callstream.containers;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * One hand-driven connection through the JDK's WebSocket client (neither Tyrus nor the container's):
 * the refusal tests send exactly the messages they need and read the status or close code.
 */
public final class RawClient implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final WebSocket socket;
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();

  private RawClient(URI uri, String bearer) throws Exception {
    WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
    if (bearer != null) {
      builder.header("Authorization", "Bearer " + bearer);
    }
    socket = builder.buildAsync(uri, new WebSocket.Listener() {
      @Override
      public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode);
        return null;
      }

      @Override
      public void onError(WebSocket webSocket, Throwable error) {
        closed.complete(-1);
      }
    }).get(10, TimeUnit.SECONDS);
  }

  /** Opens a connection; a refused upgrade throws {@link Refused} with its HTTP status. */
  public static RawClient open(URI uri, String bearer) throws Exception {
    try {
      return new RawClient(uri, bearer);
    } catch (java.util.concurrent.ExecutionException | CompletionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException handshake) {
        throw new Refused(handshake.getResponse().statusCode());
      }
      throw e;
    }
  }

  /** The HTTP status of a refused upgrade. */
  public static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;
    public final int status;

    Refused(int status) {
      super("upgrade refused with HTTP " + status);
      this.status = status;
    }
  }

  public RawClient send(String text) {
    socket.sendText(text, true).join();
    return this;
  }

  /** Sends without failing when the server has closed meanwhile. */
  public RawClient trySend(String text) {
    try {
      socket.sendText(text, true).get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // the server closed: the close code tells the test why
    }
    return this;
  }

  public RawClient sendBinary(byte[] bytes) {
    socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
    return this;
  }

  public RawClient connectedAndStart(String callId) {
    send("{\"event\":\"Connected\",\"protocol\":\"AgentSession\",\"version\":\"1.0.0\"}");
    return send("{\"event\":\"Start\",\"metadata\":{\"callId\":\"" + callId + "\",\"sessionId\":\"1\","
        + "\"contentType\":\"audio/x-mulaw\",\"sampleRateHertz\":8000}}");
  }

  public RawClient media(String perspective, int sequence, byte[] frame) {
    return send("{\"event\":\"Media\",\"perspective\":\"" + perspective + "\",\"sequenceId\":\"" + sequence
        + "\",\"media\":\"" + Base64.getEncoder().encodeToString(frame) + "\"}");
  }

  public RawClient stops() {
    for (int i = 0; i < 2; i++) {
      send("{\"event\":\"Stop\",\"metadata\":{\"duration\":1,\"end_time\":\"2026-11-30T00:00:00Z\"}}");
    }
    return this;
  }

  /** The close code the server sent (-1 when the connection broke without one). */
  public int awaitClose(Duration timeout) throws Exception {
    return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  public boolean isClosed() {
    return closed.isDone();
  }

  @Override
  public void close() {
    socket.abort();
  }
}
