package dev.callstream.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callstream.core.G711Reference;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reference audio for assertions: the SoX G.711 mu-law decode table kept in callstream-core's test
 * resources (independent of the code under test) and a strict reader for the recorder's WAV files.
 */
final class Audio {
  private Audio() {}

  /** The SoX decode of mu-law bytes. */
  static short[] decodeMulaw(byte[] codes) {
    return G711Reference.decodeMulaw(codes);
  }

  /** A parsed PCM WAV file. */
  record Wav(int channels, int sampleRate, short[] samples) {
    /** Samples of one channel. */
    short[] channel(int index) {
      short[] out = new short[samples.length / channels];
      for (int i = 0; i < out.length; i++) {
        out[i] = samples[i * channels + index];
      }
      return out;
    }
  }

  /**
   * Reads a 16-bit PCM WAV file and checks that its RIFF and data sizes match the file: a player
   * would play every sample in it.
   */
  static Wav readWav(Path file) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(bytes.limit()).as("%s size", file).isGreaterThanOrEqualTo(44);
    assertThat(ascii(bytes, 0)).as("%s RIFF", file).isEqualTo("RIFF");
    assertThat(bytes.getInt(4) & 0xffffffffL).as("%s RIFF size", file).isEqualTo(bytes.limit() - 8L);
    assertThat(ascii(bytes, 8)).as("%s WAVE", file).isEqualTo("WAVE");
    int at = 12;
    int channels = 0;
    int sampleRate = 0;
    while (at + 8 <= bytes.limit()) {
      String id = ascii(bytes, at);
      int size = bytes.getInt(at + 4);
      if (id.equals("fmt ")) {
        assertThat(bytes.getShort(at + 8)).as("%s PCM format", file).isEqualTo((short) 1);
        channels = bytes.getShort(at + 10);
        sampleRate = bytes.getInt(at + 12);
        assertThat(bytes.getShort(at + 22)).as("%s bits", file).isEqualTo((short) 16);
      } else if (id.equals("data")) {
        assertThat(channels).as("%s fmt before data", file).isPositive();
        assertThat((long) at + 8 + size).as("%s data size", file).isEqualTo(bytes.limit());
        short[] samples = new short[size / 2];
        bytes.position(at + 8);
        bytes.asShortBuffer().get(samples);
        return new Wav(channels, sampleRate, samples);
      }
      at += 8 + size + (size & 1);
    }
    throw new AssertionError(file + " has no data chunk");
  }

  private static String ascii(ByteBuffer bytes, int at) {
    byte[] id = new byte[4];
    bytes.get(at, id);
    return new String(id, StandardCharsets.US_ASCII);
  }
}
