package dev.callstream.spring.boot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callstream.testsupport.ExpectedPcm;
import dev.callstream.testsupport.Wav;
import dev.callstream.testkit.AudioSource;
import dev.callstream.testkit.ChannelReport;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What a recording must hold, worked out from what the fake platform sent: the source's mu-law
 * frames decoded with the SoX reference table (independent of the code under test), digital silence
 * where a frame was dropped, nothing after the last frame sent.
 */
final class Recordings {
  private Recordings() {}

  /**
   * The 16-bit little-endian PCM of one side: frames {@code 0..planned-1} of {@code source}, the
   * dropped ones (sequence ids from 1, as the testkit numbers each perspective) as silence, the
   * dropped ones at the end left out (nothing marks them).
   */
  static byte[] expectedPcm(AudioSource source, ChannelReport sent) {
    return ExpectedPcm.of(source::readFrame, AudioSource.FRAME_BYTES, sent.framesPlanned(), sent.dropped());
  }

  /** A mono 8 kHz 16-bit little-endian WAV file's samples. */
  static byte[] pcm(Path wav) throws Exception {
    return Wav.monoPcm(wav, 8000);
  }

  static JsonNode callJson(Path folder) throws IOException {
    return new ObjectMapper().readTree(folder.resolve("call.json").toFile());
  }

  /** Whether the call's recording was finished (call.json has an end reason). */
  static boolean finished(Path folder) {
    try {
      return callJson(folder).hasNonNull("endReason");
    } catch (IOException e) {
      return false;
    }
  }
}
