package dev.callstream.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.callstream.testsupport.WebSocketPeer;
import dev.callstream.testsupport.PlatformJson;
import dev.callstream.core.EndReason;
import dev.callstream.transport.Authenticator;
import dev.callstream.transport.Tls;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HandshakeTest extends ServerTestSupport {
  private final AtomicInteger listenersCreated = new AtomicInteger();

  private CallStreamServer startWithSecrets() {
    return start(builder -> builder
        .authenticator(Authenticator.secrets(List.of("old-secret", "new-secret")))
        .listenerFactory(info -> {
          listenersCreated.incrementAndGet();
          RecordingCallListener listener = new RecordingCallListener(info);
          created.add(listener);
          return listener;
        }));
  }

  @Test
  void aWrongSecretInTheHeaderOrTheQueryIsRefusedWith401() {
    CallStreamServer server = startWithSecrets();
    assertThat(Peers.refusedStatus(server, "callId=1", Map.of("Authorization", "Bearer wrong"))).isEqualTo(401);
    assertThat(Peers.refusedStatus(server, "callId=1&secret=wrong", Map.of())).isEqualTo(401);
    assertThat(Peers.refusedStatus(server, "callId=1&secret=new-secret", Map.of("Authorization", "Bearer wrong")))
        .isEqualTo(401);
    assertThat(listenersCreated).hasValue(0);
    assertThat(server.activeCalls()).isZero();
  }

  @Test
  void aRightSecretInTheHeaderOrTheQueryIsAccepted() throws Exception {
    CallStreamServer server = startWithSecrets();
    WebSocketPeer byHeader = Peers.connect(server, "callId=h", Map.of("Authorization", "Bearer new-secret"));
    playCall(byHeader, "h", 2);
    assertThat(RecordingCallListener.take(created).awaitEnd()).isEqualTo(EndReason.STOPPED);

    WebSocketPeer byQuery = Peers.connect(server, "callId=q&secret=old-secret");
    playCall(byQuery, "q", 2);
    RecordingCallListener listener = RecordingCallListener.take(created);
    assertThat(listener.awaitEnd()).isEqualTo(EndReason.STOPPED);
    assertThat(listener.info.parameters()).containsKey("callId").doesNotContainKey("secret");
  }

  @Test
  void aWrongSecretInStartClosesWith1008BeforeAnyListenerExists() throws Exception {
    CallStreamServer server = startWithSecrets();
    WebSocketPeer peer = Peers.connect(server, "callId=s");
    peer.send(PlatformJson.connected(), PlatformJson.startWithSecret("s", "wrong"), PlatformJson.media("Participant", 0, PlatformJson.frame(1)));
    assertThat(peer.awaitCloseCode(30)).isEqualTo(1008);
    await().atMost(Duration.ofSeconds(60)).until(() -> server.activeCalls() == 0);
    assertThat(listenersCreated).hasValue(0);
  }

  @Test
  void mediaBeforeAnAuthorizedStartClosesWith1008() throws Exception {
    CallStreamServer server = startWithSecrets();
    WebSocketPeer peer = Peers.connect(server, "callId=m");
    peer.send(PlatformJson.connected(), PlatformJson.media("Participant", 0, PlatformJson.frame(1)));
    try {
      // a right secret coming after the media must not open the gate; the server may have closed already
      peer.send(PlatformJson.startWithSecret("m", "new-secret"));
    } catch (CompletionException closedBeforeTheStartWasSent) {
      // the close code below is what the test is about
    }
    assertThat(peer.awaitCloseCode(30)).isEqualTo(1008);
    await().atMost(Duration.ofSeconds(60)).until(() -> server.activeCalls() == 0);
    assertThat(listenersCreated).hasValue(0);
  }

  @Test
  void aRightSecretInStartCreatesTheListenerWhichNeverSeesTheSecret() throws Exception {
    CallStreamServer server = startWithSecrets();
    WebSocketPeer peer = Peers.connect(server, "callId=ok");
    peer.send(PlatformJson.connected(), PlatformJson.startWithSecret("ok", "old-secret"),
        PlatformJson.media("Participant", 0, PlatformJson.frame(9)), PlatformJson.stop(), PlatformJson.stop());
    RecordingCallListener listener = RecordingCallListener.take(created);
    assertThat(listener.awaitEnd()).isEqualTo(EndReason.STOPPED);
    assertThat(listener.events).startsWith("connected", "start:ok").contains("audio:agent:0").endsWith("end:stopped");
    assertThat(listener.start.metadata()).containsKey("callId").doesNotContainKey("secret");
    assertThat(listener.frames.get(0).payload()).isEqualTo(PlatformJson.frame(9));
  }

  @Test
  void beyondMaxCallsTheUpgradeGets503UntilACallEnds() throws Exception {
    CallStreamServer server = start(builder -> builder.maxCalls(1));
    WebSocketPeer first = Peers.connect(server, "callId=first");
    first.send(PlatformJson.connected());
    assertThat(Peers.refusedStatus(server, "callId=second", Map.of())).isEqualTo(503);

    first.send(PlatformJson.start("first"), PlatformJson.stop(), PlatformJson.stop());
    assertThat(RecordingCallListener.take(created).awaitEnd()).isEqualTo(EndReason.STOPPED);
    await().atMost(Duration.ofSeconds(60)).until(() -> server.activeCalls() == 0);

    WebSocketPeer third = Peers.connect(server, "callId=third");
    playCall(third, "third", 1);
    assertThat(RecordingCallListener.take(created).awaitEnd()).isEqualTo(EndReason.STOPPED);
  }

  @Test
  void otherPathsGet404() {
    CallStreamServer server = start();
    try {
      Peers.connect(Peers.client(server), server.uri().resolve("/elsewhere"), null, Map.of());
      throw new AssertionError("upgrade was accepted");
    } catch (java.util.concurrent.CompletionException e) {
      assertThat(e.getCause()).isInstanceOf(java.net.http.WebSocketHandshakeException.class);
      assertThat(((java.net.http.WebSocketHandshakeException) e.getCause()).getResponse().statusCode())
          .isEqualTo(404);
    }
  }

  @Test
  void aHalfWrittenUpgradeIsCutByTheHandshakeTimeout() throws Exception {
    CallStreamServer server = start(builder -> builder.tls(Tls.none()).handshakeTimeout(Duration.ofMillis(300)));
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(60_000); // the cut is due after 300 ms; a loaded host may take far longer
      OutputStream out = socket.getOutputStream();
      out.write("GET /?callId=slow HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      long started = System.nanoTime();
      InputStream in = socket.getInputStream();
      assertThat(in.read()).isEqualTo(-1);
      // cut by the handshake timeout, not by any later limit (Grizzly's 30 s keep-alive among them)
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
    }
  }

  @Test
  void aSilentTlsConnectionIsCutByTheHandshakeTimeout() throws Exception {
    CallStreamServer server = start(builder -> builder.handshakeTimeout(Duration.ofMillis(300)));
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(60_000); // the cut is due after 300 ms; a loaded host may take far longer
      assertThat(socket.getInputStream().read()).isEqualTo(-1);
    }
  }
}
