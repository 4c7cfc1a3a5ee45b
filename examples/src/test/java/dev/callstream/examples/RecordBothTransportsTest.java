package dev.callstream.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callstream.examples.RecordBothTransports.Servers;
import dev.callstream.testkit.AudioSource;
import dev.callstream.testkit.CallResult;
import dev.callstream.testkit.CallScript;
import dev.callstream.testkit.FakeEngageVoice;
import dev.callstream.testkit.FakeRingCx;
import dev.callstream.testkit.Pacing;
import dev.callstream.testkit.RingCxCallResult;
import dev.callstream.testkit.RingCxScript;
import dev.callstream.testsupport.Wav;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordBothTransportsTest {
  private static final AudioSource AGENT = AudioSource.tone(440, 0.5).limit(Duration.ofSeconds(1));
  private static final AudioSource CALLER = AudioSource.speechLike(3).limit(Duration.ofSeconds(1));

  @TempDir
  Path recordings;

  @Test
  void recordsAWebSocketCallAndAGrpcCallIntoOneFolderAsTheDecodedAudioThatWasSent() throws Exception {
    MulawReference reference = MulawReference.load();
    try (Servers servers = RecordBothTransports.start(recordings, 0, 0);
        FakeEngageVoice engageVoice = FakeEngageVoice.builder(servers.webSocket().uri())
            .sslContext(servers.webSocket().tls().clientContext()) // trust the self-signed certificates
            .pacing(Pacing.FLOOD).build();
        FakeRingCx ringCx = FakeRingCx.builder(servers.grpc().uri())
            .trustCertificates(servers.grpc().tls().certificate())
            .pacing(Pacing.FLOOD).build()) {
      CallResult webSocketCall = engageVoice.play(
          CallScript.builder().callId("call-7").sessionId("1").agent(AGENT).conference(CALLER).build());
      RingCxCallResult grpcCall = ringCx.play(
          RingCxScript.builder().dialogId("dialog-9").sessionId("2").agentAudio(AGENT).otherAudio(CALLER).build());
      assertThat(webSocketCall.completed()).as("WebSocket call: %s", webSocketCall.failure()).isTrue();
      assertThat(grpcCall.completed()).as("gRPC call: %s", grpcCall.failure()).isTrue();

      Path webSocketFolder = recordings.resolve("call-7-1");
      Path grpcFolder = recordings.resolve("dialog-9-2");
      assertThat(awaitStopped(webSocketFolder).path("transport").asText()).isEqualTo("wss");
      assertThat(awaitStopped(grpcFolder).path("transport").asText()).isEqualTo("grpc");

      for (Path folder : new Path[] {webSocketFolder, grpcFolder}) {
        assertThat(Wav.monoPcm(folder.resolve("agent.wav"), 8000)).as("%s agent", folder)
            .isEqualTo(reference.decode(AGENT));
        assertThat(Wav.monoPcm(folder.resolve("conference.wav"), 8000)).as("%s conference", folder)
            .isEqualTo(reference.decode(CALLER));
      }
      // gRPC calls also get one file per segment (the default script's ids: contact and agent)
      assertThat(Wav.monoPcm(grpcFolder.resolve("segment-contact.wav"), 8000)).isEqualTo(reference.decode(CALLER));
      assertThat(Wav.monoPcm(grpcFolder.resolve("segment-agent.wav"), 8000)).isEqualTo(reference.decode(AGENT));
    }
  }

  private static JsonNode awaitStopped(Path folder) {
    ObjectMapper json = new ObjectMapper();
    return await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(
        () -> json.readTree(folder.resolve("call.json").toFile()),
        callJson -> callJson.path("endReason").asText().equals("stopped"));
  }
}
