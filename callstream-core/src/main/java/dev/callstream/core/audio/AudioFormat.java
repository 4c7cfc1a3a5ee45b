package dev.callstream.core.audio;

import java.util.Objects;

/**
 * The encoding of a segment's audio: codec, sample rate and frame duration (ptime).
 *
 * @param encoding how each sample is encoded
 * @param sampleRate samples per second, mono
 * @param ptimeMillis the duration of one frame in milliseconds (20 on WebSocket, 100 on RingCX gRPC)
 */
public record AudioFormat(Encoding encoding, int sampleRate, int ptimeMillis) {

  /** The frame duration when none is given: 20 ms. */
  public static final int DEFAULT_PTIME_MILLIS = 20;

  /** What Engage Voice sends over WebSocket: G.711 mu-law, 8000 Hz, 20 ms frames. */
  public static final AudioFormat MULAW_8K = new AudioFormat(Encoding.MULAW, 8000);

  /** Sample encodings. */
  public enum Encoding {
    /** G.711 mu-law (PCMU), one byte a sample. */
    MULAW("PCMU", 1),
    /** G.711 A-law (PCMA), one byte a sample. */
    ALAW("PCMA", 1),
    /** Signed 16-bit big-endian linear PCM, as RTP's and RingCX's {@code L16}. */
    L16("L16", 2),
    /** Signed 16-bit little-endian linear PCM. */
    PCM16("PCM16LE", 2),
    /** Opus: delivered as received, not decoded. */
    OPUS("OPUS", 0),
    /** FLAC: delivered as received, not decoded. */
    FLAC("FLAC", 0);

    private final String codec;
    private final int bytesPerSample;

    Encoding(String codec, int bytesPerSample) {
      this.codec = codec;
      this.bytesPerSample = bytesPerSample;
    }

    /** Bytes per sample; 0 for compressed encodings, whose frames have no fixed size. */
    public int bytesPerSample() {
      return bytesPerSample;
    }

    /** True when callstream decodes this encoding to PCM ({@code MULAW}, {@code ALAW}, {@code L16}, {@code PCM16}). */
    public boolean decodable() {
      return bytesPerSample > 0;
    }

    /** The codec name used in {@code call.json}: {@code PCMU}, {@code PCMA}, {@code L16}, {@code PCM16LE}, {@code OPUS}, {@code FLAC}. */
    public String codec() {
      return codec;
    }
  }

  public AudioFormat {
    Objects.requireNonNull(encoding, "encoding");
    if (sampleRate <= 0) {
      throw new IllegalArgumentException("sampleRate <= 0: " + sampleRate);
    }
    if (ptimeMillis <= 0) {
      throw new IllegalArgumentException("ptimeMillis <= 0: " + ptimeMillis);
    }
  }

  /** A format with 20 ms frames. */
  public AudioFormat(Encoding encoding, int sampleRate) {
    this(encoding, sampleRate, DEFAULT_PTIME_MILLIS);
  }

  /** Samples in one full frame: {@code sampleRate * ptimeMillis / 1000}, at least 1. */
  public int samplesPerFrame() {
    return Math.max(1, (int) ((long) sampleRate * ptimeMillis / 1000));
  }

  /** Number of samples in {@code bytes} bytes of this encoding; a whole frame for compressed encodings. */
  public int samplesIn(int bytes) {
    return encoding.decodable() ? bytes / encoding.bytesPerSample() : samplesPerFrame();
  }
}
