package dev.callstream.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callstream.testsupport.G711Reference;
import dev.callstream.testkit.AudioSource;
import dev.callstream.testkit.ChannelReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

/**
 * What a recording must hold, worked out from what the fake platform sent: the source's mu-law
 * frames decoded with the SoX reference table (independent of the code under test), digital silence
 * where a frame was dropped, nothing after the last frame sent.
 */
final class Recordings {
  private static final short[] MULAW = G711Reference.mulaw();

  private Recordings() {}

  /**
   * The 16-bit little-endian PCM of one side: frames {@code 0..planned-1} of {@code source}, the
   * dropped ones (sequence ids from 1, as the testkit numbers each perspective) as silence, the
   * dropped ones at the end left out (nothing marks them).
   */
  static byte[] expectedPcm(AudioSource source, ChannelReport sent) {
    Set<Long> dropped = new HashSet<>(sent.dropped());
    long last = sent.framesPlanned() - 1;
    while (last >= 0 && dropped.contains(last + 1)) {
      last--;
    }
    byte[] frame = new byte[AudioSource.FRAME_BYTES];
    byte[] out = new byte[Math.toIntExact((last + 1) * AudioSource.FRAME_BYTES * 2)];
    int at = 0;
    for (long index = 0; index <= last; index++) {
      if (dropped.contains(index + 1)) {
        at += AudioSource.FRAME_BYTES * 2;
        continue;
      }
      source.readFrame(index, frame);
      for (byte code : frame) {
        short sample = MULAW[code & 0xff];
        out[at++] = (byte) sample;
        out[at++] = (byte) (sample >> 8);
      }
    }
    return out;
  }

  /** A mono 8 kHz 16-bit little-endian WAV file's samples. */
  static byte[] pcm(Path wav) throws Exception {
    try (AudioInputStream in = AudioSystem.getAudioInputStream(wav.toFile())) {
      AudioFormat format = in.getFormat();
      assertThat(format.getSampleRate()).isEqualTo(8000f);
      assertThat(format.getSampleSizeInBits()).isEqualTo(16);
      assertThat(format.getChannels()).isEqualTo(1);
      assertThat(format.isBigEndian()).isFalse();
      return in.readAllBytes();
    }
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
