package dev.callstream.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.callstream.testsupport.Wav;
import dev.callstream.testsupport.WebSocketPeer;
import dev.callstream.testsupport.PlatformJson;
import dev.callstream.core.CallSession;
import dev.callstream.core.EndReason;
import dev.callstream.core.recording.CallRecorder;
import dev.callstream.server.CallStreamServer;
import dev.callstream.transport.Tls;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names the remote side controls (upgrade query and Start metadata) never steer the file system:
 * every call, whatever its ids, is recorded in a folder directly inside the recordings folder.
 */
class HostileNamesTest {
  private static final List<String> HOSTILE_IDS = List.of(
      "../../x", "..", ".", "/etc/passwd", "C:\\x", "C:x", "\\\\server\\share", "x/../../y", "a\u0000b",
      "line\nbreak\r\tand\u001b[31m", "\u2024\u2024\u2215etc", "\uff0e\uff0e\uff0fx", "\u202e\u0645\u0631\u062d\u0628\u0627",
      "CON", "nul.wav", "~root", "$HOME", "%2e%2e%2f", "...", "-rf", " ", "\ud83d\ude00", "x".repeat(10_000));

  @TempDir
  Path root;

  @Test
  void hostileCallIdsInTheQueryAndInStartAllLandInsideTheRecordingsFolder() throws Exception {
    Path recordings = root.resolve("recordings");
    List<Path> folders = new CopyOnWriteArrayList<>();
    CallRecorder recorder = CallRecorder.builder(recordings).events(new CallRecorder.Events() {
      @Override
      public void finished(CallSession session, Path folder, EndReason reason, boolean complete) {
        folders.add(folder);
      }
    }).build();
    try (CallStreamServer server = CallStreamServer.builder().host("127.0.0.1").port(0).tls(Tls.none())
        .listenerFactory(recorder).build().start()) {
      HttpClient client = WebSocketPeer.client();
      int calls = 0;
      for (String id : HOSTILE_IDS) {
        // the id in the upgrade query (cut to 2,000 characters to stay within HTTP header limits) ...
        String queryId = id.length() > 2000 ? id.substring(0, 2000) : id;
        String query = "callId=" + URLEncoder.encode(queryId, StandardCharsets.UTF_8) + "&sessionId="
            + URLEncoder.encode(id.length() > 100 ? "s" : id, StandardCharsets.UTF_8);
        playOneFrame(client, server, query, PlatformJson.start(PlatformJson.quote(id), "../" + calls, ""));
        calls++;
        // ... and in Start alone, with a hostile session id too
        playOneFrame(client, server, "", PlatformJson.start(PlatformJson.quote(id), id.length() > 100 ? "/s" : id));
        calls++;
        // ... and in the query alone (Start without ids)
        playOneFrame(client, server, query, "{\"event\":\"Start\",\"metadata\":{\"contentType\":\"audio/x-mulaw\"}}");
        calls++;
      }
      int expected = calls;
      await().atMost(Duration.ofSeconds(20)).until(() -> folders.size() == expected);
    }

    try (Stream<Path> top = Files.list(root)) {
      assertThat(top).as("nothing written beside the recordings folder").containsExactly(recordings);
    }
    try (Stream<Path> inside = Files.list(recordings)) {
      List<Path> listed = inside.toList();
      assertThat(listed).hasSize(folders.size()).allSatisfy(folder -> {
        assertThat(Files.isDirectory(folder)).as("%s is a folder", folder).isTrue();
        assertThat(folder.getFileName().toString()).matches("[A-Za-z0-9_-][A-Za-z0-9._-]{0,240}");
        assertThat(Wav.read(folder.resolve("agent.wav")).samples()).hasSize(160);
      });
    }
    assertThat(folders).allSatisfy(folder -> assertThat(folder.getParent()).isEqualTo(recordings.toAbsolutePath()));
    try (Stream<Path> all = Files.walk(root)) {
      assertThat(all.filter(Files::isRegularFile))
          .allSatisfy(file -> assertThat(file.getParent().getParent()).isEqualTo(recordings));
    }
  }

  private static void playOneFrame(HttpClient client, CallStreamServer server, String query, String start)
      throws Exception {
    WebSocketPeer peer = WebSocketPeer.connect(client, server.uri(), query, Map.of());
    peer.send(PlatformJson.connected()).send(start).send(PlatformJson.media("Participant", 0, new byte[160]))
        .send(PlatformJson.stop("Participant")).send(PlatformJson.stop("Conference"));
    assertThat(peer.awaitCloseCode(10)).as("close code for %s", query).isEqualTo(1000);
  }
}
