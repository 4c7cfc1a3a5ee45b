package dev.callstream.cli;

import dev.callstream.testsupport.PlatformJson;
import dev.callstream.testsupport.WebSocketPeer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * The platform's side of one call for the record tests: the upgrade query the platform sends, then
 * {@link PlatformJson} messages over a {@link WebSocketPeer}, so that the recorder is checked by a
 * client that shares no code with it.
 */
final class RecordTestCall {
  static final String AGENT = PlatformJson.AGENT;
  static final String CONFERENCE = PlatformJson.CONFERENCE;

  final String callId;
  final String sessionId;
  private final WebSocketPeer peer;

  private RecordTestCall(String callId, String sessionId, WebSocketPeer peer) {
    this.callId = callId;
    this.sessionId = sessionId;
    this.peer = peer;
  }

  static HttpClient client(SSLContext context) {
    return WebSocketPeer.client(context);
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
    return new RecordTestCall(callId, sessionId,
        WebSocketPeer.connect(client, base, query(callId, sessionId, extraQuery), headers));
  }

  /** The HTTP status that refused the upgrade; fails when it was accepted. */
  static int refusedStatus(HttpClient client, URI base, String callId, Map<String, String> extraQuery,
      Map<String, String> headers) {
    return WebSocketPeer.refusedStatus(client, base, query(callId, "1", extraQuery), headers);
  }

  RecordTestCall connected() {
    return send(PlatformJson.connected());
  }

  RecordTestCall start() {
    return start("");
  }

  /** Start; {@code extraMetadata} is appended to the metadata object, e.g. {@code ,"secret":"s"}. */
  RecordTestCall start(String extraMetadata) {
    return send(PlatformJson.start(PlatformJson.quote(callId), sessionId, extraMetadata));
  }

  RecordTestCall media(String perspective, long sequence, byte[] mulaw) {
    return send(PlatformJson.media(perspective, sequence, mulaw));
  }

  RecordTestCall stop(int durationSeconds) {
    return send(PlatformJson.stop(durationSeconds));
  }

  /** Connected, Start, both sides frame by frame (as {@link #mediaBoth}), two Stops. */
  RecordTestCall streamWhole(byte[] agent, byte[] conference) {
    connected().start();
    int frames = agent.length / RecordTestAudio.FRAME_SAMPLES;
    return mediaBoth(agent, conference).stop(frames / 50).stop(frames / 50);
  }

  /**
   * Every frame of {@code agent}, each followed by the conference frame of the same index (sequence
   * ids 1, 2, ... per side); {@code conference} has at least as many frames.
   */
  RecordTestCall mediaBoth(byte[] agent, byte[] conference) {
    int frames = agent.length / RecordTestAudio.FRAME_SAMPLES;
    for (int i = 0; i < frames; i++) {
      media(AGENT, i + 1, RecordTestAudio.frame(agent, i));
      media(CONFERENCE, i + 1, RecordTestAudio.frame(conference, i));
    }
    return this;
  }

  RecordTestCall send(String text) {
    peer.send(text);
    return this;
  }

  void closeNormally() {
    peer.closeNormally();
  }

  /** Cuts the connection: no Stop, no close handshake. */
  void abort() {
    peer.abort();
  }

  /** The close code; {@link WebSocketPeer#NO_CLOSE_FRAME} when the connection broke. */
  int awaitCloseCode(long seconds) throws Exception {
    return peer.awaitCloseCode(seconds);
  }
}
