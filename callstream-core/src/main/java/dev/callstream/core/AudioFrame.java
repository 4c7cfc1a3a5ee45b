package dev.callstream.core;

import java.util.Objects;

/**
 * One frame of audio of one channel, delivered to a listener in sequence order.
 *
 * <p>{@link #payload()} is the encoded audio as received (mu-law today) and is the frame's own
 * array: do not modify it. The PCM accessors decode on demand.
 */
public final class AudioFrame {
  private final AudioChannel channel;
  private final long position;
  private final long sequence;
  private final AudioFormat format;
  private final byte[] payload;

  /**
   * @param channel the side of the call
   * @param position this frame's place in the channel's timeline: 0 for the first frame of the call,
   *     counting every frame slot, including gaps
   * @param sequence the platform's {@code sequenceId} of this frame
   * @param format the encoding of {@code payload}
   * @param payload the encoded audio, not copied
   */
  public AudioFrame(AudioChannel channel, long position, long sequence, AudioFormat format, byte[] payload) {
    this.channel = Objects.requireNonNull(channel, "channel");
    this.position = position;
    this.sequence = sequence;
    this.format = Objects.requireNonNull(format, "format");
    this.payload = Objects.requireNonNull(payload, "payload");
  }

  public AudioChannel channel() {
    return channel;
  }

  /** The frame slot in the channel's timeline (0-based, gaps included): frame {@code n} starts at {@code n * 20 ms}. */
  public long position() {
    return position;
  }

  /** The platform's sequence id of this frame. */
  public long sequence() {
    return sequence;
  }

  public AudioFormat format() {
    return format;
  }

  /** The encoded bytes as received; the frame's own array, read-only by contract. */
  public byte[] payload() {
    return payload;
  }

  /** Number of samples in this frame. */
  public int sampleCount() {
    return format.samplesIn(payload.length);
  }

  /** Decodes into {@code dst} as 16-bit little-endian PCM, {@code 2 * sampleCount()} bytes from {@code offset}. */
  public void decodePcm16le(byte[] dst, int offset) {
    switch (format.encoding()) {
      case MULAW -> G711.mulawToPcm16le(payload, 0, payload.length, dst, offset);
      case ALAW -> G711.alawToPcm16le(payload, 0, payload.length, dst, offset);
      case PCM16 -> System.arraycopy(payload, 0, dst, offset, payload.length & ~1);
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
    return "AudioFrame[" + channel + " position=" + position + " sequence=" + sequence + " bytes=" + payload.length + "]";
  }
}
