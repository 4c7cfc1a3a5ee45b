package dev.callstream.core;

/**
 * ITU-T G.711 mu-law and A-law conversion to and from signed 16-bit linear PCM, bit-exact with the
 * reference tables (the decode of every code matches SoX). Stateless and thread-safe.
 */
public final class G711 {
  private G711() {}

  /** The 16-bit PCM value of one mu-law code. */
  public static short mulawToPcm(byte code) {
    throw new UnsupportedOperationException("TODO");
  }

  /** The 16-bit PCM value of one A-law code. */
  public static short alawToPcm(byte code) {
    throw new UnsupportedOperationException("TODO");
  }

  /** The mu-law code for a 16-bit PCM sample (the inverse of {@link #mulawToPcm} on its outputs). */
  public static byte pcmToMulaw(short sample) {
    throw new UnsupportedOperationException("TODO");
  }

  /** The A-law code for a 16-bit PCM sample (the inverse of {@link #alawToPcm} on its outputs). */
  public static byte pcmToAlaw(short sample) {
    throw new UnsupportedOperationException("TODO");
  }

  /** Decodes {@code length} mu-law bytes into 16-bit little-endian PCM ({@code 2 * length} bytes). */
  public static void mulawToPcm16le(byte[] src, int srcOffset, int length, byte[] dst, int dstOffset) {
    throw new UnsupportedOperationException("TODO");
  }

  /** Decodes {@code length} A-law bytes into 16-bit little-endian PCM ({@code 2 * length} bytes). */
  public static void alawToPcm16le(byte[] src, int srcOffset, int length, byte[] dst, int dstOffset) {
    throw new UnsupportedOperationException("TODO");
  }
}
