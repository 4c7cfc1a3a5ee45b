package dev.callstream.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.callstream.testsupport.FailingDisk;
import dev.callstream.testsupport.Wav;
import dev.callstream.testsupport.WebSocketPeer;
import dev.callstream.testsupport.PlatformJson;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.EndReason;
import dev.callstream.core.recording.CallRecorder;
import dev.callstream.server.CallStreamServer;
import dev.callstream.transport.Tls;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Faults during a call: the recordings keep what arrived, and only the faulty call is affected. */
class RecordingFaultsTest {
  @TempDir
  Path recordings;

  private final List<CallStreamServer> servers = new CopyOnWriteArrayList<>();
  private final HttpClient client = WebSocketPeer.client();
  private final Map<String, IOException> failures = new ConcurrentHashMap<>();
  private final Map<String, EndReason> finished = new ConcurrentHashMap<>();
  private final CallRecorder.Events events = new CallRecorder.Events() {
    @Override
    public void finished(CallSession session, Path folder, EndReason reason, boolean complete) {
      finished.put(folder.getFileName().toString(), reason);
    }

    @Override
    public void failed(CallSession session, Path folder, IOException error) {
      failures.put(folder == null ? "?" : folder.getFileName().toString(), error);
    }
  };

  @AfterEach
  void close() {
    servers.forEach(CallStreamServer::close);
  }

  private CallStreamServer start(CallStreamListener.Factory factory, int maxCalls) {
    CallStreamServer server = CallStreamServer.builder().host("127.0.0.1").port(0).tls(Tls.none())
        .maxCalls(maxCalls).listenerFactory(factory).build().start();
    servers.add(server);
    return server;
  }

  @Test
  void aConnectionCutMidCallLeavesValidFilesWithAllAudioAndAnIncompleteCallJson() throws Exception {
    CallStreamServer server = start(CallRecorder.builder(recordings).events(events).build(), 10);
    CleanCall call = new CleanCall("cut", "1", 100, 11);
    WebSocketPeer peer = WebSocketPeer.connect(client, server.uri(), "callId=cut&sessionId=1", Map.of());
    peer.send(PlatformJson.connected()).send(PlatformJson.start("cut", "1"));
    for (int n = 0; n < 60; n++) {
      peer.send(PlatformJson.media("Participant", n, CleanCall.slice(call.agentSent(100), n)));
      if (n < 45) {
        peer.send(PlatformJson.media("Conference", n, CleanCall.slice(call.conferenceSent(100), n)));
      }
    }
    peer.abort(); // no Stop, no close frame

    await().atMost(Duration.ofSeconds(10)).until(() -> finished.containsKey("cut-1"));
    Path folder = recordings.resolve("cut-1");
    call.assertRecorded(folder, 60, 45);
    JsonNode json = new ObjectMapper().readTree(folder.resolve("call.json").toFile());
    assertThat(json.path("complete").asBoolean()).isFalse();
    assertThat(json.path("endReason").asText()).isEqualTo("closed");
    assertThat(json.path("channels").path("agent").path("frames").asInt()).isEqualTo(60);
    assertThat(json.path("channels").path("conference").path("frames").asInt()).isEqualTo(45);
  }

  @Test
  void aDiskErrorFailsOnlyItsOwnCallWhichIsReported() throws Exception {
    CallRecorder recorder = CallRecorder.builder(recordings).events(events)
        .fileOpener(new FailingDisk(folder -> folder.startsWith("full"), 4000)::open).build();
    CallStreamServer server = start(recorder, 10);
    CleanCall full = new CleanCall("full", "1", 100, 21);
    CleanCall fine = new CleanCall("fine", "1", 100, 22);

    // both calls interleaved on the wire, the full-disk one first
    WebSocketPeer fullPeer = WebSocketPeer.connect(client, server.uri(), "callId=full&sessionId=1", Map.of());
    WebSocketPeer finePeer = WebSocketPeer.connect(client, server.uri(), "callId=fine&sessionId=1", Map.of());
    fullPeer.send(PlatformJson.connected()).send(PlatformJson.start("full", "1"));
    finePeer.send(PlatformJson.connected()).send(PlatformJson.start("fine", "1"));
    for (int n = 0; n < 100; n++) {
      fullPeer.send(PlatformJson.media("Participant", n, CleanCall.slice(full.agentSent(100), n)))
          .send(PlatformJson.media("Conference", n, CleanCall.slice(full.conferenceSent(100), n)));
      finePeer.send(PlatformJson.media("Participant", n, CleanCall.slice(fine.agentSent(100), n)))
          .send(PlatformJson.media("Conference", n, CleanCall.slice(fine.conferenceSent(100), n)));
    }
    fullPeer.send(PlatformJson.stop("Participant")).send(PlatformJson.stop("Conference"));
    finePeer.send(PlatformJson.stop("Participant")).send(PlatformJson.stop("Conference"));

    // the call itself goes on to its normal end: a full disk is the recorder's problem, not the peer's
    assertThat(fullPeer.awaitCloseCode(10)).isEqualTo(1000);
    assertThat(finePeer.awaitCloseCode(10)).isEqualTo(1000);
    await().atMost(Duration.ofSeconds(10)).until(() -> finished.size() == 2);

    assertThat(failures).containsOnlyKeys("full-1");
    assertThat(failures.get("full-1")).hasMessageContaining("No space left");
    JsonNode failed = new ObjectMapper().readTree(recordings.resolve("full-1/call.json").toFile());
    assertThat(failed.path("complete").asBoolean()).isFalse();
    assertThat(failed.path("error").asText()).contains("No space left");
    for (String track : List.of("agent.wav", "conference.wav", "stereo.wav")) {
      Wav.read(recordings.resolve("full-1").resolve(track)); // closed, valid up to the failure
    }
    fine.assertRecordedExactly(recordings.resolve("fine-1"), "stopped", true);
  }

  @Test
  void aListenerThatThrowsEndsOnlyItsOwnCallAndIsReported() throws Exception {
    CallRecorder recorder = CallRecorder.builder(recordings).events(events).build();
    Map<String, Throwable> ends = new ConcurrentHashMap<>();
    CallStreamServer server = start(info -> {
      CallStreamListener recording = recorder.create(info);
      boolean broken = "broken".equals(info.callId());
      return new CallStreamListener() {
        @Override
        public void onStart(CallSession session) {
          recording.onStart(session);
        }

        @Override
        public void onSegmentStart(CallSession session, dev.callstream.core.Segment segment) {
          recording.onSegmentStart(session, segment);
        }

        @Override
        public void onAudio(CallSession session, AudioFrame frame) {
          if (broken && frame.position() == 30) {
            throw new IllegalStateException("listener bug");
          }
          recording.onAudio(session, frame);
        }

        @Override
        public void onGap(CallSession session, dev.callstream.core.Gap gap) {
          recording.onGap(session, gap);
        }

        @Override
        public void onSegmentStop(CallSession session, dev.callstream.core.Segment segment) {
          recording.onSegmentStop(session, segment);
        }

        @Override
        public void onTransportEvent(CallSession session, dev.callstream.core.TransportEvent event) {
          recording.onTransportEvent(session, event);
        }

        @Override
        public void onEnd(CallSession session, EndReason reason, Throwable cause) {
          ends.put(session.callId(), cause == null ? new AssertionError(reason.label()) : cause);
          recording.onEnd(session, reason, cause);
        }
      };
    }, 10);
    CleanCall broken = new CleanCall("broken", "1", 60, 31);
    CleanCall healthy = new CleanCall("healthy", "1", 60, 32);

    WebSocketPeer brokenPeer = WebSocketPeer.connect(client, server.uri(), "callId=broken&sessionId=1", Map.of());
    brokenPeer.send(PlatformJson.connected()).send(PlatformJson.start("broken", "1"));
    for (int n = 0; n < 60; n++) {
      brokenPeer.send(PlatformJson.media("Participant", n, CleanCall.slice(broken.agentSent(60), n)));
    }
    assertThat(brokenPeer.awaitCloseCode(10)).as("broken listener's call").isEqualTo(1011);
    assertThat(healthy.playFlooding(client, server.uri(), Map.of())).isEqualTo(1000);

    await().atMost(Duration.ofSeconds(10)).until(() -> ends.size() == 2);
    assertThat(ends.get("broken")).hasMessage("listener bug");
    assertThat(new ObjectMapper().readTree(recordings.resolve("broken-1/call.json").toFile())
        .path("endReason").asText()).isEqualTo("error");
    healthy.assertRecordedExactly(recordings.resolve("healthy-1"), "stopped", true);
  }

  @Test
  void aRetryAfter503WithTheSameCallIdLandsInANewFolderAndOverwritesNothing() throws Exception {
    CallStreamServer server = start(CallRecorder.builder(recordings).events(events).build(), 1);
    CleanCall first = new CleanCall("retried", "7", 40, 41);
    CleanCall retry = new CleanCall("retried", "7", 30, 42);

    WebSocketPeer busy = WebSocketPeer.connect(client, server.uri(), "callId=other&sessionId=1", Map.of());
    busy.send(PlatformJson.connected()).send(PlatformJson.start("other", "1"));
    assertThat(WebSocketPeer.refusedStatus(client, server.uri(), "callId=retried&sessionId=7", Map.of())).isEqualTo(503);
    busy.closeNormally();
    assertThat(busy.awaitCloseCode(10)).isEqualTo(1000);
    await().atMost(Duration.ofSeconds(10)).until(() -> server.activeCalls() == 0);

    assertThat(first.playFlooding(client, server.uri(), Map.of())).isEqualTo(1000);
    await().atMost(Duration.ofSeconds(10)).until(() -> finished.containsKey("retried-7"));
    byte[] firstAgent = Files.readAllBytes(recordings.resolve("retried-7/agent.wav"));
    assertThat(retry.playFlooding(client, server.uri(), Map.of())).isEqualTo(1000);
    await().atMost(Duration.ofSeconds(10)).until(() -> finished.containsKey("retried-7-2"));

    first.assertRecordedExactly(recordings.resolve("retried-7"), "stopped", true);
    retry.assertRecordedExactly(recordings.resolve("retried-7-2"), "stopped", true);
    assertThat(Files.readAllBytes(recordings.resolve("retried-7/agent.wav"))).isEqualTo(firstAgent);
    try (Stream<Path> folders = Files.list(recordings)) {
      assertThat(folders.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("other-1", "retried-7", "retried-7-2");
    }
  }
}
