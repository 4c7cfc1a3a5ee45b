package dev.callstream.server.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callstream.core.AudioChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The parser-free Media path gives exactly what the Jackson path gives: the same event for every
 * message it handles, and for everything else (declined, then decoded or rejected by Jackson) the same
 * event or the same exception with the same message. Messages come from seeded generators, so a
 * failure repeats.
 */
class StreamCodecFastPathTest {
  private static final String WHITESPACE = " \t\n\r";
  private static final List<String> SEQUENCES = List.of(
      "0", "7", "123", "2147483647", "2147483648", "-0", "-1", "-2147483648", "999999999999999999", "1000000000000000000",
      "99999999999999999999999", "1.5", "1e3", "1E+3", "-", "00", "012", "+1", "null", "true", "[1]", "{}",
      "\"0\"", "\"123\"", "\"0123\"", "\"2147483647\"", "\"2147483648\"", "\"12345678901\"", "\"\"", "\"-3\"", "\"1.5\"",
      "\"abc\"", "\" 1\"", "\"1\\u0030\"", "\"\u00e9\"", "\"\u007f\"");

  private final StreamCodec codec = new StreamCodec();
  private final MediaFastPath fastPath = new MediaFastPath(new JsonFactory());

  @Test
  void generatedMediaMessagesDecodeAsJacksonDecodesThemAndTheFlatOnesSkipJackson() {
    Random random = new Random(20240601);
    int handled = 0;
    int messages = 10_000;
    for (int n = 0; n < messages; n++) {
      String message = randomMedia(random);
      assertSameOutcome(message);
      Media fast = fastPath.decode(message);
      if (fast != null) {
        handled++;
        assertThat(fast).as(message).isEqualTo(codec.decodeWithJackson(message));
        byte[] utf8 = message.getBytes(StandardCharsets.UTF_8);
        assertThat(fastPath.decode(utf8, 0, utf8.length)).as(message).isEqualTo(fast);
      }
    }
    // about half carry a sequence id form or a perspective spelling that is left to Jackson
    assertThat(handled).isBetween(messages / 3, messages * 9 / 10);
  }

  @Test
  void thePlatformShapeAndTheEncodersShapeTakeTheFastPath() {
    byte[] audio = new byte[160];
    new Random(5).nextBytes(audio);
    String base64 = Base64.getEncoder().encodeToString(audio);
    List<String> messages = List.of(
        new StreamCodec().encode(new Media(AudioChannel.AGENT, 42, audio)),
        new StreamCodec().encode(new Media(AudioChannel.CONFERENCE, Media.NO_SEQUENCE, audio)),
        "{ \n    \"event\": \"Media\", \n    \"perspective\": \"Conference\", \n    \"sequenceId\": \"42\",   \n"
            + "    \"media\": \"" + base64 + "\"\n}",
        "{\"media\":\"" + base64 + "\",\"sequenceId\":42,\"perspective\":\"Participant\",\"event\":\"Media\"}");
    for (String message : messages) {
      Media fast = fastPath.decode(message);
      assertThat(fast).as(message).isNotNull();
      assertThat(fast.payload()).isEqualTo(audio);
      assertThat(fast).isEqualTo(codec.decodeWithJackson(message));
    }
  }

  @Test
  void mutatedMessagesAreAcceptedOrRejectedExactlyAsByJackson() {
    Random random = new Random(7);
    String alphabet = "{}[]\":,\\/*# \t\n\r0123456789-+.eE=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_'"
        + "\u0000\u0001\u001f\u007f\u00e9\u00a0\u2028\ud83d\ude00";
    int handled = 0;
    for (int n = 0; n < 15_000; n++) {
      StringBuilder message = new StringBuilder(randomMedia(random));
      int mutations = 1 + random.nextInt(3);
      for (int m = 0; m < mutations && message.length() > 0; m++) {
        int at = random.nextInt(message.length() + 1);
        char c = alphabet.charAt(random.nextInt(alphabet.length()));
        switch (random.nextInt(3)) {
          case 0 -> message.insert(at, c);
          case 1 -> message.deleteCharAt(Math.min(at, message.length() - 1));
          default -> message.setCharAt(Math.min(at, message.length() - 1), c);
        }
      }
      String mutated = message.toString();
      assertSameOutcome(mutated);
      if (fastPath.decode(mutated) != null) {
        handled++;
      }
    }
    assertThat(handled).as("mutations of digits and whitespace keep some messages in the flat shape").isPositive();
  }

  @Test
  void byteLevelMutationsIncludingInvalidUtf8AreAcceptedOrRejectedExactlyAsByJackson() {
    Random random = new Random(13);
    for (int n = 0; n < 10_000; n++) {
      byte[] utf8 = randomMedia(random).getBytes(StandardCharsets.UTF_8);
      int mutations = 1 + random.nextInt(2);
      for (int m = 0; m < mutations; m++) {
        utf8[random.nextInt(utf8.length)] = (byte) random.nextInt(256);
      }
      byte[] framed = new byte[utf8.length + 4];
      random.nextBytes(framed);
      System.arraycopy(utf8, 0, framed, 2, utf8.length);
      assertThat(outcome(() -> codec.decode(framed, 2, utf8.length)))
          .as("bytes %s", new String(utf8, StandardCharsets.ISO_8859_1))
          .isEqualTo(outcome(() -> codec.decodeWithJackson(framed, 2, utf8.length)));
    }
  }

  @Test
  void everySingleByteAtEveryPositionOfAValidMessageIsDecodedAsByJackson() {
    int handled = 0;
    int checked = 0;
    for (String message : baseMessages()) {
      byte[] valid = message.getBytes(StandardCharsets.UTF_8);
      assertThat(fastPath.decode(valid, 0, valid.length)).as(message).isNotNull();
      for (int at = 0; at < valid.length; at++) {
        for (int value = 0; value < 256; value++) {
          byte[] mutated = valid.clone();
          mutated[at] = (byte) value;
          assertSameBytesOutcome(mutated);
          if (fastPath.decode(mutated, 0, mutated.length) != null) {
            handled++;
          }
          checked++;
        }
      }
    }
    // every byte value, 0x80..0xff (never valid UTF-8 alone) included, at every position
    assertThat(checked).isEqualTo(baseMessages().stream().mapToInt(m -> m.length() * 256).sum());
    assertThat(handled).as("a digit or a base64 symbol swapped keeps the shape").isPositive();
  }

  @Test
  void nonAsciiCharactersAndInvalidUtf8AnywhereAreLeftToJackson() {
    List<byte[]> inserts = List.of(
        "\u00e9".getBytes(StandardCharsets.UTF_8), "\u2028".getBytes(StandardCharsets.UTF_8),
        "\ud83d\ude00".getBytes(StandardCharsets.UTF_8), "\u00a0".getBytes(StandardCharsets.UTF_8),
        new byte[] {(byte) 0xc0, (byte) 0x80}, new byte[] {(byte) 0x80}, new byte[] {(byte) 0xe2, (byte) 0x80},
        new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, new byte[] {(byte) 0xff}, new byte[] {(byte) 0xc3, 'A'});
    for (String message : baseMessages()) {
      byte[] valid = message.getBytes(StandardCharsets.UTF_8);
      for (byte[] insert : inserts) {
        for (int at = 0; at <= valid.length; at++) {
          byte[] mutated = new byte[valid.length + insert.length];
          System.arraycopy(valid, 0, mutated, 0, at);
          System.arraycopy(insert, 0, mutated, at, insert.length);
          System.arraycopy(valid, at, mutated, at + insert.length, valid.length - at);
          assertThat(fastPath.decode(mutated, 0, mutated.length)).isNull();
          assertSameBytesOutcome(mutated);
        }
      }
      for (char c : new char[] {'\u00e9', '\u0080', '\u0122', '\u2028', '\ud83d'}) {
        for (int at = 0; at <= message.length(); at++) {
          String mutated = message.substring(0, at) + c + message.substring(at);
          assertThat(fastPath.decode(mutated)).as(mutated).isNull();
          assertSameOutcome(mutated);
        }
      }
    }
  }

  @Test
  void everyTruncationOfAValidMessageIsDecodedAsByJackson() {
    for (String message : baseMessages()) {
      byte[] valid = message.getBytes(StandardCharsets.UTF_8);
      for (int length = 0; length < valid.length; length++) {
        // the rest of the message stays in the array, beyond the given length: it must not be read
        int cut = length;
        assertThat(outcome(() -> codec.decode(valid, 0, cut)))
            .as("first %d bytes of %s", cut, message)
            .isEqualTo(outcome(() -> codec.decodeWithJackson(valid, 0, cut)));
        if (!(outcome(() -> codec.decodeWithJackson(valid, 0, cut)) instanceof Media)) {
          assertThat(fastPath.decode(valid, 0, cut)).as("first %d bytes of %s", cut, message).isNull();
        }
        assertSameOutcome(message.substring(0, cut));
        // and the same bytes further into a larger buffer
        byte[] framed = new byte[valid.length + 3];
        System.arraycopy(valid, 0, framed, 3, valid.length);
        assertThat(outcome(() -> codec.decode(framed, 3, cut)))
            .isEqualTo(outcome(() -> codec.decodeWithJackson(framed, 3, cut)));
      }
    }
  }

  /**
   * Valid messages in the handled shape: the encoder's, the documented one's with whitespace, media
   * first and in the middle, padded and unpadded, short and long payloads, a number and a string
   * sequence id. Small, so that every byte of them can be mutated 256 ways.
   */
  private static List<String> baseMessages() {
    String b64 = Base64.getEncoder().encodeToString(new byte[] {1, 2, (byte) 0xfe, 4, 5, 6, 7, 8, (byte) 0x99, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20});
    String shortPadded = Base64.getEncoder().encodeToString(new byte[] {(byte) 0xfb, (byte) 0xff});
    return List.of(
        new StreamCodec().encode(new Media(AudioChannel.AGENT, 42, Base64.getDecoder().decode(b64))),
        "{ \"event\": \"Media\",\n \"perspective\": \"Conference\",\t\"sequenceId\": \"7\",\r\n \"media\": \"" + b64 + "\" }\n",
        "{\"media\":\"" + b64 + "\",\"sequenceId\":1234567,\"event\":\"Media\",\"perspective\":\"Participant\"}",
        "{\"event\":\"Media\",\"media\":\"" + shortPadded + "\",\"perspective\":\"Conference\"}",
        "{\"perspective\":\"Participant\",\"event\":\"Media\",\"media\":\"" + b64.replace("=", "") + "\"}");
  }

  private void assertSameBytesOutcome(byte[] utf8) {
    assertThat(outcome(() -> codec.decode(utf8, 0, utf8.length)))
        .as("bytes %s", new String(utf8, StandardCharsets.ISO_8859_1))
        .isEqualTo(outcome(() -> codec.decodeWithJackson(utf8, 0, utf8.length)));
  }

  @Test
  void aCallersParserLimitsApplyToTheFastPathToo() {
    ObjectMapper strict = new ObjectMapper(JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(100).maxNumberLength(4).build())
        .build());
    StreamCodec limited = new StreamCodec(strict);
    String longMedia = "{\"event\":\"Media\",\"perspective\":\"Participant\",\"sequenceId\":1,\"media\":\""
        + Base64.getEncoder().encodeToString(new byte[120]) + "\"}";
    String longNumber = "{\"event\":\"Media\",\"perspective\":\"Participant\",\"sequenceId\":123456,\"media\":\"AAEC\"}";
    String withinLimits = "{\"event\":\"Media\",\"perspective\":\"Participant\",\"sequenceId\":1234,\"media\":\"AAEC\"}";
    for (String message : List.of(longMedia, longNumber, withinLimits)) {
      assertThat(outcome(() -> limited.decode(message))).as(message).isEqualTo(outcome(() -> limited.decodeWithJackson(message)));
    }
    assertThat(outcome(() -> limited.decode(longNumber))).asString().startsWith(MalformedMessageException.class.getName());
    assertThat(limited.decode(withinLimits)).isEqualTo(new Media(AudioChannel.AGENT, 1234, new byte[] {0, 1, 2}));
  }

  private void assertSameOutcome(String message) {
    assertThat(outcome(() -> codec.decode(message))).as("text %s", message)
        .isEqualTo(outcome(() -> codec.decodeWithJackson(message)));
    byte[] utf8 = message.getBytes(StandardCharsets.UTF_8);
    assertThat(outcome(() -> codec.decode(utf8, 0, utf8.length))).as("bytes %s", message)
        .isEqualTo(outcome(() -> codec.decodeWithJackson(utf8, 0, utf8.length)));
  }

  /** The event, or the exception's type and message: what a caller can observe. */
  private static Object outcome(java.util.function.Supplier<StreamEvent> decode) {
    try {
      return Objects.requireNonNull(decode.get());
    } catch (RuntimeException e) {
      return e.getClass().getName() + ": " + e.getMessage();
    }
  }

  /**
   * A Media message: the four fields (sequence id sometimes missing, sometimes an odd form, now and
   * then a field repeated or an extra one), any order, random whitespace, payload of 0..400 bytes
   * with or without padding, both perspectives (occasionally in another case).
   */
  private static String randomMedia(Random random) {
    byte[] payload = new byte[random.nextInt(401)];
    random.nextBytes(payload);
    String base64 = random.nextBoolean()
        ? Base64.getEncoder().encodeToString(payload) : Base64.getEncoder().withoutPadding().encodeToString(payload);
    String perspective = random.nextBoolean() ? "Participant" : "Conference";
    if (random.nextInt(20) == 0) {
      perspective = perspective.toLowerCase();
    }
    String sequence = random.nextInt(4) == 0
        ? SEQUENCES.get(random.nextInt(SEQUENCES.size()))
        : random.nextBoolean() ? Integer.toString(random.nextInt(Integer.MAX_VALUE)) : "\"" + random.nextInt(100_000) + "\"";
    List<String> fields = new ArrayList<>(List.of(
        "\"event\"" + ws(random) + ":" + ws(random) + "\"Media\"",
        "\"perspective\"" + ws(random) + ":" + ws(random) + "\"" + perspective + "\"",
        "\"media\"" + ws(random) + ":" + ws(random) + "\"" + base64 + "\""));
    if (random.nextInt(8) != 0) {
      fields.add("\"sequenceId\"" + ws(random) + ":" + ws(random) + sequence);
    }
    if (random.nextInt(40) == 0) {
      fields.add(fields.get(random.nextInt(fields.size())));
    }
    if (random.nextInt(40) == 0) {
      fields.add("\"extra\":1");
    }
    Collections.shuffle(fields, random);
    StringBuilder json = new StringBuilder(ws(random)).append('{').append(ws(random));
    for (int i = 0; i < fields.size(); i++) {
      json.append(i == 0 ? "" : "," + ws(random)).append(fields.get(i)).append(ws(random));
    }
    return json.append('}').append(ws(random)).toString();
  }

  private static String ws(Random random) {
    if (random.nextInt(3) != 0) {
      return "";
    }
    StringBuilder s = new StringBuilder();
    for (int n = 1 + random.nextInt(3); n > 0; n--) {
      s.append(WHITESPACE.charAt(random.nextInt(WHITESPACE.length())));
    }
    return s.toString();
  }
}
