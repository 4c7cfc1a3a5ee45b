package dev.callstream.server;

import dev.callstream.testsupport.WebSocketPeer;
import dev.callstream.testsupport.PlatformJson;
import dev.callstream.transport.Tls;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;

/** Starts real servers on 127.0.0.1, port 0, TLS with a self-signed certificate unless told otherwise. */
abstract class ServerTestSupport {
  final BlockingQueue<RecordingCallListener> created = new LinkedBlockingQueue<>();
  private final List<CallStreamServer> servers = new ArrayList<>();

  CallStreamServer start(UnaryOperator<CallStreamServer.Builder> config) {
    CallStreamServer server = config.apply(CallStreamServer.builder()
            .host("127.0.0.1")
            .port(0)
            .tls(Tls.selfSigned())
            .listenerFactory(RecordingCallListener.factory(created)))
        .build()
        .start();
    servers.add(server);
    return server;
  }

  CallStreamServer start() {
    return start(builder -> builder);
  }

  @AfterEach
  void closeServers() {
    servers.forEach(CallStreamServer::close);
  }

  /** Connected, Start, {@code frames} Media per perspective (payload byte = sequence), both Stops. */
  static void playCall(WebSocketPeer peer, String callId, int frames) {
    peer.send(PlatformJson.connected(), PlatformJson.start(callId));
    for (int sequence = 0; sequence < frames; sequence++) {
      peer.send(PlatformJson.media("Participant", sequence, PlatformJson.frame(sequence)),
          PlatformJson.media("Conference", sequence, PlatformJson.frame(100 + sequence)));
    }
    peer.send(PlatformJson.stop(), PlatformJson.stop());
  }
}
