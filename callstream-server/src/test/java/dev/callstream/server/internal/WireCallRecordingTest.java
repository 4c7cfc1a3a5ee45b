package dev.callstream.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callstream.core.AudioChannel;
import dev.callstream.core.CallInfo;
import dev.callstream.testsupport.G711Reference;
import dev.callstream.testsupport.Wav;
import dev.callstream.core.internal.CallDriver;
import dev.callstream.core.recording.CallRecorder;
import dev.callstream.server.wire.Media;
import dev.callstream.server.wire.SequenceMode;
import dev.callstream.server.wire.Start;
import dev.callstream.server.wire.Stop;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** WebSocket calls through {@link WireCall} into the {@link CallRecorder}, compared with the SoX tables. */
class WireCallRecordingTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void aSharedCounterWithAPausedAgentThatEndsFirstRecordsEveryFrameInItsOwnSlot() throws IOException {
    // issue 13: one counter per message across both sides; the agent is silent for ticks 10..19 and
    // ends at tick 52, the conference runs to tick 59 and goes first in ticks 5 and 6; agent frame 25
    // and conference frame 30 are lost, conference frame 3 arrives twice
    CallRecorder recorder = CallRecorder.builder(dir).build();
    CallInfo info = QueryParser.parse("callId=shared&sessionId=1");
    WireCall driver = new WireCall(info, recorder.create(info), CallDriver.DEFAULT_REORDER_WINDOW, () -> {});
    Random random = new Random(13);
    byte[][] agent = new byte[43][160];
    byte[][] conference = new byte[60][160];
    Arrays.stream(agent).forEach(random::nextBytes);
    Arrays.stream(conference).forEach(random::nextBytes);
    driver.accept(new Start("shared", "1", null, null, null, null, null, null, null, null, "audio/x-mulaw", 8000, Map.of()));
    long counter = 1;
    int agentFrame = 0;
    for (int tick = 0; tick < 60; tick++) {
      boolean agentTalks = tick < 53 && (tick < 10 || tick >= 20);
      for (AudioChannel side : tick == 5 || tick == 6
          ? new AudioChannel[] {AudioChannel.CONFERENCE, AudioChannel.AGENT}
          : new AudioChannel[] {AudioChannel.AGENT, AudioChannel.CONFERENCE}) {
        if (side == AudioChannel.AGENT && agentTalks) {
          long sequence = counter++;
          if (agentFrame != 25) {
            driver.accept(new Media(side, sequence, agent[agentFrame]));
          }
          agentFrame++;
        } else if (side == AudioChannel.CONFERENCE) {
          long sequence = counter++;
          if (tick != 30) {
            driver.accept(new Media(side, sequence, conference[tick]));
          }
          if (tick == 3) {
            driver.accept(new Media(side, sequence, conference[tick]));
          }
        }
      }
    }
    assertThat(agentFrame).isEqualTo(43);
    driver.accept(new Stop(null, 1L, null, Map.of()));
    driver.accept(new Stop(null, 1L, null, Map.of()));
    assertThat(driver.ended()).isTrue();
    assertThat(driver.sequenceMode()).isEqualTo(SequenceMode.PER_CONNECTION);

    short[] expectedAgent = new short[60 * 160]; // padded to the call's length
    short[] expectedConference = new short[60 * 160];
    for (int n = 0; n < 43; n++) {
      if (n != 25) {
        System.arraycopy(G711Reference.decodeMulaw(agent[n]), 0, expectedAgent, n * 160, 160);
      }
    }
    for (int n = 0; n < 60; n++) {
      if (n != 30) {
        System.arraycopy(G711Reference.decodeMulaw(conference[n]), 0, expectedConference, n * 160, 160);
      }
    }
    Path folder = dir.resolve("shared-1");
    assertThat(Wav.read(folder.resolve("agent.wav")).samples()).isEqualTo(expectedAgent);
    assertThat(Wav.read(folder.resolve("conference.wav")).samples()).isEqualTo(expectedConference);
    Wav stereo = Wav.read(folder.resolve("stereo.wav"));
    assertThat(stereo.channel(0)).isEqualTo(expectedAgent);
    assertThat(stereo.channel(1)).isEqualTo(expectedConference);
    JsonNode json = JSON.readTree(dir.resolve("shared-1/call.json").toFile());
    assertThat(json.at("/channels/agent/frames").asLong()).isEqualTo(42);
    assertThat(json.at("/channels/agent/gaps").asLong()).isEqualTo(1);
    assertThat(json.at("/channels/conference/frames").asLong()).isEqualTo(59);
    assertThat(json.at("/channels/conference/gaps").asLong()).isEqualTo(1);
    assertThat(json.at("/channels/conference/duplicates").asLong()).isEqualTo(1);
    assertThat(json.at("/channels/agent/late").asLong() + json.at("/channels/conference/late").asLong()).isZero();
  }

}
