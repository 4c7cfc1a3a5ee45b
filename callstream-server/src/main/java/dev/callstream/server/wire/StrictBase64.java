package dev.callstream.server.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Standard base64 (RFC 4648 alphabet, {@code +} and {@code /}) decoded from a region of bytes or
 * characters, strictly: padding is optional but, when present, completes the last group; any other
 * character (whitespace, control characters, the URL-safe alphabet, non-ASCII) makes the value
 * invalid. Reads the message bytes or the parser's buffer directly, so a Media payload costs one
 * allocation: the exact-size result.
 */
final class StrictBase64 {
  // The sextet of each character code below 256, pre-shifted to its place in a group of four; -1
  // (all bits set) for anything outside the alphabet, so that a group OR-ed with one is negative:
  // one sign test per group.
  // 256 entries indexed with "& 0xff": the JIT drops the bounds checks.
  private static final int[] FIRST = new int[256];
  private static final int[] SECOND = new int[256];
  private static final int[] THIRD = new int[256];
  private static final int[] FOURTH = new int[256];
  private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

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

  /**
   * The bytes {@code ascii[offset, offset + length)} encode, or null when they are not valid base64.
   * A byte of 0x80 or more is outside the alphabet like any other, so UTF-8 input needs no decoding.
   */
  static byte[] decode(byte[] ascii, int offset, int length) {
    int symbols = symbols(length, length > 0 && ascii[offset + length - 1] == '=', length > 1 && ascii[offset + length - 2] == '=');
    if (symbols < 0) {
      return null;
    }
    byte[] out = new byte[decodedLength(symbols)];
    int groups = symbols >>> 2;
    // groups whose three bytes are written as one four-byte store (the fourth is overwritten by the
    // next group): all but the last one or two
    int wide = Math.min(groups, (out.length - 1) / 3);
    // one induction variable, every index affine in it: the JIT hoists the bounds checks. The exit
    // on the first invalid group is a branch never taken on valid input, and it makes a wrong guess
    // at the value's end (see MediaFastPath) cheap.
    for (int g = 0; g < wide; g++) {
      int bits = group(ascii, offset + 4 * g);
      if (bits < 0) {
        return null;
      }
      INT_BE.set(out, 3 * g, bits << 8);
    }
    for (int g = wide; g < groups; g++) {
      int bits = group(ascii, offset + 4 * g);
      if (bits < 0) {
        return null;
      }
      out[3 * g] = (byte) (bits >> 16);
      out[3 * g + 1] = (byte) (bits >> 8);
      out[3 * g + 2] = (byte) bits;
    }
    int rest = symbols & 3;
    if (rest != 0) { // 2 or 3 symbols: one or two bytes
      int i = offset + 4 * groups;
      int bits = FIRST[ascii[i] & 0xff] | SECOND[ascii[i + 1] & 0xff] | (rest == 3 ? THIRD[ascii[i + 2] & 0xff] : 0);
      if (bits < 0) {
        return null;
      }
      out[3 * groups] = (byte) (bits >> 16);
      if (rest == 3) {
        out[3 * groups + 1] = (byte) (bits >> 8);
      }
    }
    return out;
  }

  /** The 24 bits of the group of four at {@code i}, negative when one of them is not in the alphabet. */
  private static int group(byte[] ascii, int i) {
    return FIRST[ascii[i] & 0xff] | SECOND[ascii[i + 1] & 0xff] | THIRD[ascii[i + 2] & 0xff] | FOURTH[ascii[i + 3] & 0xff];
  }

  /** The bytes {@code chars[offset, offset + length)} encode, or null when they are not valid base64. */
  static byte[] decode(char[] chars, int offset, int length) {
    int symbols = symbols(length, length > 0 && chars[offset + length - 1] == '=', length > 1 && chars[offset + length - 2] == '=');
    if (symbols < 0) {
      return null;
    }
    byte[] out = new byte[decodedLength(symbols)];
    int groups = symbols >>> 2;
    int invalid = 0;
    int wide = 0; // a character above 0xff would alias a table entry through "& 0xff"
    for (int g = 0; g < groups; g++) {
      int i = offset + 4 * g;
      char c0 = chars[i];
      char c1 = chars[i + 1];
      char c2 = chars[i + 2];
      char c3 = chars[i + 3];
      int bits = FIRST[c0 & 0xff] | SECOND[c1 & 0xff] | THIRD[c2 & 0xff] | FOURTH[c3 & 0xff];
      invalid |= bits;
      wide |= c0 | c1 | c2 | c3;
      int o = 3 * g;
      out[o] = (byte) (bits >> 16);
      out[o + 1] = (byte) (bits >> 8);
      out[o + 2] = (byte) bits;
    }
    int rest = symbols & 3;
    if (rest != 0) {
      int i = offset + 4 * groups;
      char c2 = rest == 3 ? chars[i + 2] : 'A';
      int bits = FIRST[chars[i] & 0xff] | SECOND[chars[i + 1] & 0xff] | (rest == 3 ? THIRD[c2 & 0xff] : 0);
      invalid |= bits;
      wide |= chars[i] | chars[i + 1] | c2;
      out[3 * groups] = (byte) (bits >> 16);
      if (rest == 3) {
        out[3 * groups + 1] = (byte) (bits >> 8);
      }
    }
    return invalid < 0 || wide > 0xff ? null : out;
  }

  /**
   * How many of {@code length} characters are symbols, the padding (up to two trailing {@code '='})
   * taken off; -1 when that many symbols or that padding cannot be a valid value. A third {@code '='}
   * is counted as a symbol and fails the alphabet check.
   */
  private static int symbols(int length, boolean lastIsPad, boolean secondLastIsPad) {
    int padding = !lastIsPad ? 0 : secondLastIsPad ? 2 : 1;
    int symbols = length - padding;
    if ((symbols & 3) == 1 || (padding > 0 && (length & 3) != 0)) {
      return -1;
    }
    return symbols;
  }

  /** How many bytes a valid value of {@code symbols} characters, padding not counted, decodes to. */
  static int decodedLength(int symbols) {
    return symbols / 4 * 3 + Math.max(0, symbols % 4 - 1);
  }
}
