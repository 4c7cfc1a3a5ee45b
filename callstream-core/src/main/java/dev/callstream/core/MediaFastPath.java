package dev.callstream.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.util.Arrays;

/**
 * Decodes the common shape of a Media message without a JSON parser, or declines.
 *
 * <p>Why it exists: Media is the hot path (about 100 messages a second per call, every call), and
 * creating a Jackson parser per message costs more than the rest of the work together. Every other
 * message, and every Media message not in exactly the shape below, is left to {@link StreamCodec}'s
 * Jackson path, which stays the reference for what is accepted and for every error message.
 *
 * <p>The shape handled: optional JSON whitespace around tokens, then one flat object holding exactly
 * these fields, each once, in any order:
 *
 * <pre>
 *   "event": "Media"
 *   "perspective": "Participant" | "Conference"
 *   "sequenceId": "&lt;any printable ASCII&gt;" | &lt;integer of at most 18 digits&gt;   (optional)
 *   "media": "&lt;strict standard base64&gt;"
 * </pre>
 *
 * Anything else (an escape, a comment, a trailing comma, another field or a repeated one, a nested
 * value, a fraction or exponent, non-ASCII, invalid base64, a value beyond the codec's parser limits)
 * returns null, "not handled", and the caller uses the Jackson path. What it accepts it decodes
 * exactly as that path does; StreamCodecFastPathTest checks this on generated and mutated messages.
 *
 * <p>Both inputs are first copied into a per-thread scratch {@code char[]} ({@code String.getChars}
 * is a bulk copy; bytes are widened one to one, so a non-ASCII byte becomes a character this scanner
 * never accepts): one array scan serves both, without the per-call checks of {@code charAt}, and the
 * payload is decoded in the same pass that finds the end of the value, then copied to an exact-size
 * array. Nothing else is allocated per message. The scratch is per thread because one codec serves
 * all I/O threads; it grows to the longest message seen, at most {@link #MAX_SCRATCH_CHARS}
 * characters (longer messages are declined), so a thread holds at most 48 KiB.
 */
final class MediaFastPath {
  private static final int EVENT = 1;
  private static final int PERSPECTIVE = 2;
  private static final int SEQUENCE = 4;
  private static final int MEDIA = 8;
  private static final int REQUIRED = EVENT | PERSPECTIVE | MEDIA;

  /** Enough digits for any long, so that the value read equals Jackson's int or long. */
  private static final int MAX_NUMBER_DIGITS = 18;

  /** Longest message handled: 16,384 characters are about 12 KB of audio, 0.75 s of 8 kHz G.711. */
  static final int MAX_SCRATCH_CHARS = 16_384;

  private static final char[] EVENT_NAME = "event".toCharArray();
  private static final char[] PERSPECTIVE_NAME = "perspective".toCharArray();
  private static final char[] SEQUENCE_NAME = "sequenceId".toCharArray();
  private static final char[] MEDIA_NAME = "media".toCharArray();
  private static final char[] MEDIA_EVENT = "Media".toCharArray();
  private static final char[] PARTICIPANT = "Participant".toCharArray();
  private static final char[] CONFERENCE = "Conference".toCharArray();


  private final boolean enabled;
  private final long maxMessageLength;
  private final int maxNumberDigits;
  private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

  /**
   * A fast path that declines whatever the factory's parsers could refuse: it is off when the factory
   * decorates its input or limits names or tokens below what this shape needs, and it declines
   * messages longer than a string or the document may be, so every limit check would have passed.
   */
  MediaFastPath(JsonFactory factory) {
    StreamReadConstraints limits = factory.streamReadConstraints();
    this.enabled = factory.getInputDecorator() == null
        && limits.getMaxNameLength() >= "perspective".length()
        && (limits.getMaxTokenCount() <= 0 || limits.getMaxTokenCount() >= 16)
        && limits.getMaxNestingDepth() >= 1;
    long documentLimit = limits.getMaxDocumentLength() > 0 ? limits.getMaxDocumentLength() : Long.MAX_VALUE;
    this.maxMessageLength = Math.min(limits.getMaxStringLength(), documentLimit);
    this.maxNumberDigits = Math.min(MAX_NUMBER_DIGITS, limits.getMaxNumberLength());
  }

  /** The Media in {@code text}, or null when the message is not in the handled shape. */
  Media decode(String text) {
    int length = text.length();
    if (!enabled || length > maxMessageLength || length > MAX_SCRATCH_CHARS) {
      return null;
    }
    Scratch buffers = scratch.get();
    char[] chars = buffers.chars(length);
    text.getChars(0, length, chars, 0);
    return scan(chars, length, buffers.payload);
  }

  /** The Media in the UTF-8 bytes {@code utf8[offset, offset + length)}, or null when not in the handled shape. */
  Media decode(byte[] utf8, int offset, int length) {
    if (!enabled || length > maxMessageLength || length > MAX_SCRATCH_CHARS) {
      return null;
    }
    Scratch buffers = scratch.get();
    char[] chars = buffers.chars(length);
    for (int i = 0; i < length; i++) {
      chars[i] = (char) (utf8[offset + i] & 0xff);
    }
    return scan(chars, length, buffers.payload);
  }

  /**
   * Scans {@code c[0, end)}, decoding the media value into {@code payload} on the way. Positions are
   * ints, with -1 for "not handled".
   */
  private Media scan(char[] c, int end, byte[] payload) {
    int i = skipWhitespace(c, 0, end);
    if (i >= end || c[i] != '{') {
      return null;
    }
    int seen = 0;
    AudioChannel channel = null;
    long sequence = Media.NO_SEQUENCE;
    int mediaStart = -1;
    int mediaEnd = -1;
    i++;
    while (true) {
      i = skipWhitespace(c, i, end);
      int field = field(c, i, end);
      if (field == 0 || (seen & field) != 0) {
        return null;
      }
      seen |= field;
      i = skipWhitespace(c, i + fieldLength(field) + 2, end);
      if (i >= end || c[i] != ':') {
        return null;
      }
      i = skipWhitespace(c, i + 1, end);
      if (i >= end) {
        return null;
      }
      switch (field) {
        case EVENT:
          i = quoted(c, i, end, MEDIA_EVENT);
          break;
        case PERSPECTIVE:
          int participant = quoted(c, i, end, PARTICIPANT);
          if (participant >= 0) {
            channel = AudioChannel.AGENT;
            i = participant;
          } else {
            channel = AudioChannel.CONFERENCE;
            i = quoted(c, i, end, CONFERENCE);
          }
          break;
        case SEQUENCE:
          if (c[i] == '"') {
            int close = closingQuote(c, i + 1, end);
            if (close < 0) {
              return null;
            }
            sequence = digitString(c, i + 1, close);
            i = close + 1;
          } else {
            int numberEnd = integerEnd(c, i, end);
            if (numberEnd < 0) {
              return null;
            }
            sequence = integer(c, i, numberEnd);
            i = numberEnd;
          }
          break;
        default: // MEDIA
          if (c[i] != '"') {
            return null;
          }
          mediaStart = i + 1;
          mediaEnd = StrictBase64.decodeUntilQuote(c, mediaStart, end, payload);
          if (mediaEnd < 0 || mediaEnd >= end) {
            return null; // not base64 (an escape included), or no closing quote
          }
          i = mediaEnd + 1;
      }
      if (i < 0) {
        return null;
      }
      i = skipWhitespace(c, i, end);
      if (i >= end) {
        return null;
      }
      char next = c[i++];
      if (next == '}') {
        break;
      }
      if (next != ',') {
        return null;
      }
    }
    if (skipWhitespace(c, i, end) != end || (seen & REQUIRED) != REQUIRED) {
      return null;
    }
    int symbols = mediaEnd - mediaStart;
    while (symbols > 0 && c[mediaStart + symbols - 1] == '=') {
      symbols--;
    }
    // copied only now: nothing is allocated for a message that is declined
    return new Media(channel, sequence, Arrays.copyOf(payload, StrictBase64.decodedLength(symbols)));
  }

  /** JSON whitespace, exactly the four characters Jackson skips (comments are declined, not skipped). */
  private static int skipWhitespace(char[] c, int i, int end) {
    while (i < end) {
      char ch = c[i];
      if (ch != ' ' && ch != '\n' && ch != '\r' && ch != '\t') {
        return i;
      }
      i++;
    }
    return i;
  }

  /** Which field name starts at {@code i} (with its quotes), or 0 for anything else. */
  private static int field(char[] c, int i, int end) {
    if (i + 2 >= end || c[i] != '"') {
      return 0;
    }
    switch (c[i + 1]) {
      case 'e':
        return quoted(c, i, end, EVENT_NAME) >= 0 ? EVENT : 0;
      case 'p':
        return quoted(c, i, end, PERSPECTIVE_NAME) >= 0 ? PERSPECTIVE : 0;
      case 's':
        return quoted(c, i, end, SEQUENCE_NAME) >= 0 ? SEQUENCE : 0;
      case 'm':
        return quoted(c, i, end, MEDIA_NAME) >= 0 ? MEDIA : 0;
      default:
        return 0;
    }
  }

  private static int fieldLength(int field) {
    switch (field) {
      case EVENT:
        return EVENT_NAME.length;
      case PERSPECTIVE:
        return PERSPECTIVE_NAME.length;
      case SEQUENCE:
        return SEQUENCE_NAME.length;
      default:
        return MEDIA_NAME.length;
    }
  }

  /** The index after {@code "expected"} when it starts at {@code i}, else -1. */
  private static int quoted(char[] c, int i, int end, char[] expected) {
    int close = i + 1 + expected.length;
    if (close >= end || c[i] != '"' || c[close] != '"') {
      return -1;
    }
    for (int k = 0; k < expected.length; k++) {
      if (c[i + 1 + k] != expected[k]) {
        return -1;
      }
    }
    return close + 1;
  }

  /** The closing quote of a string of printable ASCII starting at {@code i}, or -1 (escape, control, non-ASCII, no end). */
  private static int closingQuote(char[] c, int i, int end) {
    for (; i < end; i++) {
      char ch = c[i];
      if (ch == '"') {
        return i;
      }
      if (ch == '\\' || ch < 0x20 || ch > 0x7e) {
        return -1;
      }
    }
    return -1;
  }

  /** A string sequence id: as StreamCodec's Jackson path reads it (1 to 10 digits, at most 2^31-1). */
  private static long digitString(char[] c, int start, int end) {
    int length = end - start;
    if (length == 0 || length > 10) {
      return Media.NO_SEQUENCE;
    }
    long value = 0;
    for (int i = start; i < end; i++) {
      char ch = c[i];
      if (ch < '0' || ch > '9') {
        return Media.NO_SEQUENCE;
      }
      value = value * 10 + (ch - '0');
    }
    return value <= Media.MAX_SEQUENCE ? value : Media.NO_SEQUENCE;
  }

  /**
   * The end of a JSON integer starting at {@code i} ({@code -?(0|[1-9][0-9]*)} of at most
   * {@link #maxNumberDigits} digits), or -1. What follows is checked by the caller: anything but
   * whitespace, a comma or the closing brace (a fraction, an exponent, a letter) is declined there.
   */
  private int integerEnd(char[] c, int i, int end) {
    if (c[i] == '-') {
      i++;
    }
    int first = i;
    while (i < end && c[i] >= '0' && c[i] <= '9') {
      i++;
    }
    int digits = i - first;
    if (digits == 0 || digits > maxNumberDigits || (digits > 1 && c[first] == '0')) {
      return -1;
    }
    return i;
  }

  /** A number sequence id as the Jackson path reads it: its value when in 0..2^31-1 ("-0" is 0), else NO_SEQUENCE. */
  private static long integer(char[] c, int start, int end) {
    boolean negative = c[start] == '-';
    long value = 0;
    for (int i = negative ? start + 1 : start; i < end; i++) {
      value = value * 10 + (c[i] - '0');
    }
    if (negative) {
      value = -value;
    }
    return value >= 0 && value <= Media.MAX_SEQUENCE ? value : Media.NO_SEQUENCE;
  }

  /** One thread's buffers: the message as chars, and the payload decoded before its exact-size copy. */
  private static final class Scratch {
    char[] chars = new char[512];
    byte[] payload = new byte[512];

    char[] chars(int length) {
      if (chars.length < length) {
        int size = Math.min(MAX_SCRATCH_CHARS, Math.max(length, 2 * chars.length));
        chars = new char[size];
        payload = new byte[size];
      }
      return chars;
    }
  }
}
