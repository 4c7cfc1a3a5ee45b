package dev.callstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.callstream.testsupport.Wav;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Assertions shared by the record tests: recorded samples against what was sent. */
final class RecordTestSupport {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private RecordTestSupport() {}

  /** Every sample equal, reporting the first difference by frame and sample. */
  static void assertSamples(short[] actual, short[] expected, String what) {
    assertThat(actual.length).as("%s: samples", what).isEqualTo(expected.length);
    for (int i = 0; i < expected.length; i++) {
      if (actual[i] != expected[i]) {
        fail("%s: sample %d (frame %d) is %d, expected %d", what, i, i / RecordTestAudio.FRAME_SAMPLES,
            actual[i], expected[i]);
      }
    }
  }

  /**
   * The folder's three files are valid 8 kHz 16-bit WAVs holding exactly {@code agent} and
   * {@code conference} (mono) and their interleaving (stereo).
   */
  static void assertRecording(Path folder, short[] agent, short[] conference) throws IOException {
    Wav agentWav = Wav.read(folder.resolve("agent.wav"));
    Wav conferenceWav = Wav.read(folder.resolve("conference.wav"));
    Wav stereoWav = Wav.read(folder.resolve("stereo.wav"));
    assertThat(List.of(agentWav.channels(), conferenceWav.channels(), stereoWav.channels())).containsExactly(1, 1, 2);
    assertThat(List.of(agentWav.sampleRate(), conferenceWav.sampleRate(), stereoWav.sampleRate()))
        .containsOnly(RecordTestAudio.SAMPLE_RATE);
    assertSamples(agentWav.samples(), agent, folder.getFileName() + "/agent.wav");
    assertSamples(conferenceWav.samples(), conference, folder.getFileName() + "/conference.wav");
    assertSamples(stereoWav.samples(), RecordTestAudio.interleave(agent, conference),
        folder.getFileName() + "/stereo.wav");
  }

  /** Every frame of both sides was recorded: the mono files hold their decodes, stereo both interleaved. */
  static void assertRecordedWhole(Path folder, byte[] agent, byte[] conference) throws IOException {
    assertRecording(folder, RecordTestAudio.decode(agent), RecordTestAudio.decode(conference));
  }

  /**
   * For a call ended while audio was still in flight: the files hold a whole number of frames, the
   * first of everything sent on each side (as counted in {@code call.json}), bit-exact, and silence
   * after a side's last frame; every file lasts as long. Returns the frames recorded per file.
   */
  static int assertRecordedPrefix(Path folder, byte[] agent, byte[] conference) throws IOException {
    int samples = Wav.read(folder.resolve("agent.wav")).samples().length;
    assertThat(samples % RecordTestAudio.FRAME_SAMPLES).as("whole frames").isZero();
    int recorded = samples / RecordTestAudio.FRAME_SAMPLES;
    JsonNode channels = callJson(folder).get("channels");
    boolean[] agentPresent = new boolean[recorded];
    boolean[] conferencePresent = new boolean[recorded];
    java.util.Arrays.fill(agentPresent, 0, (int) channels.get("agent").get("frames").asLong(), true);
    java.util.Arrays.fill(conferencePresent, 0, (int) channels.get("conference").get("frames").asLong(), true);
    assertRecording(folder, RecordTestAudio.expectedMono(agent, agentPresent, recorded),
        RecordTestAudio.expectedMono(conference, conferencePresent, recorded));
    return recorded;
  }

  static JsonNode callJson(Path folder) throws IOException {
    return MAPPER.readTree(folder.resolve("call.json").toFile());
  }

  /** The folder named at the end of a {@code call started} or {@code call ended} line. */
  static Path folderOf(String line) {
    return Path.of(line.substring(line.lastIndexOf(' ') + 1));
  }

  /** Writes a mono 16-bit file whose header still says "no data", as a killed process leaves it. */
  static void writeStaleHeader(Path file, short[] samples) throws IOException {
    java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(44 + samples.length * 2)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    buffer.put("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(36)
        .put("WAVE".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
        .put("fmt ".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1)
        .putShort((short) 1).putInt(8000).putInt(16000).putShort((short) 2).putShort((short) 16)
        .put("data".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(0);
    for (short sample : samples) {
      buffer.putShort(sample);
    }
    java.nio.file.Files.write(file, buffer.array());
  }
}
