package dev.callstream.core;

import java.util.Arrays;

/**
 * Standard base64 (RFC 4648 alphabet, {@code +} and {@code /}) decoded from a region of characters,
 * strictly: padding is optional but, when present, completes the last group; any other character
 * (whitespace, control characters, the URL-safe alphabet, non-ASCII) makes the value invalid. Reads
 * the parser's buffer (or the fast path's scratch) directly, so a Media payload costs one
 * allocation: the result.
 */
final class StrictBase64 {
  // The sextet of each character code below 256, pre-shifted to its place in a group of four; -1
  // (all bits set) for anything outside the alphabet, so that an OR-ed group with one stays negative.
  // 256 entries indexed with "& 0xff": the JIT drops the bounds checks.
  private static final int[] FIRST = new int[256];
  private static final int[] SECOND = new int[256];
  private static final int[] THIRD = new int[256];
  private static final int[] FOURTH = new int[256];

  static {
    for (int[] table : new int[][] {FIRST, SECOND, THIRD, FOURTH}) {
      Arrays.fill(table, -1);
    }
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < alphabet.length(); i++) {
      char c = alphabet.charAt(i);
      FIRST[c] = i << 18;
      SECOND[c] = i << 12;
      THIRD[c] = i << 6;
      FOURTH[c] = i;
    }
  }

  private StrictBase64() {}

  /** The bytes {@code chars[offset, offset + length)} encode, or null when they are not valid base64. */
  static byte[] decode(char[] chars, int offset, int length) {
    int end = offset + length;
    int symbols = length;
    int padding = 0;
    while (padding < 2 && symbols > 0 && chars[offset + symbols - 1] == '=') {
      symbols--;
      padding++;
    }
    if (symbols % 4 == 1 || (padding > 0 && (symbols + padding) % 4 != 0)) {
      return null;
    }
    byte[] out = new byte[decodedLength(symbols)];
    return decodeUntilQuote(chars, offset, end, out) == end ? out : null;
  }

  /**
   * Decodes {@code chars} from {@code start} up to the first {@code '"'} or {@code limit}, whichever
   * comes first, into {@code out} from index 0. Returns the index of that end, or -1 when the
   * characters before it are not valid base64. {@code out} must hold {@code decodedLength} of them;
   * on invalid input it may be partly written. One pass finds the end of a JSON string value and
   * decodes it.
   */
  static int decodeUntilQuote(char[] chars, int start, int limit, byte[] out) {
    int i = start;
    int o = 0;
    for (; i <= limit - 4; i += 4, o += 3) {
      char c0 = chars[i];
      char c1 = chars[i + 1];
      char c2 = chars[i + 2];
      char c3 = chars[i + 3];
      int bits = FIRST[c0 & 0xff] | SECOND[c1 & 0xff] | THIRD[c2 & 0xff] | FOURTH[c3 & 0xff];
      if (bits < 0 || (c0 | c1 | c2 | c3) > 0xff) {
        break; // the last group, padding or the end: sorted out below
      }
      out[o] = (byte) (bits >> 16);
      out[o + 1] = (byte) (bits >> 8);
      out[o + 2] = (byte) bits;
    }
    int symbols = 0;
    int bits = 0;
    for (; symbols < 3 && i < limit && chars[i] <= 0xff && FOURTH[chars[i] & 0xff] >= 0; symbols++, i++) {
      bits |= FOURTH[chars[i] & 0xff] << (18 - 6 * symbols);
    }
    int padding = 0;
    for (; padding < 2 && i < limit && chars[i] == '='; padding++, i++) {
      // counted
    }
    if ((i < limit && chars[i] != '"') || symbols == 1 || (padding > 0 && symbols + padding != 4)) {
      return -1;
    }
    if (symbols >= 2) {
      out[o] = (byte) (bits >> 16);
    }
    if (symbols == 3) {
      out[o + 1] = (byte) (bits >> 8);
    }
    return i;
  }

  /** How many bytes a valid value of {@code symbols} characters, padding not counted, decodes to. */
  static int decodedLength(int symbols) {
    return symbols / 4 * 3 + Math.max(0, symbols % 4 - 1);
  }
}
