package dev.callstream.server.wire;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.callstream.core.AudioChannel;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;

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
 * <p>One scanner reads ASCII bytes. UTF-8 input is scanned where it lies: every byte the scanner
 * accepts is an ASCII character it names, so a message with any byte of 0x80 or more (non-ASCII, or
 * not UTF-8 at all) is declined without a separate check, and Jackson, which validates UTF-8, decides.
 * Field names and fixed values are compared eight bytes at a time. The media value's base64 is decoded
 * straight into the exact-size payload, the one allocation besides the event: when media is the last
 * field (the platform's order) its end is guessed at the message's last quote and the decode proves
 * the guess; otherwise the end is found by a quote search, eight bytes at a time, and the value decoded
 * once the rest of the message is known to be handled. A String is first narrowed into a per-thread
 * scratch {@code byte[]} (declined when any character is not ASCII): the scanner cannot read a
 * String's bytes in place, and the JDK's bulk copies make that cheaper than a second scanner over
 * chars. The scratch is per thread because one codec serves all I/O threads; it grows to the longest
 * message seen, at most {@link #MAX_SCRATCH_CHARS} characters (longer strings are declined), so a
 * thread holds at most 48 KiB.
 */
final class MediaFastPath {
  private static final int EVENT = 1;
  private static final int PERSPECTIVE = 2;
  private static final int SEQUENCE = 4;
  private static final int MEDIA = 8;
  private static final int REQUIRED = EVENT | PERSPECTIVE | MEDIA;

  /** Enough digits for any long, so that the value read equals Jackson's int or long. */
  private static final int MAX_NUMBER_DIGITS = 18;

  /** Longest String handled: 16,384 characters are about 12 KB of audio, 0.75 s of 8 kHz G.711. */
  static final int MAX_SCRATCH_CHARS = 16_384;

  private static final Literal EVENT_NAME = new Literal("event");
  private static final Literal PERSPECTIVE_NAME = new Literal("perspective");
  private static final Literal SEQUENCE_NAME = new Literal("sequenceId");
  private static final Literal MEDIA_NAME = new Literal("media");
  private static final Literal MEDIA_EVENT = new Literal("Media");
  private static final Literal PARTICIPANT = new Literal("Participant");
  private static final Literal CONFERENCE = new Literal("Conference");

  private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGH_BITS = 0x8080808080808080L;
  private static final long QUOTES = ONES * '"';

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
    byte[] ascii = scratch.get().ascii(text, length);
    return ascii != null ? scan(ascii, 0, length) : null;
  }

  /** The Media in the UTF-8 bytes {@code utf8[offset, offset + length)}, or null when not in the handled shape. */
  Media decode(byte[] utf8, int offset, int length) {
    if (!enabled || length > maxMessageLength) {
      return null;
    }
    return scan(utf8, offset, offset + length);
  }

  /** Scans {@code b[from, end)}. Positions are absolute indexes into {@code b}, with -1 for "not handled". */
  private Media scan(byte[] b, int from, int end) {
    int i = skipWhitespace(b, from, end);
    if (i >= end || b[i] != '{') {
      return null;
    }
    int seen = 0;
    AudioChannel channel = null;
    long sequence = Media.NO_SEQUENCE;
    int mediaStart = -1;
    int mediaEnd = -1;
    byte[] payload = null;
    i++;
    while (true) {
      i = skipWhitespace(b, i, end);
      int field = field(b, i, end);
      if (field == 0 || (seen & field) != 0) {
        return null;
      }
      seen |= field;
      i = skipWhitespace(b, i + fieldLength(field), end);
      if (i >= end || b[i] != ':') {
        return null;
      }
      i = skipWhitespace(b, i + 1, end);
      if (i >= end) {
        return null;
      }
      switch (field) {
        case EVENT:
          i = quoted(b, i, end, MEDIA_EVENT);
          break;
        case PERSPECTIVE:
          int participant = quoted(b, i, end, PARTICIPANT);
          if (participant >= 0) {
            channel = AudioChannel.AGENT;
            i = participant;
          } else {
            channel = AudioChannel.CONFERENCE;
            i = quoted(b, i, end, CONFERENCE);
          }
          break;
        case SEQUENCE:
          if (b[i] == '"') {
            int close = closingQuote(b, i + 1, end);
            if (close < 0) {
              return null;
            }
            sequence = digitString(b, i + 1, close);
            i = close + 1;
          } else {
            int numberEnd = integerEnd(b, i, end);
            if (numberEnd < 0) {
              return null;
            }
            sequence = integer(b, i, numberEnd);
            i = numberEnd;
          }
          break;
        default: // MEDIA
          if (b[i] != '"') {
            return null;
          }
          mediaStart = i + 1;
          // Where the platform puts it, last, the value ends at the message's last quote: decoding up
          // to there both proves that (base64 holds no quote) and saves the search. Guessed only when
          // the 16 bytes before that quote hold no other, which the value of any other field would.
          int last = lastQuote(b, mediaStart, end);
          payload = last - mediaStart >= 2 * Long.BYTES
              && quotes(word(b, last - Long.BYTES)) == 0 && quotes(word(b, last - 2 * Long.BYTES)) == 0
              ? StrictBase64.decode(b, mediaStart, last - mediaStart) : null;
          mediaEnd = payload != null ? last : indexOfQuote(b, mediaStart, end);
          if (mediaEnd < 0) {
            return null;
          }
          i = mediaEnd + 1;
      }
      if (i < 0) {
        return null;
      }
      i = skipWhitespace(b, i, end);
      if (i >= end) {
        return null;
      }
      byte next = b[i++];
      if (next == '}') {
        break;
      }
      if (next != ',') {
        return null;
      }
    }
    if (skipWhitespace(b, i, end) != end || (seen & REQUIRED) != REQUIRED) {
      return null;
    }
    if (payload == null) { // not decoded above: decoded only now that the rest is known to be handled
      payload = StrictBase64.decode(b, mediaStart, mediaEnd - mediaStart);
    }
    // an escape or a non-ASCII byte in the value is not base64 either: declined here
    return payload != null ? new Media(channel, sequence, payload) : null;
  }

  /** JSON whitespace, exactly the four characters Jackson skips (comments are declined, not skipped). */
  private static int skipWhitespace(byte[] b, int i, int end) {
    while (i < end && isWhitespace(b[i])) {
      i++;
    }
    return i;
  }

  private static boolean isWhitespace(byte ch) {
    return ch <= ' ' && (ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t');
  }

  /**
   * The quote before the closing brace, where a message whose last value is a string ends it, or -1.
   * Only bytes at or after {@code start} are looked at.
   */
  private static int lastQuote(byte[] b, int start, int end) {
    int j = end - 1;
    while (j >= start && isWhitespace(b[j])) {
      j--;
    }
    if (j < start || b[j] != '}') {
      return -1;
    }
    j--;
    while (j >= start && isWhitespace(b[j])) {
      j--;
    }
    return j >= start && b[j] == '"' ? j : -1;
  }

  /** Which field name starts at {@code i} (with its quotes), or 0 for anything else. */
  private static int field(byte[] b, int i, int end) {
    if (i + 1 >= end) {
      return 0;
    }
    switch (b[i + 1]) {
      case 'e':
        return quoted(b, i, end, EVENT_NAME) >= 0 ? EVENT : 0;
      case 'p':
        return quoted(b, i, end, PERSPECTIVE_NAME) >= 0 ? PERSPECTIVE : 0;
      case 's':
        return quoted(b, i, end, SEQUENCE_NAME) >= 0 ? SEQUENCE : 0;
      case 'm':
        return quoted(b, i, end, MEDIA_NAME) >= 0 ? MEDIA : 0;
      default:
        return 0;
    }
  }

  /** The length of a field's name with its quotes. */
  private static int fieldLength(int field) {
    switch (field) {
      case EVENT:
        return EVENT_NAME.length();
      case PERSPECTIVE:
        return PERSPECTIVE_NAME.length();
      case SEQUENCE:
        return SEQUENCE_NAME.length();
      default:
        return MEDIA_NAME.length();
    }
  }

  /**
   * The index after {@code literal} when it starts at {@code i}, else -1. Compares eight bytes at a
   * time, so it reads at least eight: a literal shorter than that is followed by at least one more
   * byte in any message in the handled shape, and near the end of the input this just declines.
   */
  private static int quoted(byte[] b, int i, int end, Literal literal) {
    int length = literal.length();
    if (i > end - Math.max(Long.BYTES, length)
        || (word(b, i) & literal.headMask()) != literal.head()
        || (length > Long.BYTES && word(b, i + length - Long.BYTES) != literal.tail())) {
      return -1;
    }
    return i + length;
  }

  private static long word(byte[] b, int i) {
    return (long) LONG_LE.get(b, i);
  }

  /** The first {@code '"'} in {@code b[i, end)}, or -1; eight bytes at a time. */
  private static int indexOfQuote(byte[] b, int i, int end) {
    for (; i <= end - Long.BYTES; i += Long.BYTES) {
      long quotes = quotes(word(b, i));
      if (quotes != 0) {
        return i + (Long.numberOfTrailingZeros(quotes) >>> 3);
      }
    }
    for (; i < end; i++) {
      if (b[i] == '"') {
        return i;
      }
    }
    return -1;
  }

  /**
   * The high bit of each byte of {@code word} that is a quote, and possibly of bytes above one: a quote
   * is a zero after the XOR, and "minus one, and not itself" marks zero bytes exactly up to the first
   * (a borrow can only mark bytes above a true zero). Zero when there is no quote.
   */
  private static long quotes(long word) {
    long x = word ^ QUOTES;
    return (x - ONES) & ~x & HIGH_BITS;
  }

  /** The closing quote of a string of printable ASCII starting at {@code i}, or -1 (escape, control, non-ASCII, no end). */
  private static int closingQuote(byte[] b, int i, int end) {
    for (; i < end; i++) {
      byte ch = b[i];
      if (ch == '"') {
        return i;
      }
      if (ch == '\\' || ch < 0x20 || ch > 0x7e) { // bytes are signed: 0x80 and above are negative
        return -1;
      }
    }
    return -1;
  }

  /** A string sequence id: as StreamCodec's Jackson path reads it (1 to 10 digits, at most 2^31-1). */
  private static long digitString(byte[] b, int start, int end) {
    int length = end - start;
    if (length == 0 || length > 10) {
      return Media.NO_SEQUENCE;
    }
    long value = 0;
    for (int i = start; i < end; i++) {
      byte ch = b[i];
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
  private int integerEnd(byte[] b, int i, int end) {
    if (b[i] == '-') {
      i++;
    }
    int first = i;
    while (i < end && b[i] >= '0' && b[i] <= '9') {
      i++;
    }
    int digits = i - first;
    if (digits == 0 || digits > maxNumberDigits || (digits > 1 && b[first] == '0')) {
      return -1;
    }
    return i;
  }

  /** A number sequence id as the Jackson path reads it: its value when in 0..2^31-1 ("-0" is 0), else NO_SEQUENCE. */
  private static long integer(byte[] b, int start, int end) {
    boolean negative = b[start] == '-';
    long value = 0;
    for (int i = negative ? start + 1 : start; i < end; i++) {
      value = value * 10 + (b[i] - '0');
    }
    if (negative) {
      value = -value;
    }
    return value >= 0 && value <= Media.MAX_SEQUENCE ? value : Media.NO_SEQUENCE;
  }

  /**
   * A JSON string of ASCII, quotes included, as little-endian words: its first eight bytes (masked
   * when shorter) and, when longer, its last eight. A record, so that the JIT folds the fields of the
   * constants.
   */
  private record Literal(int length, long head, long headMask, long tail) {
    Literal(String text) {
      this(quotedBytes(text));
    }

    private Literal(byte[] bytes) {
      this(bytes.length, littleEndian(bytes, 0, Math.min(Long.BYTES, bytes.length)),
          bytes.length >= Long.BYTES ? -1L : (1L << (8 * bytes.length)) - 1,
          bytes.length > Long.BYTES ? littleEndian(bytes, bytes.length - Long.BYTES, Long.BYTES) : 0);
    }

    private static byte[] quotedBytes(String text) {
      return ('"' + text + '"').getBytes(StandardCharsets.US_ASCII);
    }

    private static long littleEndian(byte[] bytes, int from, int count) {
      long word = 0;
      for (int k = count - 1; k >= 0; k--) {
        word = (word << 8) | (bytes[from + k] & 0xff);
      }
      return word;
    }
  }

  /**
   * One thread's buffers for a String: its characters, then the same as ASCII bytes. The narrowing
   * goes through the JDK's ASCII encoder, whose array loop is intrinsic (several times faster than a
   * loop here); it stops at the first character that is not ASCII.
   */
  private static final class Scratch {
    private final CharsetEncoder encoder = StandardCharsets.US_ASCII.newEncoder();
    private char[] chars = new char[512];
    private CharBuffer charBuffer = CharBuffer.wrap(chars);
    private ByteBuffer byteBuffer = ByteBuffer.allocate(512);

    /** {@code text} as ASCII bytes in the scratch, or null when a character is not ASCII. */
    byte[] ascii(String text, int length) {
      if (chars.length < length) {
        int size = Math.min(MAX_SCRATCH_CHARS, Math.max(length, 2 * chars.length));
        chars = new char[size];
        charBuffer = CharBuffer.wrap(chars);
        byteBuffer = ByteBuffer.allocate(size);
      }
      text.getChars(0, length, chars, 0);
      charBuffer.clear().limit(length);
      byteBuffer.clear();
      CoderResult result = encoder.reset().encode(charBuffer, byteBuffer, true);
      return result.isUnderflow() && byteBuffer.position() == length ? byteBuffer.array() : null;
    }
  }
}
