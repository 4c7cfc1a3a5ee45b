package dev.callstream.core;

import java.util.Locale;
import java.util.Objects;

/**
 * The encoding of the audio the platform sends.
 *
 * @param encoding how each sample is encoded
 * @param sampleRate samples per second per channel
 */
public record AudioFormat(Encoding encoding, int sampleRate) {

  /** What Engage Voice sends today: G.711 mu-law, 8000 Hz, mono per perspective. */
  public static final AudioFormat MULAW_8K = new AudioFormat(Encoding.MULAW, 8000);

  /** Sample encodings. */
  public enum Encoding {
    /** G.711 mu-law, one byte a sample. */
    MULAW(1),
    /** G.711 A-law, one byte a sample. */
    ALAW(1),
    /** Signed 16-bit little-endian linear PCM. */
    PCM16(2);

    private final int bytesPerSample;

    Encoding(int bytesPerSample) {
      this.bytesPerSample = bytesPerSample;
    }

    public int bytesPerSample() {
      return bytesPerSample;
    }
  }

  public AudioFormat {
    Objects.requireNonNull(encoding, "encoding");
    if (sampleRate <= 0) {
      throw new IllegalArgumentException("sampleRate <= 0: " + sampleRate);
    }
  }

  /**
   * The format named by a Start message's content type ({@code audio/x-mulaw}, {@code audio/PCMU},
   * {@code audio/x-alaw}, {@code audio/PCMA}, {@code audio/L16}...). An absent or unknown content
   * type means mu-law, which is all the platform documents; a missing rate means 8000 Hz.
   */
  public static AudioFormat fromContentType(String contentType, int sampleRateHertz) {
    int rate = sampleRateHertz > 0 ? sampleRateHertz : 8000;
    if (contentType == null) {
      return new AudioFormat(Encoding.MULAW, rate);
    }
    String type = contentType.toLowerCase(Locale.ROOT);
    if (type.contains("alaw") || type.contains("pcma") || type.contains("g711a")) {
      return new AudioFormat(Encoding.ALAW, rate);
    }
    if (type.contains("l16") || type.contains("pcm16") || type.contains("linear16")) {
      return new AudioFormat(Encoding.PCM16, rate);
    }
    return new AudioFormat(Encoding.MULAW, rate);
  }

  /** Number of samples in {@code bytes} bytes of this encoding. */
  public int samplesIn(int bytes) {
    return bytes / encoding.bytesPerSample();
  }
}
