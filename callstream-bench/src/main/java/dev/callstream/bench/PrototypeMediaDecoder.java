package dev.callstream.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.callstream.core.AudioChannel;
import dev.callstream.server.wire.Media;
import java.io.IOException;
import java.util.Arrays;

/**
 * Not production code: a measured sketch of the fix proposed for {@code StreamCodec}'s Media path
 * (see BENCHMARKS.md, "Profile: codec"). It parses like the codec, with Jackson's streaming parser,
 * but decodes the base64 {@code media} value straight from the parser's character buffer into an
 * array of the exact size, instead of {@code JsonParser.getBinaryValue}, whose
 * {@code ByteArrayBuilder} allocates a fresh ~1 KB block per message and then copies the result.
 * Only the happy path of a Media message is handled; anything else returns null.
 */
final class PrototypeMediaDecoder {
  private static final int[] BASE64 = new int[128];

  static {
    Arrays.fill(BASE64, -1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < alphabet.length(); i++) {
      BASE64[alphabet.charAt(i)] = i;
    }
  }

  private final JsonFactory factory = new JsonFactory();

  Media decode(String message) throws IOException {
    try (JsonParser p = factory.createParser(message)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      boolean media = false;
      AudioChannel channel = null;
      long sequence = Media.NO_SEQUENCE;
      byte[] payload = null;
      for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
        JsonToken value = p.nextToken();
        switch (name) {
          case "event" -> media = value == JsonToken.VALUE_STRING && "Media".equals(p.getText());
          case "perspective" -> channel = value == JsonToken.VALUE_STRING ? dev.callstream.server.wire.Perspective.side(p.getText()) : null;
          case "sequenceId" -> sequence = value == JsonToken.VALUE_STRING ? digits(p) : Media.NO_SEQUENCE;
          case "media" -> payload = value == JsonToken.VALUE_STRING ? base64(p.getTextCharacters(), p.getTextOffset(), p.getTextLength()) : null;
          default -> p.skipChildren();
        }
      }
      return media && channel != null && payload != null ? new Media(channel, sequence, payload) : null;
    }
  }

  private static long digits(JsonParser p) throws IOException {
    char[] c = p.getTextCharacters();
    int off = p.getTextOffset();
    int len = p.getTextLength();
    if (len == 0 || len > 10) {
      return Media.NO_SEQUENCE;
    }
    long v = 0;
    for (int i = off; i < off + len; i++) {
      if (c[i] < '0' || c[i] > '9') {
        return Media.NO_SEQUENCE;
      }
      v = v * 10 + (c[i] - '0');
    }
    return v <= Media.MAX_SEQUENCE ? v : Media.NO_SEQUENCE;
  }

  /** Standard base64 with optional padding; null when invalid. */
  static byte[] base64(char[] c, int off, int len) {
    int end = off + len;
    while (end > off && c[end - 1] == '=') {
      end--;
    }
    int chars = end - off;
    if (chars % 4 == 1 || len - chars > 2) {
      return null;
    }
    byte[] out = new byte[chars / 4 * 3 + Math.max(0, chars % 4 - 1)];
    int o = 0;
    int i = off;
    for (; i + 4 <= end; i += 4) {
      int bits = sextet(c[i]) << 18 | sextet(c[i + 1]) << 12 | sextet(c[i + 2]) << 6 | sextet(c[i + 3]);
      if (bits < 0) {
        return null;
      }
      out[o++] = (byte) (bits >> 16);
      out[o++] = (byte) (bits >> 8);
      out[o++] = (byte) bits;
    }
    int rest = end - i;
    if (rest >= 2) {
      int bits = sextet(c[i]) << 18 | sextet(c[i + 1]) << 12 | (rest == 3 ? sextet(c[i + 2]) << 6 : 0);
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

  /** 0..63, or -1 (all bits set, so the shifted and OR-ed group stays negative). */
  private static int sextet(char ch) {
    return ch < 128 ? BASE64[ch] : -1;
  }
}
