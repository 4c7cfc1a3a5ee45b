package dev.callstream.core;

import dev.callstream.core.audio.AudioFormat;
import dev.callstream.core.audio.G711;
import java.util.Objects;

/**
 * One frame of audio of one segment, delivered to a listener in timeline order.
 *
 * <p>{@link #payload()} is the encoded audio as received and is the frame's own array: do not
 * modify it. The PCM accessors decode on demand; they throw {@link UnsupportedOperationException}
 * for encodings that are not {@linkplain AudioFormat.Encoding#decodable() decodable} (Opus, FLAC).
 */
public final class AudioFrame {
  private final Segment segment;
  private final long position;
  private final long sequence;
  private final byte[] payload;

  /**
   * @param segment the segment the frame belongs to (its format is the frame's)
   * @param position this frame's place in the segment's timeline: 0 for the segment's first frame,
   *     counting every frame slot, including gaps
   * @param sequence the transport's sequence number of this frame
   * @param payload the encoded audio, not copied
   */
  public AudioFrame(Segment segment, long position, long sequence, byte[] payload) {
    this.segment = Objects.requireNonNull(segment, "segment");
    this.position = position;
    this.sequence = sequence;
    this.payload = Objects.requireNonNull(payload, "payload");
  }

  public Segment segment() {
    return segment;
  }

  /** The side of the call: {@code segment().channel()}. */
  public AudioChannel channel() {
    return segment.channel();
  }

  /** The frame slot in the segment's timeline (0-based, gaps included). */
  public long position() {
    return position;
  }

  /** The transport's sequence number of this frame ({@code sequenceId} or {@code seq}). */
  public long sequence() {
    return sequence;
  }

  public AudioFormat format() {
    return segment.format();
  }

  /** The frame's nominal duration: the format's ptime. */
  public int durationMillis() {
    return segment.format().ptimeMillis();
  }

  /** Where this frame starts on the call's timeline: {@code segment.startMillis() + position * ptime}. */
  public long startMillis() {
    return segment.startMillis() + position * segment.format().ptimeMillis();
  }

  /** The encoded bytes as received; the frame's own array, read-only by contract. */
  public byte[] payload() {
    return payload;
  }

  /** Number of samples in this frame (for compressed encodings, the format's nominal frame size). */
  public int sampleCount() {
    return segment.format().samplesIn(payload.length);
  }

  /** True when the PCM accessors work for this frame's encoding. */
  public boolean decodable() {
    return segment.format().encoding().decodable();
  }

  /** Decodes into {@code dst} as 16-bit little-endian PCM, {@code 2 * sampleCount()} bytes from {@code offset}. */
  public void decodePcm16le(byte[] dst, int offset) {
    switch (segment.format().encoding()) {
      case MULAW -> G711.mulawToPcm16le(payload, 0, payload.length, dst, offset);
      case ALAW -> G711.alawToPcm16le(payload, 0, payload.length, dst, offset);
      case PCM16 -> System.arraycopy(payload, 0, dst, offset, payload.length & ~1);
      case L16 -> {
        int n = payload.length & ~1;
        for (int i = 0; i < n; i += 2) {
          dst[offset + i] = payload[i + 1];
          dst[offset + i + 1] = payload[i];
        }
      }
      default -> throw new UnsupportedOperationException(
          segment.format().encoding().codec() + " audio is not decoded by callstream");
    }
  }

  /** A new array holding this frame as 16-bit little-endian PCM. */
  public byte[] pcm16le() {
    byte[] pcm = new byte[sampleCount() * 2];
    decodePcm16le(pcm, 0);
    return pcm;
  }

  /** A new array holding this frame's samples. */
  public short[] samples() {
    byte[] pcm = pcm16le();
    short[] samples = new short[pcm.length / 2];
    for (int i = 0; i < samples.length; i++) {
      samples[i] = (short) ((pcm[2 * i] & 0xff) | (pcm[2 * i + 1] << 8));
    }
    return samples;
  }

  @Override
  public String toString() {
    return "AudioFrame[" + segment.id() + " " + channel() + " position=" + position + " sequence=" + sequence
        + " bytes=" + payload.length + "]";
  }
}
