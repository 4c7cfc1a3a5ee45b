package dev.callstream.core;

import java.util.Arrays;

/**
 * Standard base64 (RFC 4648 alphabet, {@code +} and {@code /}) decoded from a region of characters,
 * strictly: padding is optional but, when present, completes the last group; any other character
 * (whitespace, control characters, the URL-safe alphabet, non-ASCII) makes the value invalid. Reads
 * the parser's buffer directly, so a Media payload costs one allocation: the result.
 */
final class StrictBase64 {
  private static final byte[] VALUES = new byte[128];

  static {
    Arrays.fill(VALUES, (byte) -1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < alphabet.length(); i++) {
      VALUES[alphabet.charAt(i)] = (byte) i;
    }
  }

  private StrictBase64() {}

  /** The bytes {@code chars[offset, offset + length)} encode, or null when they are not valid base64. */
  static byte[] decode(char[] chars, int offset, int length) {
    int end = offset + length;
    int padding = 0;
    while (padding < 2 && end > offset && chars[end - 1] == '=') {
      end--;
      padding++;
    }
    int symbols = end - offset;
    if (symbols % 4 == 1 || (padding > 0 && (symbols + padding) % 4 != 0)) {
      return null;
    }
    byte[] out = new byte[symbols / 4 * 3 + Math.max(0, symbols % 4 - 1)];
    int written = 0;
    int bits = 0;
    int count = 0;
    for (int i = offset; i < end; i++) {
      char c = chars[i];
      int value = c < 128 ? VALUES[c] : -1;
      if (value < 0) {
        return null;
      }
      bits = (bits << 6) | value;
      if (++count == 4) {
        out[written++] = (byte) (bits >> 16);
        out[written++] = (byte) (bits >> 8);
        out[written++] = (byte) bits;
        bits = 0;
        count = 0;
      }
    }
    if (count == 3) {
      out[written++] = (byte) (bits >> 10);
      out[written++] = (byte) (bits >> 2);
    } else if (count == 2) {
      out[written++] = (byte) (bits >> 4);
    }
    return out;
  }
}
