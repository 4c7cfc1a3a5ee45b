package dev.callstream.bench;

import dev.callstream.core.AudioChannel;
import dev.callstream.server.wire.Media;
import dev.callstream.server.wire.StreamCodec;
import dev.callstream.server.wire.StreamEvent;

/**
 * Not production code: a measured sketch of the second step proposed for {@code StreamCodec}: a
 * scanner for the one message shape that matters for speed, a flat JSON object of string and number
 * fields, that reads {@code event}, {@code perspective}, {@code sequenceId} and {@code media} straight
 * from the String (base64 decoded in place into the payload array) without creating a parser. Any
 * surprise (escapes, nesting, comments, a non-Media event, invalid base64) hands the message to the
 * full codec, so behaviour is the codec's.
 */
final class PrototypeMediaScanner {
  private static final int[] BASE64 = new int[128];

  static {
    java.util.Arrays.fill(BASE64, -1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < alphabet.length(); i++) {
      BASE64[alphabet.charAt(i)] = i;
    }
  }

  private final StreamCodec fallback;

  PrototypeMediaScanner(StreamCodec fallback) {
    this.fallback = fallback;
  }

  StreamEvent decode(String s) {
    Media media = scan(s);
    return media != null ? media : fallback.decode(s);
  }

  /** The Media, or null for "not the simple shape: use the codec". */
  static Media scan(String s) {
    int n = s.length();
    int i = skipSpace(s, 0);
    if (i >= n || s.charAt(i) != '{') {
      return null;
    }
    boolean isMedia = false;
    AudioChannel channel = null;
    boolean perspectiveSeen = false;
    long sequence = Media.NO_SEQUENCE;
    int mediaStart = -1;
    int mediaEnd = -1;
    i++;
    while (true) {
      i = skipSpace(s, i);
      if (i >= n) {
        return null;
      }
      if (s.charAt(i) == '}') {
        i = skipSpace(s, i + 1);
        break;
      }
      if (s.charAt(i) != '"') {
        return null;
      }
      int keyStart = i + 1;
      int keyEnd = endOfString(s, keyStart);
      if (keyEnd < 0) {
        return null;
      }
      i = skipSpace(s, keyEnd + 1);
      if (i >= n || s.charAt(i) != ':') {
        return null;
      }
      i = skipSpace(s, i + 1);
      if (i >= n) {
        return null;
      }
      char c = s.charAt(i);
      int valueStart;
      int valueEnd;
      boolean string;
      if (c == '"') {
        valueStart = i + 1;
        valueEnd = endOfString(s, valueStart);
        if (valueEnd < 0) {
          return null;
        }
        i = valueEnd + 1;
        string = true;
      } else if ((c >= '0' && c <= '9') || c == '-') {
        valueStart = i;
        while (i < n && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '-')) {
          i++;
        }
        valueEnd = i;
        string = false;
      } else {
        return null; // objects, arrays, literals, comments: the codec's business
      }
      int keyLength = keyEnd - keyStart;
      if (is(s, keyStart, keyLength, "event")) {
        isMedia = string && is(s, valueStart, valueEnd - valueStart, "Media");
        if (!isMedia) {
          return null;
        }
      } else if (is(s, keyStart, keyLength, "perspective")) {
        perspectiveSeen = true;
        channel = !string ? null
            : is(s, valueStart, valueEnd - valueStart, "Participant") ? AudioChannel.AGENT
            : is(s, valueStart, valueEnd - valueStart, "Conference") ? AudioChannel.CONFERENCE : null;
      } else if (is(s, keyStart, keyLength, "sequenceId")) {
        sequence = digits(s, valueStart, valueEnd);
      } else if (is(s, keyStart, keyLength, "media")) {
        if (!string) {
          return null;
        }
        mediaStart = valueStart;
        mediaEnd = valueEnd;
      }
      i = skipSpace(s, i);
      if (i < n && s.charAt(i) == ',') {
        i++;
      } else if (i >= n || s.charAt(i) != '}') {
        return null;
      }
    }
    if (i != n || !isMedia || !perspectiveSeen || channel == null || mediaStart < 0) {
      return null;
    }
    byte[] payload = base64(s, mediaStart, mediaEnd);
    return payload == null ? null : new Media(channel, sequence, payload);
  }

  private static int skipSpace(String s, int i) {
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        break;
      }
      i++;
    }
    return i;
  }

  /** Index of the closing quote, or -1 for an escape or an unterminated string. */
  private static int endOfString(String s, int i) {
    for (; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"') {
        return i;
      }
      if (c == '\\' || c < 0x20) {
        return -1;
      }
    }
    return -1;
  }

  private static boolean is(String s, int start, int length, String expected) {
    return length == expected.length() && s.regionMatches(start, expected, 0, length);
  }

  private static long digits(String s, int start, int end) {
    int len = end - start;
    if (len == 0 || len > 10) {
      return Media.NO_SEQUENCE;
    }
    long v = 0;
    for (int i = start; i < end; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return Media.NO_SEQUENCE;
      }
      v = v * 10 + (c - '0');
    }
    return v <= Media.MAX_SEQUENCE ? v : Media.NO_SEQUENCE;
  }

  private static byte[] base64(String s, int start, int stop) {
    int end = stop;
    while (end > start && s.charAt(end - 1) == '=') {
      end--;
    }
    int chars = end - start;
    if (chars % 4 == 1 || stop - end > 2) {
      return null;
    }
    byte[] out = new byte[chars / 4 * 3 + Math.max(0, chars % 4 - 1)];
    int o = 0;
    int i = start;
    for (; i + 4 <= end; i += 4) {
      int bits = sextet(s.charAt(i)) << 18 | sextet(s.charAt(i + 1)) << 12 | sextet(s.charAt(i + 2)) << 6 | sextet(s.charAt(i + 3));
      if (bits < 0) {
        return null;
      }
      out[o++] = (byte) (bits >> 16);
      out[o++] = (byte) (bits >> 8);
      out[o++] = (byte) bits;
    }
    int rest = end - i;
    if (rest >= 2) {
      int bits = sextet(s.charAt(i)) << 18 | sextet(s.charAt(i + 1)) << 12 | (rest == 3 ? sextet(s.charAt(i + 2)) << 6 : 0);
      if (bits < 0) {
        return null;
      }
      out[o++] = (byte) (bits >> 16);
      if (rest == 3) {
        out[o] = (byte) (bits >> 8);
      }
    }
    return out;
  }

  private static int sextet(char ch) {
    return ch < 128 ? BASE64[ch] : -1;
  }
}
