package dev.callstream.testkit.internal;

import dev.callstream.core.audio.G711;
import dev.callstream.testkit.AudioSource;
import java.util.Arrays;

/**
 * Cuts an {@link AudioSource} (8 kHz mu-law in 20 ms frames) into chunks of any duration and encodes
 * them for the wire: mu-law as is, A-law and 16-bit big-endian linear PCM converted sample by sample
 * through the exact G.711 decode, anything else (a codec we cannot encode) as the mu-law bytes
 * themselves, placeholder content of the right length. Chunks past the source's end are silence.
 * Not thread-safe (one scratch frame): one instance per call.
 */
public final class ChunkAudio {
  /** How a chunk's samples become payload bytes. */
  public enum Encoding { MULAW, ALAW, L16_BIG_ENDIAN, OPAQUE }

  private static final byte[] MULAW_TO_ALAW = new byte[256];

  static {
    for (int code = 0; code < 256; code++) {
      MULAW_TO_ALAW[code] = G711.pcmToAlaw(G711.mulawToPcm((byte) code));
    }
  }

  private final AudioSource source;
  private final Encoding encoding;
  private final int samplesPerChunk;
  private final byte[] frame = new byte[AudioSource.FRAME_BYTES];
  private long frameInScratch = -1;

  public ChunkAudio(AudioSource source, Encoding encoding, int ptimeMillis) {
    this.source = source;
    this.encoding = encoding;
    this.samplesPerChunk = ptimeMillis * 8;
  }

  /** Payload bytes per chunk. */
  public int chunkBytes() {
    return encoding == Encoding.L16_BIG_ENDIAN ? 2 * samplesPerChunk : samplesPerChunk;
  }

  /** Chunk {@code index} (0-based) as a new array of {@link #chunkBytes()} bytes. */
  public byte[] chunk(long index) {
    byte[] mulaw = new byte[samplesPerChunk];
    long first = index * samplesPerChunk;
    for (int i = 0; i < samplesPerChunk; ) {
      long sample = first + i;
      long frameIndex = sample / AudioSource.FRAME_BYTES;
      int at = (int) (sample % AudioSource.FRAME_BYTES);
      int take = Math.min(AudioSource.FRAME_BYTES - at, samplesPerChunk - i);
      if (frameIndex >= source.frameCount()) {
        Arrays.fill(mulaw, i, samplesPerChunk, AudioSource.MULAW_SILENCE);
        break;
      }
      if (frameIndex != frameInScratch) {
        source.readFrame(frameIndex, frame);
        frameInScratch = frameIndex;
      }
      System.arraycopy(frame, at, mulaw, i, take);
      i += take;
    }
    // a source may change between reads (the benchmark's probe audio stamps the time): never reuse
    frameInScratch = -1;
    switch (encoding) {
      case ALAW -> {
        for (int i = 0; i < mulaw.length; i++) {
          mulaw[i] = MULAW_TO_ALAW[mulaw[i] & 0xff];
        }
        return mulaw;
      }
      case L16_BIG_ENDIAN -> {
        byte[] pcm = new byte[2 * mulaw.length];
        for (int i = 0; i < mulaw.length; i++) {
          short sample = G711.mulawToPcm(mulaw[i]);
          pcm[2 * i] = (byte) (sample >> 8);
          pcm[2 * i + 1] = (byte) sample;
        }
        return pcm;
      }
      default -> {
        return mulaw;
      }
    }
  }
}
