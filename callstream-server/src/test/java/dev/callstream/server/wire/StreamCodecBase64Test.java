package dev.callstream.server.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A {@code media} value is accepted or rejected the same way whether the message arrives as text or
 * as UTF-8 bytes, and only valid standard base64 is accepted: control characters, whitespace and
 * misplaced padding are not base64, wherever they stand and however they are written in JSON.
 */
class StreamCodecBase64Test {
  private static final String MEDIA = "{\"event\":\"Media\",\"perspective\":\"Participant\",\"sequenceId\":1,\"media\":\"%s\"}";
  private static final String MEDIA_FIRST = "{\"media\":\"%s\",\"event\":\"Media\",\"perspective\":\"Participant\"}";

  private final StreamCodec codec = new StreamCodec();

  @Test
  void everyPayloadLengthDecodesBitExactOnBothPathsPaddedOrNot() {
    Random random = new Random(11);
    for (int length = 0; length <= 200; length++) {
      byte[] payload = new byte[length];
      random.nextBytes(payload);
      String padded = Base64.getEncoder().encodeToString(payload);
      String unpadded = Base64.getEncoder().withoutPadding().encodeToString(payload);
      for (String base64 : List.of(padded, unpadded)) {
        for (String template : List.of(MEDIA, MEDIA_FIRST)) {
          String message = String.format(template, base64);
          assertThat(((Media) codec.decode(message)).payload()).as("text, %d bytes", length).isEqualTo(payload);
          assertThat(((Media) decodeBytes(message)).payload()).as("bytes, %d bytes", length).isEqualTo(payload);
        }
      }
    }
  }

  @Test
  void aControlCharacterAnywhereInMediaIsRejectedAsTextAndAsBytes() {
    String base64 = Base64.getEncoder().encodeToString(new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    List<String> inserts = new ArrayList<>();
    for (char c = 0; c < 0x20; c++) {
      inserts.add(String.format("\\u%04x", (int) c)); // escaped: valid JSON, a control character in the value
      inserts.add(String.valueOf(c)); // raw: Jackson's base64 reader skipped these between groups
    }
    inserts.addAll(List.of("\\n", "\\r", "\\t", "\\b", "\\f", "\\u007f", String.valueOf((char) 0x7f)));
    int checked = 0;
    for (String insert : inserts) {
      for (int at = 0; at <= base64.length(); at++) {
        for (String template : List.of(MEDIA, MEDIA_FIRST)) {
          String message = String.format(template, base64.substring(0, at) + insert + base64.substring(at));
          assertRejectedOnBothPaths(message);
          checked++;
        }
      }
    }
    assertThat(checked).isEqualTo(inserts.size() * (base64.length() + 1) * 2);
  }

  @Test
  void whitespaceMisplacedPaddingAndOtherAlphabetsAreRejectedOnBothPaths() {
    for (String media : List.of("AAEC AwQF", " AAECAwQF", "AAECAwQF ", "\\u003dAAECAwQF", "AAEC\\u003dAwQF", "=AAECAwQF",
        "AAECAw=", "AAECA===", "AAECAwQFB", "AA-_", "AAEC\u00e9AwQF", "AAEC\\u00a0AwQF", "#$%^", "AA=A!")) {
      assertRejectedOnBothPaths(String.format(MEDIA, media));
      assertRejectedOnBothPaths(String.format(MEDIA_FIRST, media));
    }
  }

  @Test
  void jsonEscapesOfBase64CharactersAreTheirValue() {
    // "\u0041" is "A": the JSON string's value is what is decoded, on both paths
    String message = String.format(MEDIA, "\\u0041AEC\\/w==");
    assertThat(((Media) codec.decode(message)).payload()).containsExactly(0, 1, 2, (byte) 0xFF);
    assertThat(((Media) decodeBytes(message)).payload()).containsExactly(0, 1, 2, (byte) 0xFF);
  }

  private void assertRejectedOnBothPaths(String message) {
    MalformedMessageException fromText = catchThrowableOfType(MalformedMessageException.class, () -> codec.decode(message));
    MalformedMessageException fromBytes = catchThrowableOfType(MalformedMessageException.class, () -> decodeBytes(message));
    assertThat(fromText).as("rejected as text: %s", message).isNotNull();
    assertThat(fromBytes).as("rejected as bytes: %s", message).isNotNull();
    assertThat(fromBytes.getMessage()).as("same reason: %s", message).isEqualTo(fromText.getMessage());
  }

  private StreamEvent decodeBytes(String message) {
    byte[] utf8 = ("xx" + message + "yy").getBytes(StandardCharsets.UTF_8);
    return codec.decode(utf8, 2, utf8.length - 4);
  }
}
