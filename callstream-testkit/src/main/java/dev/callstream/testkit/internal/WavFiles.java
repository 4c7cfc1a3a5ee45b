package dev.callstream.testkit.internal;

import dev.callstream.core.audio.G711;

/** Reads the WAV files the sender accepts: 8 kHz mono, 16-bit PCM or mu-law. */
public final class WavFiles {
  private static final int FORMAT_PCM = 1;
  private static final int FORMAT_MULAW = 7;
  private static final int FORMAT_EXTENSIBLE = 0xFFFE;

  private WavFiles() {}

  /** Whether the bytes start with a RIFF header. */
  public static boolean isRiff(byte[] bytes) {
    return bytes.length >= 4 && bytes[0] == 'R' && bytes[1] == 'I' && bytes[2] == 'F' && bytes[3] == 'F';
  }

  /**
   * The audio of a WAV file as mu-law bytes. Walks the RIFF chunks (skipping {@code LIST},
   * {@code fact} and any other chunk, honouring the pad byte of odd-sized chunks); a data chunk whose
   * declared size runs past the end of the file (a writer that crashed or streams) is read to the
   * end of the file.
   *
   * @throws IllegalArgumentException naming the problem when the file is not 8 kHz mono 16-bit PCM
   *     or mu-law
   */
  public static byte[] toMulaw(byte[] wav, String name) {
    if (wav.length < 12 || !isRiff(wav) || wav[8] != 'W' || wav[9] != 'A' || wav[10] != 'V' || wav[11] != 'E') {
      throw new IllegalArgumentException(name + ": not a RIFF/WAVE file");
    }
    int format = -1;
    int channels = 0;
    long sampleRate = 0;
    int bits = 0;
    int offset = 12;
    while (offset + 8 <= wav.length) {
      String id = new String(wav, offset, 4, java.nio.charset.StandardCharsets.US_ASCII);
      long size = u32(wav, offset + 4);
      int body = offset + 8;
      if (id.equals("fmt ")) {
        if (size < 16 || body + 16 > wav.length) {
          throw new IllegalArgumentException(name + ": fmt chunk too short (" + size + " bytes)");
        }
        format = u16(wav, body);
        channels = u16(wav, body + 2);
        sampleRate = u32(wav, body + 4);
        bits = u16(wav, body + 14);
        if (format == FORMAT_EXTENSIBLE && size >= 40 && body + 26 <= wav.length) {
          format = u16(wav, body + 24); // first two bytes of the sub-format GUID
        }
      } else if (id.equals("data")) {
        if (format < 0) {
          throw new IllegalArgumentException(name + ": data chunk before fmt chunk");
        }
        long available = wav.length - body;
        int length = (int) Math.min(size, available);
        return convert(wav, body, length, format, channels, sampleRate, bits, name);
      }
      long next = body + size + (size & 1);
      if (next > wav.length) {
        break;
      }
      offset = (int) next;
    }
    throw new IllegalArgumentException(name + (format < 0 ? ": no fmt chunk" : ": no data chunk"));
  }

  private static byte[] convert(
      byte[] wav, int from, int length, int format, int channels, long sampleRate, int bits, String name) {
    String found = "format " + format + ", " + channels + " channel(s), " + sampleRate + " Hz, " + bits + " bits";
    if (channels != 1 || sampleRate != 8000) {
      throw new IllegalArgumentException(name + ": need 8000 Hz mono, found " + found);
    }
    if (format == FORMAT_MULAW && bits == 8) {
      byte[] mulaw = new byte[length];
      System.arraycopy(wav, from, mulaw, 0, length);
      return mulaw;
    }
    if (format == FORMAT_PCM && bits == 16) {
      byte[] mulaw = new byte[length / 2];
      for (int i = 0; i < mulaw.length; i++) {
        short sample = (short) ((wav[from + 2 * i] & 0xff) | (wav[from + 2 * i + 1] << 8));
        mulaw[i] = G711.pcmToMulaw(sample);
      }
      return mulaw;
    }
    throw new IllegalArgumentException(
        name + ": need 16-bit PCM (format 1) or 8-bit mu-law (format 7), found " + found);
  }

  private static int u16(byte[] b, int at) {
    return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
  }

  private static long u32(byte[] b, int at) {
    return (b[at] & 0xffL) | (b[at + 1] & 0xffL) << 8 | (b[at + 2] & 0xffL) << 16 | (b[at + 3] & 0xffL) << 24;
  }
}
