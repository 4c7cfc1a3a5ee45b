package dev.callstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a recorded WAV file strictly: a well-formed RIFF header whose sizes match the file. */
final class RecordTestWav {
  final int channels;
  final int sampleRate;
  final int bitsPerSample;
  final short[] samples;

  private RecordTestWav(int channels, int sampleRate, int bitsPerSample, short[] samples) {
    this.channels = channels;
    this.sampleRate = sampleRate;
    this.bitsPerSample = bitsPerSample;
    this.samples = samples;
  }

  /** Parses {@code file}, asserting a valid 16-bit PCM WAV whose RIFF and data sizes are exact. */
  static RecordTestWav read(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(bytes.length).as("%s size", file).isGreaterThanOrEqualTo(44);
    assertThat(ascii(bytes, 0)).as("%s RIFF tag", file).isEqualTo("RIFF");
    assertThat(Integer.toUnsignedLong(buffer.getInt(4))).as("%s RIFF size", file).isEqualTo(bytes.length - 8L);
    assertThat(ascii(bytes, 8)).as("%s WAVE tag", file).isEqualTo("WAVE");
    int offset = 12;
    Integer channels = null;
    int sampleRate = 0;
    int bits = 0;
    while (offset + 8 <= bytes.length) {
      String id = ascii(bytes, offset);
      long size = Integer.toUnsignedLong(buffer.getInt(offset + 4));
      int body = offset + 8;
      if (id.equals("fmt ")) {
        assertThat(buffer.getShort(body)).as("%s format tag (PCM)", file).isEqualTo((short) 1);
        channels = (int) buffer.getShort(body + 2);
        sampleRate = buffer.getInt(body + 4);
        bits = buffer.getShort(body + 14);
        assertThat(buffer.getInt(body + 8)).as("%s byte rate", file).isEqualTo(sampleRate * channels * bits / 8);
        assertThat(buffer.getShort(body + 12)).as("%s block align", file).isEqualTo((short) (channels * bits / 8));
      } else if (id.equals("data")) {
        assertThat(channels).as("%s fmt before data", file).isNotNull();
        assertThat(body + size).as("%s data size matches the file", file).isEqualTo(bytes.length);
        assertThat(bits).as("%s bits", file).isEqualTo(16);
        short[] samples = new short[(int) (size / 2)];
        buffer.position(body);
        buffer.asShortBuffer().get(samples);
        return new RecordTestWav(channels, sampleRate, bits, samples);
      }
      offset = body + (int) size + (int) (size & 1);
    }
    throw new AssertionError(file + " has no data chunk");
  }

  /** Writes a mono 16-bit file whose header still says "no data", as a killed process leaves it. */
  static void writeStaleHeader(Path file, short[] samples) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(44 + samples.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    buffer.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36)
        .put("WAVE".getBytes(StandardCharsets.US_ASCII))
        .put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1).putShort((short) 1)
        .putInt(8000).putInt(16000).putShort((short) 2).putShort((short) 16)
        .put("data".getBytes(StandardCharsets.US_ASCII)).putInt(0);
    for (short sample : samples) {
      buffer.putShort(sample);
    }
    Files.write(file, buffer.array());
  }

  /** Seconds of audio (frames per channel / sample rate). */
  double seconds() {
    return samples.length / (double) channels / sampleRate;
  }

  private static String ascii(byte[] bytes, int offset) {
    return new String(bytes, offset, 4, StandardCharsets.US_ASCII);
  }
}
