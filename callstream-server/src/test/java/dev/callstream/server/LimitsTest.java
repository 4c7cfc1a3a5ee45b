package dev.callstream.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callstream.testsupport.WebSocketPeer;
import dev.callstream.testsupport.PlatformJson;
import dev.callstream.core.EndReason;
import dev.callstream.server.wire.MalformedMessageException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LimitsTest extends ServerTestSupport {

  @Test
  void aMalformedMessageIsReportedAndTheCallGoesOn() throws Exception {
    CallStreamServer server = start();
    WebSocketPeer peer = Peers.connect(server, "callId=m");
    peer.send(PlatformJson.connected(), PlatformJson.start("m"), "{not json", PlatformJson.media("Participant", 0, PlatformJson.frame(3)),
        PlatformJson.stop(), PlatformJson.stop());
    RecordingCallListener listener = RecordingCallListener.take(created);
    assertThat(listener.awaitEnd()).isEqualTo(EndReason.STOPPED);
    assertThat(listener.errors).singleElement().isInstanceOf(MalformedMessageException.class);
    assertThat(listener.events).startsWith("connected", "start:m", "error").contains("audio:agent:0")
        .endsWith("end:stopped");
    assertThat(listener.frames).singleElement().satisfies(frame -> assertThat(frame.payload()).isEqualTo(PlatformJson.frame(3)));
  }

  @Test
  void theHundredthMalformedMessageClosesWith1007() throws Exception {
    CallStreamServer server = start();
    WebSocketPeer peer = Peers.connect(server, "callId=garbage");
    peer.send(PlatformJson.connected());
    for (int i = 0; i < 100; i++) {
      peer.send("garbage " + i);
    }
    assertThat(peer.awaitCloseCode(30)).isEqualTo(1007);
    RecordingCallListener listener = RecordingCallListener.take(created);
    assertThat(listener.awaitEnd()).isEqualTo(EndReason.ERROR);
    assertThat(listener.errors).hasSize(100);
  }

  @Test
  void aBinaryFrameClosesWith1003() throws Exception {
    CallStreamServer server = start();
    WebSocketPeer peer = Peers.connect(server, "callId=b");
    peer.send(PlatformJson.connected());
    peer.sendBinary(new byte[] {1, 2, 3});
    assertThat(peer.awaitCloseCode(30)).isEqualTo(1003);
    assertThat(RecordingCallListener.take(created).awaitEnd()).isEqualTo(EndReason.ERROR);
  }

  @Test
  void aMessageOverTheLimitClosesWith1009AndTheServerKeepsServing() throws Exception {
    CallStreamServer server = start(builder -> builder.maxMessageBytes(4096));
    WebSocketPeer peer = Peers.connect(server, "callId=big");
    peer.send(PlatformJson.connected());
    try {
      peer.send("{\"event\":\"Unknown\",\"pad\":\"" + "x".repeat(70_000) + "\"}");
    } catch (java.util.concurrent.CompletionException closedWhileSending) {
      // The server may close before the client finished writing the message.
    }
    RecordingCallListener listener = RecordingCallListener.take(created);
    int code = peer.awaitCloseCode(30);
    if (code == WebSocketPeer.NO_CLOSE_FRAME) {
      // When the server closes while the client is still writing the 70 KB, the client's write can
      // fail (broken pipe) before it reads the 1009 frame; then check the server's side of it.
      assertThat(listener.awaitEnd()).isEqualTo(EndReason.ERROR);
      assertThat(listener.endCause).hasMessageContaining("message over 4096 bytes");
    } else {
      assertThat(code).isEqualTo(1009);
    }
    assertThat(listener.awaitEnd()).isEqualTo(EndReason.ERROR);

    WebSocketPeer next = Peers.connect(server, "callId=next");
    playCall(next, "next", 2);
    assertThat(RecordingCallListener.take(created).awaitEnd()).isEqualTo(EndReason.STOPPED);
  }

  @Test
  void fragmentsThatTogetherExceedTheLimitCloseWith1009() throws Exception {
    CallStreamServer server = start(builder -> builder.maxMessageBytes(4096));
    WebSocketPeer peer = Peers.connect(server, "callId=fragments");
    peer.send(PlatformJson.connected());
    try {
      for (int i = 0; i < 3; i++) {
        peer.sendPart("x".repeat(2000), false);
      }
      peer.sendPart("x", true);
    } catch (java.util.concurrent.CompletionException closedWhileSending) {
      // The server may close before the client finished writing the message.
    }
    assertThat(peer.awaitCloseCode(30)).isEqualTo(1009);
    assertThat(RecordingCallListener.take(created).awaitEnd()).isEqualTo(EndReason.ERROR);
  }

  @Test
  void aMessageJustUnderTheLimitIsAccepted() throws Exception {
    CallStreamServer server = start(builder -> builder.maxMessageBytes(64 * 1024));
    WebSocketPeer peer = Peers.connect(server, "callId=edge");
    String padded = "{\"event\":\"Custom\",\"pad\":\"" + "x".repeat(60_000) + "\"}";
    peer.send(PlatformJson.connected(), padded, PlatformJson.start("edge"), PlatformJson.stop(), PlatformJson.stop());
    RecordingCallListener listener = RecordingCallListener.take(created);
    assertThat(listener.awaitEnd()).isEqualTo(EndReason.STOPPED);
    assertThat(listener.errors).isEmpty();
  }

  @Test
  void anIdleCallIsClosed() throws Exception {
    CallStreamServer server = start(builder -> builder.idleTimeout(Duration.ofMillis(300)));
    WebSocketPeer peer = Peers.connect(server, "callId=idle");
    peer.send(PlatformJson.connected(), PlatformJson.start("idle"));
    assertThat(peer.awaitCloseCode(30)).isEqualTo(1001);
    assertThat(RecordingCallListener.take(created).awaitEnd()).isEqualTo(EndReason.CLOSED);
  }
}
