package dev.callstream.server.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callstream.core.AudioChannel;
import dev.callstream.core.audio.AudioFormat;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StreamCodecTest {

  private final StreamCodec codec = new StreamCodec();

  // The documentation's examples, verbatim (trailing comma in Start, // comment in Media and Stop).
  private static final String DOC_CONNECTED = "{ \n"
      + " \"event\": \"Connected\", \n"
      + " \"protocol\": \"AgentSession\", \n"
      + " \"version\": \"1.0.0\" \n"
      + "}";
  private static final String DOC_START = "{ \n"
      + " \"event\": \"Start\", \n"
      + " \"metadata\": {\n"
      + "    \"callId\": \"12345\", \n"
      + "    \"sessionId\": 2, \n"
      + "    \"ani\": \"2223334444\", \n"
      + "    \"dnis\": \"2223334444\", \n"
      + "    \"accountId\": \"99990000\", \n"
      + "    \"subaccountId\": \"99990001\", \n"
      + "    \"rcAccountId\": \"123456789\", \n"
      + "    \"agentId\": 123, \n"
      + "    \"productType\": \"Queue\", \n"
      + "    \"productId\": 1234, \n"
      + "    \"contentType\": \"audio/x-mulaw\", \n"
      + "    \"sampleRateHertz\": 8000, \n"
      + "    }\n"
      + "}";
  private static final String DOC_STOP = "{ \n"
      + "    \"event\": \"Stop\", \n"
      + "    \"metadata\": {\n"
      + "        \"duration\": 120, \n"
      + "        \"end_time\": \"2021-01-14T00:00:00Z\" //RFC-3339 format timestamp \n"
      + "    }\n"
      + "} ";

  private static String mediaJson(String perspective, String sequenceJson, byte[] payload) {
    return "{ \n    \"event\": \"Media\", \n    \"perspective\": \"" + perspective + "\", \n    \"sequenceId\": "
        + sequenceJson + ",   \n    \"media\": \"" + Base64.getEncoder().encodeToString(payload)
        + "\" // media field will contain the binary data for about 20ms of audio.\n}";
  }

  private static byte[] payload(int length) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) (i * 37 + 11);
    }
    return b;
  }

  @Test
  void decodesTheDocumentedConnected() {
    assertThat(codec.decode(DOC_CONNECTED)).isEqualTo(new Connected("AgentSession", "1.0.0"));
  }

  @Test
  void decodesTheDocumentedStartWithItsTrailingCommaAndNumericIds() {
    Start start = (Start) codec.decode(DOC_START);
    assertThat(start.callId()).isEqualTo("12345");
    assertThat(start.sessionId()).isEqualTo("2");
    assertThat(start.ani()).isEqualTo("2223334444");
    assertThat(start.dnis()).isEqualTo("2223334444");
    assertThat(start.accountId()).isEqualTo("99990000");
    assertThat(start.subaccountId()).isEqualTo("99990001");
    assertThat(start.rcAccountId()).isEqualTo("123456789");
    assertThat(start.agentId()).isEqualTo("123");
    assertThat(start.productType()).isEqualTo("Queue");
    assertThat(start.productId()).isEqualTo("1234");
    assertThat(start.contentType()).isEqualTo("audio/x-mulaw");
    assertThat(start.sampleRateHertz()).isEqualTo(8000);
    assertThat(start.audioFormat()).isEqualTo(AudioFormat.MULAW_8K);
    assertThat(start.metadata().keySet()).containsExactly("callId", "sessionId", "ani", "dnis", "accountId",
        "subaccountId", "rcAccountId", "agentId", "productType", "productId", "contentType", "sampleRateHertz");
    assertThat(start.metadata()).containsEntry("sessionId", 2).containsEntry("callId", "12345");
  }

  @Test
  void decodesTheDocumentedMediaWithItsComment() {
    byte[] audio = payload(160);
    Media media = (Media) codec.decode(mediaJson("Participant", "\"1\"", audio));
    assertThat(media.channel()).isEqualTo(AudioChannel.AGENT);
    assertThat(media.sequence()).isEqualTo(1);
    assertThat(media.payload()).containsExactly(audio);
  }

  @Test
  void decodesTheDocumentedStopWithItsComment() {
    Stop stop = (Stop) codec.decode(DOC_STOP);
    assertThat(stop.channel()).isNull();
    assertThat(stop.durationSeconds()).isEqualTo(120L);
    assertThat(stop.endTime()).isEqualTo("2021-01-14T00:00:00Z");
    assertThat(stop.metadata()).containsExactly(Map.entry("duration", 120), Map.entry("end_time", "2021-01-14T00:00:00Z"));
  }

  @Test
  void idsAreKeptAsWrittenWhetherStringsOrNumbers() {
    Start start = (Start) codec.decode("{'event':'Start','metadata':{'callId':12345678901,'sessionId':'007','agentId':2}}");
    assertThat(start.callId()).isEqualTo("12345678901");
    assertThat(start.sessionId()).isEqualTo("007");
    assertThat(start.agentId()).isEqualTo("2");
    assertThat(start.ani()).isNull();
    assertThat(start.sampleRateHertz()).isZero();
    assertThat(start.contentType()).isNull();
  }

  @Test
  void audioContentTypeAndNumericStringRateAreAccepted() {
    Start start = (Start) codec.decode("{\"event\":\"Start\",\"metadata\":{\"audioContentType\":\"audio/x-alaw\",\"sampleRateHertz\":\"16000\"}}");
    assertThat(start.contentType()).isEqualTo("audio/x-alaw");
    assertThat(start.sampleRateHertz()).isEqualTo(16000);
    assertThat(start.audioFormat()).isEqualTo(new AudioFormat(AudioFormat.Encoding.ALAW, 16000));
  }

  @Test
  void startMetadataKeepsUnknownFieldsNestedValuesAndNullsInOrder() {
    Start start = (Start) codec.decode("{\"metadata\":{\"z\":1,\"secret\":\"s\",\"nested\":{\"a\":[1,\"x\",null]},\"n\":null,"
        + "\"callId\":\"c\"},\"event\":\"Start\"}");
    assertThat(start.callId()).isEqualTo("c");
    assertThat(start.metadata().keySet()).containsExactly("z", "secret", "nested", "n", "callId");
    assertThat(start.metadata().get("nested")).isEqualTo(Map.of("a", java.util.Arrays.asList(1, "x", null)));
    assertThat(start.metadata()).containsEntry("n", null);
    assertThat(start.toString()).doesNotContain("\"s\"").doesNotContain("=s,");
  }

  @Test
  void startWithoutMetadataHasNothingKnown() {
    Start start = (Start) codec.decode("{\"event\":\"Start\"}");
    assertThat(start.callId()).isNull();
    assertThat(start.metadata()).isEmpty();
  }

  @Test
  void sequenceIdAsNumberOrStringAndInvalidOnesBecomeNoSequence() {
    assertThat(sequenceOf("7")).isEqualTo(7);
    assertThat(sequenceOf("\"42\"")).isEqualTo(42);
    assertThat(sequenceOf("0")).isEqualTo(0);
    assertThat(sequenceOf("2147483647")).isEqualTo(2147483647L);
    assertThat(sequenceOf("\"2147483647\"")).isEqualTo(2147483647L);
    assertThat(sequenceOf("2147483648")).isEqualTo(Media.NO_SEQUENCE);
    assertThat(sequenceOf("\"2147483648\"")).isEqualTo(Media.NO_SEQUENCE);
    assertThat(sequenceOf("99999999999999999999999")).isEqualTo(Media.NO_SEQUENCE);
    assertThat(sequenceOf("-1")).isEqualTo(Media.NO_SEQUENCE);
    assertThat(sequenceOf("\"-3\"")).isEqualTo(Media.NO_SEQUENCE);
    assertThat(sequenceOf("1.5")).isEqualTo(Media.NO_SEQUENCE);
    assertThat(sequenceOf("\"1.5\"")).isEqualTo(Media.NO_SEQUENCE);
    assertThat(sequenceOf("\"\"")).isEqualTo(Media.NO_SEQUENCE);
    assertThat(sequenceOf("\"abc\"")).isEqualTo(Media.NO_SEQUENCE);
    assertThat(sequenceOf("null")).isEqualTo(Media.NO_SEQUENCE);
    assertThat(sequenceOf("{\"x\":[1,2]}")).isEqualTo(Media.NO_SEQUENCE);
    assertThat(sequenceOf("true")).isEqualTo(Media.NO_SEQUENCE);
    Media noSequence = (Media) codec.decode("{\"event\":\"Media\",\"perspective\":\"Conference\",\"media\":\"AAE=\"}");
    assertThat(noSequence.sequence()).isEqualTo(Media.NO_SEQUENCE);
  }

  private long sequenceOf(String json) {
    return ((Media) codec.decode(mediaJson("Conference", json, new byte[] {1, 2}))).sequence();
  }

  @Test
  void fieldOrderDoesNotMatterAndUnknownFieldsAreIgnored() {
    byte[] audio = payload(160);
    String json = "{\"media\":\"" + Base64.getEncoder().encodeToString(audio) + "\",\"extra\":{\"deep\":[1,{\"x\":2}]},"
        + "\"sequenceId\":9,\"perspective\":\"conference\",\"metadata\":{\"a\":1},\"event\":\"Media\"}";
    assertThat(codec.decode(json)).isEqualTo(new Media(AudioChannel.CONFERENCE, 9, audio));
  }

  @Test
  void unpaddedBase64IsAccepted() {
    Media media = (Media) codec.decode("{\"event\":\"Media\",\"perspective\":\"Participant\",\"sequenceId\":1,\"media\":\"AAEC\"}");
    assertThat(media.payload()).containsExactly(0, 1, 2);
    Media unpadded = (Media) codec.decode("{\"event\":\"Media\",\"perspective\":\"Participant\",\"sequenceId\":1,\"media\":\"AAE\"}");
    assertThat(unpadded.payload()).containsExactly(0, 1);
  }

  @Test
  void unknownEventKeepsTheWholeRawMessage() {
    String json = "{\"event\":\"DTMF\",\"digit\":\"5\",\"media\":\"not base64 !!\",\"metadata\":[1]}";
    assertThat(codec.decode(json)).isEqualTo(new Unknown("DTMF", json));
    byte[] bytes = ("xx" + json + "yy").getBytes(StandardCharsets.UTF_8);
    assertThat(codec.decode(bytes, 2, json.length())).isEqualTo(new Unknown("DTMF", json));
  }

  @Test
  void stopAcceptsStringDurationEndTimeAndAPerspective() {
    Stop stop = (Stop) codec.decode("{\"event\":\"Stop\",\"perspective\":\"Conference\",\"metadata\":{\"duration\":\"95\",\"endTime\":\"t\"}}");
    assertThat(stop.channel()).isEqualTo(AudioChannel.CONFERENCE);
    assertThat(stop.durationSeconds()).isEqualTo(95L);
    assertThat(stop.endTime()).isEqualTo("t");
    Stop inMetadata = (Stop) codec.decode("{\"event\":\"Stop\",\"metadata\":{\"perspective\":\"Participant\",\"duration\":\"n/a\"}}");
    assertThat(inMetadata.channel()).isEqualTo(AudioChannel.AGENT);
    assertThat(inMetadata.durationSeconds()).isNull();
    Stop bare = (Stop) codec.decode("{\"event\":\"Stop\"}");
    assertThat(bare.channel()).isNull();
    assertThat(bare.durationSeconds()).isNull();
    assertThat(bare.endTime()).isNull();
    assertThat(((Stop) codec.decode("{\"event\":\"Stop\",\"metadata\":{\"duration\":12.9}}")).durationSeconds()).isEqualTo(12L);
  }

  @Test
  void byteDecodeEqualsStringDecode() {
    for (String json : List.of(DOC_CONNECTED, DOC_START, DOC_STOP, mediaJson("Participant", "3", payload(160)),
        "{\"event\":\"Other\",\"é\":\"ü\"}")) {
      byte[] utf8 = json.getBytes(StandardCharsets.UTF_8);
      byte[] padded = new byte[utf8.length + 10];
      System.arraycopy(utf8, 0, padded, 4, utf8.length);
      assertThat(codec.decode(padded, 4, utf8.length)).isEqualTo(codec.decode(json));
    }
  }

  @Test
  void roundTripsEveryEvent() {
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("callId", "c\"1\\");
    meta.put("sessionId", 2);
    meta.put("secret", "s");
    meta.put("audioContentType", "audio/x-mulaw");
    meta.put("list", List.of(1, "two"));
    Start start = new Start("c\"1\\", "2", null, null, null, null, null, null, null, null, "audio/x-mulaw", 0, meta);
    Start typedOnly = new Start("c", "s", "a", "d", "ac", "sa", "rc", "ag", "Queue", "p", "audio/x-mulaw", 8000, Map.of());
    List<StreamEvent> events = List.of(
        new Connected("AgentSession", "1.0.0"),
        codec.decode(DOC_START),
        start,
        new Media(AudioChannel.AGENT, 0, payload(160)),
        new Media(AudioChannel.CONFERENCE, Media.MAX_SEQUENCE, payload(3)),
        new Media(AudioChannel.CONFERENCE, Media.NO_SEQUENCE, new byte[0]),
        codec.decode(DOC_STOP),
        new Stop(AudioChannel.AGENT, 7L, "2021-01-14T00:00:00Z", Map.of("duration", 7, "end_time", "2021-01-14T00:00:00Z")),
        new Unknown("Future", "{\"event\":\"Future\",\"x\":1}"));
    for (StreamEvent event : events) {
      assertThat(codec.decode(codec.encode(event))).as(event.toString()).isEqualTo(event);
    }
    Start decodedTyped = (Start) codec.decode(codec.encode(typedOnly));
    assertThat(decodedTyped).usingRecursiveComparison().ignoringFields("metadata").isEqualTo(typedOnly);
    assertThat(decodedTyped.metadata()).containsEntry("callId", "c").containsEntry("sampleRateHertz", 8000);
  }

  @Test
  void encodesThePlatformShapes() {
    assertThat(codec.encode(new Media(AudioChannel.AGENT, 12, new byte[] {0, 1, 2})))
        .isEqualTo("{\"event\":\"Media\",\"perspective\":\"Participant\",\"sequenceId\":\"12\",\"media\":\"AAEC\"}");
    assertThat(codec.encode(new Connected("AgentSession", "1.0.0")))
        .isEqualTo("{\"event\":\"Connected\",\"protocol\":\"AgentSession\",\"version\":\"1.0.0\"}");
    assertThat(codec.encode(new Start("c", "s", null, null, null, null, null, null, null, null, "audio/x-mulaw", 8000, Map.of("x", true))))
        .isEqualTo("{\"event\":\"Start\",\"metadata\":{\"callId\":\"c\",\"sessionId\":\"s\",\"contentType\":\"audio/x-mulaw\","
            + "\"sampleRateHertz\":8000,\"x\":true}}");
    assertThat(codec.encode(new Stop(null, 120L, "2021-01-14T00:00:00Z", Map.of())))
        .isEqualTo("{\"event\":\"Stop\",\"metadata\":{\"duration\":120,\"end_time\":\"2021-01-14T00:00:00Z\"}}");
  }

  @Test
  void payloadBytesAreExactForEveryByteValue() {
    byte[] all = new byte[256];
    for (int i = 0; i < 256; i++) {
      all[i] = (byte) i;
    }
    Media media = (Media) codec.decode(codec.encode(new Media(AudioChannel.CONFERENCE, 5, all)));
    assertThat(media.payload()).containsExactly(all);
  }

  @Test
  void theCallersMapperIsNotModified() throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    StreamCodec own = new StreamCodec(mapper);
    assertThat(own.decode(DOC_START)).isInstanceOf(Start.class);
    assertThatThrownBy(() -> mapper.readTree("{\"a\":1,}")).isInstanceOf(Exception.class);
    ObjectMapper strict = new ObjectMapper().enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    Start start = (Start) new StreamCodec(strict).decode("{\"metadata\":{\"callId\":\"c\"},\"event\":\"Start\"}");
    assertThat(start.callId()).isEqualTo("c");
  }

  @Test
  void malformedMessagesSayWhatWasWrong() {
    String audio = Base64.getEncoder().encodeToString(payload(160));
    assertMalformed("", "empty message");
    assertMalformed("   ", "empty message");
    assertMalformed("not json at all", "not valid JSON");
    assertMalformed("[1,2]", "not a JSON object");
    assertMalformed("\"Media\"", "not a JSON object");
    assertMalformed("{\"event\":\"Media\"", "not valid JSON");
    assertMalformed("{\"event\":\"Connected\"} {}", "trailing content");
    assertMalformed("{\"event\":\"Connected\"} x", "not valid JSON");
    assertMalformed("{\"protocol\":\"x\"}", "no event");
    assertMalformed("{\"event\":5}", "event is not a string");
    assertMalformed("{\"event\":null}", "event is not a string");
    assertMalformed("{\"event\":\"Media\",\"sequenceId\":1,\"media\":\"" + audio + "\"}", "without perspective");
    assertMalformed("{\"event\":\"Media\",\"perspective\":\"Caller\",\"media\":\"" + audio + "\"}", "unknown perspective \"Caller\"");
    assertMalformed("{\"event\":\"Media\",\"perspective\":7,\"media\":\"" + audio + "\"}", "unknown perspective");
    assertMalformed("{\"event\":\"Media\",\"perspective\":\"Participant\",\"sequenceId\":1}", "without media");
    assertMalformed("{\"event\":\"Media\",\"perspective\":\"Participant\",\"media\":12}", "media is not a string");
    assertMalformed("{\"event\":\"Media\",\"perspective\":\"Participant\",\"media\":\"#$%^\"}", "not valid base64");
    assertMalformed("{\"media\":\"AA=A!\",\"event\":\"Media\",\"perspective\":\"Participant\"}", "not valid base64");
    assertMalformed("{\"event\":\"Start\",\"metadata\":\"x\"}", "metadata is not an object");
    assertMalformed("{\"event\":\"Stop\",\"metadata\":[1]}", "metadata is not an object");
  }

  @Test
  void errorMessagesNeverQuoteMoreThanASnippet() {
    String longPerspective = "P".repeat(500);
    MalformedMessageException e = malformed("{\"event\":\"Media\",\"perspective\":\"" + longPerspective + "\",\"media\":\"AA==\"}");
    assertThat(e.getMessage()).doesNotContain("P".repeat(17)).contains("perspective of 500 characters");
    String secret = "SECRETSECRET".repeat(50);
    MalformedMessageException bad = malformed("{\"event\":\"Media\",\"media\":\"" + secret + "\" x}");
    assertThat(bad.getMessage()).doesNotContain(secret.substring(0, 100));
    assertThat(bad.getCause().getMessage()).doesNotContain(secret.substring(0, 100));
  }

  @Test
  void nestingDeeperThan32LevelsIsRefused() {
    // the message object itself is level 1
    String ok = "{\"event\":\"X\",\"a\":" + "[".repeat(31) + "]".repeat(31) + "}";
    assertThat(codec.decode(ok)).isInstanceOf(Unknown.class);
    assertMalformed("{\"event\":\"X\",\"a\":" + "[".repeat(32) + "]".repeat(32) + "}", "nests deeper than 32");
    String deep = "{\"event\":\"X\",\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
    assertMalformed(deep, "nests deeper than 32");
    String deepMetadata = "{\"event\":\"Start\",\"metadata\":" + "{\"a\":".repeat(40) + "1" + "}".repeat(40) + "}";
    assertMalformed(deepMetadata, "nests deeper than 32");
  }

  private void assertMalformed(String json, String expectedMessagePart) {
    assertThat(malformed(json).getMessage()).as(json.length() > 100 ? json.substring(0, 100) : json).contains(expectedMessagePart);
    byte[] utf8 = json.getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> codec.decode(utf8, 0, utf8.length)).isInstanceOf(MalformedMessageException.class)
        .hasMessageContaining(expectedMessagePart);
  }

  private MalformedMessageException malformed(String json) {
    try {
      StreamEvent event = codec.decode(json);
      throw new AssertionError("decoded " + event);
    } catch (MalformedMessageException e) {
      return e;
    }
  }
}
