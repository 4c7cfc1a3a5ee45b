package dev.callstream.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callstream.server.CallStreamServer;
import dev.callstream.testkit.AudioSource;
import dev.callstream.testkit.CallResult;
import dev.callstream.testkit.CallScript;
import dev.callstream.testkit.FakeEngageVoice;
import dev.callstream.testkit.Pacing;
import dev.callstream.testsupport.Wav;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordCallsTest {

  @TempDir
  Path recordings;

  @Test
  void recordsEachSideOfACallAsTheDecodedAudioThatWasSent() throws Exception {
    AudioSource agent = AudioSource.tone(440, 0.5).limit(Duration.ofSeconds(1));
    AudioSource caller = AudioSource.speechLike(3).limit(Duration.ofSeconds(1));
    MulawReference reference = MulawReference.load();

    try (CallStreamServer server = RecordCalls.start(0, recordings);
        FakeEngageVoice platform = FakeEngageVoice.builder(server.uri())
            .sslContext(server.tls().clientContext()) // trust the example's self-signed certificate
            .pacing(Pacing.FLOOD)
            .build()) {
      CallResult call = platform.play(
          CallScript.builder().callId("call-7").sessionId("1").agent(agent).conference(caller).build());
      assertThat(call.completed()).as("call completed: %s", call.failure()).isTrue();

      Path folder = recordings.resolve("call-7-1");
      await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() ->
          assertThat(new ObjectMapper().readTree(folder.resolve("call.json").toFile()).path("endReason").asText())
              .isEqualTo("stopped"));
      assertThat(Wav.monoPcm(folder.resolve("agent.wav"), 8000)).isEqualTo(reference.decode(agent));
      assertThat(Wav.monoPcm(folder.resolve("conference.wav"), 8000)).isEqualTo(reference.decode(caller));
    }
  }
}
