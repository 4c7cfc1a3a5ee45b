package dev.callstream.server;

import dev.callstream.testsupport.WebSocketPeer;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.Map;
import javax.net.ssl.SSLContext;

/** {@link WebSocketPeer}s for a {@link CallStreamServer} under test: its address and its certificate. */
final class Peers {
  private Peers() {}

  static HttpClient client(CallStreamServer server) {
    return WebSocketPeer.client(server.tls().secure() ? server.tls().clientContext() : null);
  }

  static HttpClient client(SSLContext context) {
    return WebSocketPeer.client(context);
  }

  static WebSocketPeer connect(CallStreamServer server, String query) {
    return connect(server, query, Map.of());
  }

  static WebSocketPeer connect(CallStreamServer server, String query, Map<String, String> headers) {
    return WebSocketPeer.connect(client(server), server.uri(), query, headers);
  }

  static WebSocketPeer connect(HttpClient client, URI base, String query, Map<String, String> headers) {
    return WebSocketPeer.connect(client, base, query, headers);
  }

  /** The HTTP status that refused the upgrade; fails when the upgrade succeeded. */
  static int refusedStatus(CallStreamServer server, String query, Map<String, String> headers) {
    return WebSocketPeer.refusedStatus(client(server), server.uri(), query, headers);
  }
}
