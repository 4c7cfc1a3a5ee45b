package dev.callstream.cli;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * The platform's side of one call, hand-built on the JDK WebSocket client and JSON text, so that the
 * recorder is checked by a client that shares no code with it.
 */
final class RecordTestCall implements WebSocket.Listener {
  static final String AGENT = "Participant";
  static final String CONFERENCE = "Conference";

  final String callId;
  final String sessionId;
  final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  private WebSocket socket;

  private RecordTestCall(String callId, String sessionId) {
    this.callId = callId;
    this.sessionId = sessionId;
  }

  static HttpClient client(SSLContext context) {
    // 50 concurrent TLS handshakes on a loaded 2-core host took more than 5 s to connect (seen in full runs)
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30));
    if (context != null) {
      builder.sslContext(context);
    }
    return builder.build();
  }

  /** The upgrade query the platform sends, plus {@code extra} parameters. */
  static String query(String callId, String sessionId, Map<String, String> extra) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("callId", callId);
    params.put("sessionId", sessionId);
    params.put("ani", "2223334444");
    params.put("dnis", "5556667777");
    params.put("accountId", "99990000");
    params.put("subaccountId", "99990001");
    params.put("rcAccountId", "123456789");
    params.put("agentId", "123");
    params.put("productType", "Queue");
    params.put("productId", "1234");
    params.putAll(extra);
    StringBuilder query = new StringBuilder();
    params.forEach((name, value) -> query.append(query.length() == 0 ? "" : "&").append(name).append('=')
        .append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
    return query.toString();
  }

  static RecordTestCall open(HttpClient client, URI base, String callId, String sessionId) {
    return open(client, base, callId, sessionId, Map.of(), Map.of());
  }

  static RecordTestCall open(HttpClient client, URI base, String callId, String sessionId,
      Map<String, String> extraQuery, Map<String, String> headers) {
    RecordTestCall call = new RecordTestCall(callId, sessionId);
    WebSocket.Builder builder = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30));
    headers.forEach(builder::header);
    URI uri = URI.create(base + "?" + query(callId, sessionId, extraQuery));
    call.socket = builder.buildAsync(uri, call).orTimeout(15, TimeUnit.SECONDS).join();
    return call;
  }

  /** The HTTP status that refused the upgrade; fails when it was accepted. */
  static int refusedStatus(HttpClient client, URI base, String callId, Map<String, String> extraQuery,
      Map<String, String> headers) {
    try {
      RecordTestCall call = open(client, base, callId, "1", extraQuery, headers);
      call.abort();
      throw new AssertionError("upgrade was accepted");
    } catch (CompletionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException refused) {
        return refused.getResponse().statusCode();
      }
      throw e;
    }
  }

  RecordTestCall connected() {
    return send("{\"event\":\"Connected\",\"protocol\":\"AgentSession\",\"version\":\"1.0.0\"}");
  }

  RecordTestCall start() {
    return start("");
  }

  /** Start; {@code extraMetadata} is appended to the metadata object, e.g. {@code ,"secret":"s"}. */
  RecordTestCall start(String extraMetadata) {
    return send("{\"event\":\"Start\",\"metadata\":{\"callId\":\"" + callId + "\",\"sessionId\":\""
        + sessionId + "\",\"ani\":\"2223334444\",\"dnis\":\"5556667777\",\"accountId\":\"99990000\","
        + "\"subaccountId\":\"99990001\",\"rcAccountId\":\"123456789\",\"agentId\":123,"
        + "\"productType\":\"Queue\",\"productId\":1234,\"contentType\":\"audio/x-mulaw\","
        + "\"sampleRateHertz\":8000" + extraMetadata + "}}");
  }

  RecordTestCall media(String perspective, long sequence, byte[] mulaw) {
    return send("{\"event\":\"Media\",\"perspective\":\"" + perspective + "\",\"sequenceId\":\"" + sequence
        + "\",\"media\":\"" + Base64.getEncoder().encodeToString(mulaw) + "\"}");
  }

  RecordTestCall stop(int durationSeconds) {
    return send("{\"event\":\"Stop\",\"metadata\":{\"duration\":" + durationSeconds
        + ",\"end_time\":\"2026-01-14T00:00:00Z\"}}");
  }

  /** Connected, Start, both sides frame by frame (sequence ids 1, 2, ... per side), two Stops. */
  RecordTestCall streamWhole(byte[] agent, byte[] conference) {
    connected().start();
    int frames = agent.length / RecordTestAudio.FRAME_SAMPLES;
    for (int i = 0; i < frames; i++) {
      media(AGENT, i + 1, RecordTestAudio.frame(agent, i));
      media(CONFERENCE, i + 1, RecordTestAudio.frame(conference, i));
    }
    return stop(frames / 50).stop(frames / 50);
  }

  RecordTestCall send(String text) {
    socket.sendText(text, true).orTimeout(15, TimeUnit.SECONDS).join();
    return this;
  }

  void closeNormally() {
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").orTimeout(15, TimeUnit.SECONDS).join();
  }

  /** Cuts the connection: no Stop, no close handshake. */
  void abort() {
    socket.abort();
  }

  int awaitCloseCode(long seconds) throws Exception {
    return closeCode.get(seconds, TimeUnit.SECONDS);
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
