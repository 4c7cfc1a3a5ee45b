package dev.callstream.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** A WAV file parsed by hand (independently of the code under test), chunk by chunk. */
public record WavFile(long fileLength, long riffSize, int fmtSize, int formatTag, int channels, int sampleRate,
    int byteRate, int blockAlign, int bitsPerSample, long factSamples, long dataOffset, long dataSize, byte[] data) {

  public static WavFile read(Path path) throws IOException {
    byte[] bytes = Files.readAllBytes(path);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (!tag(bytes, 0).equals("RIFF") || !tag(bytes, 8).equals("WAVE")) {
      throw new IOException("not RIFF/WAVE");
    }
    long riff = Integer.toUnsignedLong(b.getInt(4));
    int pos = 12;
    int fmtSize = -1, tag = -1, channels = -1, rate = -1, byteRate = -1, align = -1, bits = -1;
    long fact = -1;
    while (true) {
      String id = tag(bytes, pos);
      long size = Integer.toUnsignedLong(b.getInt(pos + 4));
      if (id.equals("fmt ")) {
        fmtSize = (int) size;
        tag = b.getShort(pos + 8);
        channels = b.getShort(pos + 10);
        rate = b.getInt(pos + 12);
        byteRate = b.getInt(pos + 16);
        align = b.getShort(pos + 20);
        bits = b.getShort(pos + 22);
      } else if (id.equals("fact")) {
        fact = Integer.toUnsignedLong(b.getInt(pos + 8));
      } else if (id.equals("data")) {
        int start = pos + 8;
        int end = (int) Math.min(bytes.length, start + size);
        return new WavFile(bytes.length, riff, fmtSize, tag, channels, rate, byteRate, align, bits, fact, start, size,
            Arrays.copyOfRange(bytes, start, end));
      }
      pos += 8 + size + (size & 1);
    }
  }

  /** The 16-bit samples of the data chunk (interleaved for stereo). */
  public short[] samples() {
    short[] samples = new short[data.length / 2];
    ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(samples);
    return samples;
  }

  /** One channel of a stereo file. */
  public short[] channel(int index) {
    short[] all = samples();
    short[] one = new short[all.length / 2];
    for (int i = 0; i < one.length; i++) {
      one[i] = all[2 * i + index];
    }
    return one;
  }

  private static String tag(byte[] bytes, int offset) {
    return new String(bytes, offset, 4, StandardCharsets.US_ASCII);
  }
}
