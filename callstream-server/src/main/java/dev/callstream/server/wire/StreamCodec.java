package dev.callstream.server.wire;

import com.fasterxml.jackson.core.ErrorReportConfiguration;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.callstream.core.AudioChannel;
import dev.callstream.core.CallStreamException;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Converts between the platform's JSON text messages and {@link StreamEvent}s, both ways.
 *
 * <p>Decoding is tolerant where the real platform varies: ids as strings or numbers,
 * {@code contentType} or {@code audioContentType}, {@code sequenceId} as string or number, trailing
 * commas and comments (the platform's own documented example has both), unknown fields ignored,
 * unknown events kept as {@link Unknown}. Anything that cannot be understood raises
 * {@link MalformedMessageException} saying what was wrong, never a Jackson exception or an NPE.
 * Messages nested deeper than {@link #MAX_NESTING_DEPTH} levels are refused. Message size is not
 * limited here: bound it in the transport.
 *
 * <p>Media decoding is on the hot path (about 100 messages a second per call): a Media message in the
 * platform's flat shape is read without a parser, straight from the text or bytes, and allocates only
 * the event and its payload; any other message goes through Jackson, with the same result.
 *
 * <p>Instances are immutable and thread-safe; share one.
 */
public final class StreamCodec {

  /** Deepest JSON nesting accepted (the platform's messages nest two levels). */
  public static final int MAX_NESTING_DEPTH = 32;

  private static final int MAX_QUOTED_CHARS = 64;

  private static final byte[] MEDIA_PREFIX = "{\"event\":\"Media\",\"perspective\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] MEDIA_SEQUENCE = "\",\"sequenceId\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] MEDIA_PAYLOAD = "\",\"media\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] MEDIA_SUFFIX = "\"}".getBytes(StandardCharsets.US_ASCII);

  private final ObjectMapper mapper;
  private final JsonFactory factory;
  private final ObjectReader treeReader;
  private final MediaFastPath mediaFastPath;

  /** A codec with its own tolerant Jackson configuration. */
  public StreamCodec() {
    this(new ObjectMapper());
  }

  /**
   * A codec that uses the given {@code ObjectMapper} for the metadata maps and for encoding. The
   * mapper is not modified; tolerant parsing features are applied to the codec's own parsers. Not
   * public: no Jackson type is in our API (the JSON mapping is ours, and Jackson 3 moves packages).
   */
  StreamCodec(ObjectMapper mapper) {
    this.mapper = Objects.requireNonNull(mapper, "mapper");
    JsonFactory base = mapper.getFactory();
    this.factory = new JsonFactoryBuilder(base)
        .enable(JsonReadFeature.ALLOW_TRAILING_COMMA, JsonReadFeature.ALLOW_JAVA_COMMENTS, JsonReadFeature.ALLOW_SINGLE_QUOTES)
        .streamReadConstraints(base.streamReadConstraints().rebuild().maxNestingDepth(MAX_NESTING_DEPTH).build())
        // Jackson's own messages (our causes, logged with stack traces) must not quote the message:
        // an unrecognized token may be a broken media value, i.e. call audio
        .errorReportConfiguration(ErrorReportConfiguration.builder().maxErrorTokenLength(0).maxRawContentLength(0).build())
        .build();
    // metadata is read in the middle of a message: trailing tokens are the rest of the message
    this.treeReader = mapper.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    this.mediaFastPath = new MediaFastPath(factory);
  }

  /** Decodes one text message. */
  public StreamEvent decode(String message) {
    Objects.requireNonNull(message, "message");
    Media media = mediaFastPath.decode(message);
    return media != null ? media : decode(message, null, 0, 0);
  }

  /** Decodes one message given as UTF-8 bytes; accepts and rejects exactly what {@link #decode(String)} does. */
  public StreamEvent decode(byte[] utf8, int offset, int length) {
    Objects.requireNonNull(utf8, "utf8");
    Objects.checkFromIndexSize(offset, length, utf8.length);
    Media media = mediaFastPath.decode(utf8, offset, length);
    return media != null ? media : decode(null, utf8, offset, length);
  }

  /** {@link #decode(String)} through Jackson only: the reference the Media fast path is tested against. */
  StreamEvent decodeWithJackson(String message) {
    Objects.requireNonNull(message, "message");
    return decode(message, null, 0, 0);
  }

  /** {@link #decode(byte[], int, int)} through Jackson only: the reference the Media fast path is tested against. */
  StreamEvent decodeWithJackson(byte[] utf8, int offset, int length) {
    Objects.requireNonNull(utf8, "utf8");
    Objects.checkFromIndexSize(offset, length, utf8.length);
    return decode(null, utf8, offset, length);
  }

  private StreamEvent decode(String text, byte[] utf8, int offset, int length) {
    try (JsonParser parser = text != null ? factory.createParser(text) : factory.createParser(utf8, offset, length)) {
      return read(parser, text, utf8, offset, length);
    } catch (MalformedMessageException e) {
      throw e;
    } catch (StreamConstraintsException e) {
      throw new MalformedMessageException("message nests deeper than " + MAX_NESTING_DEPTH + " levels or exceeds a parser limit", e);
    } catch (JsonProcessingException e) {
      throw new MalformedMessageException("not valid JSON at " + location(e) + ": " + withoutQuotes(e.getOriginalMessage()), e);
    } catch (IOException | RuntimeException e) {
      throw new MalformedMessageException("could not decode message: " + e.getClass().getSimpleName(), e);
    }
  }

  private StreamEvent read(JsonParser p, String text, byte[] utf8, int offset, int length) throws IOException {
    JsonToken first = p.nextToken();
    if (first == null) {
      throw new MalformedMessageException("empty message");
    }
    if (first != JsonToken.START_OBJECT) {
      throw new MalformedMessageException("message is not a JSON object but " + describe(first));
    }
    String event = null;
    String eventProblem = null;
    boolean perspectiveSeen = false;
    AudioChannel channel = null;
    String unknownPerspective = null;
    long sequence = Media.NO_SEQUENCE;
    byte[] media = null;
    String mediaProblem = null;
    JsonNode metadata = null;
    String metadataProblem = null;
    String protocol = null;
    String version = null;
    for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
      JsonToken value = p.nextToken();
      switch (name) {
        case "event":
          if (value == JsonToken.VALUE_STRING) {
            event = p.getText();
            eventProblem = null;
          } else {
            eventProblem = "event is not a string but " + describe(value);
            p.skipChildren();
          }
          break;
        case "perspective":
          perspectiveSeen = true;
          channel = null;
          if (value == JsonToken.VALUE_STRING) {
            channel = perspective(p);
            unknownPerspective = channel == null ? describePerspective(p.getText()) : null;
          } else {
            unknownPerspective = describe(value);
            p.skipChildren();
          }
          break;
        case "sequenceId":
          sequence = sequence(p, value);
          break;
        case "media":
          media = null;
          mediaProblem = null;
          if (value != JsonToken.VALUE_STRING) {
            mediaProblem = "media is not a string but " + describe(value);
            p.skipChildren();
          } else {
            // The string's value (JSON escapes resolved) decoded strictly, whatever the input form:
            // Jackson's own base64 reading skips control characters and differs between its text
            // and byte parsers.
            media = StrictBase64.decode(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
            if (media == null) {
              mediaProblem = "media is not valid base64";
            }
          }
          break;
        case "metadata":
          metadata = null;
          metadataProblem = null;
          if (value == JsonToken.START_OBJECT) {
            if (Media.EVENT.equals(event)) {
              p.skipChildren(); // Media needs no metadata: build no tree on the hot path
            } else {
              metadata = treeReader.readTree(p);
            }
          } else if (value != JsonToken.VALUE_NULL) {
            metadataProblem = "metadata is not an object but " + describe(value);
            p.skipChildren();
          }
          break;
        case "protocol":
          protocol = scalarText(p, value);
          break;
        case "version":
          version = scalarText(p, value);
          break;
        default:
          p.skipChildren();
      }
    }
    if (p.currentToken() != JsonToken.END_OBJECT) {
      throw new MalformedMessageException("message is not a complete JSON object");
    }
    if (p.nextToken() != null) {
      throw new MalformedMessageException("trailing content after the JSON object");
    }
    if (eventProblem != null) {
      throw new MalformedMessageException(eventProblem);
    }
    if (event == null) {
      throw new MalformedMessageException("message has no event field");
    }
    switch (event) {
      case Media.EVENT:
        if (!perspectiveSeen) {
          throw new MalformedMessageException("Media message without perspective");
        }
        if (channel == null) {
          throw new MalformedMessageException("Media message with unknown perspective " + unknownPerspective);
        }
        if (mediaProblem != null) {
          throw new MalformedMessageException("Media message " + mediaProblem);
        }
        if (media == null) {
          throw new MalformedMessageException("Media message without media");
        }
        return new Media(channel, sequence, media);
      case Start.EVENT:
        if (metadataProblem != null) {
          throw new MalformedMessageException("Start message " + metadataProblem);
        }
        return start(metadata);
      case Stop.EVENT:
        if (metadataProblem != null) {
          throw new MalformedMessageException("Stop message " + metadataProblem);
        }
        return stop(channel, metadata);
      case Connected.EVENT:
        return new Connected(protocol, version);
      default:
        return new Unknown(event, text != null ? text : new String(utf8, offset, length, StandardCharsets.UTF_8));
    }
  }

  /** Matches the perspective without allocating a String for the two known values. */
  private static AudioChannel perspective(JsonParser p) throws IOException {
    char[] chars = p.getTextCharacters();
    int start = p.getTextOffset();
    int len = p.getTextLength();
    if (regionMatchesIgnoreCase(chars, start, len, "Participant")) {
      return AudioChannel.AGENT;
    }
    if (regionMatchesIgnoreCase(chars, start, len, "Conference")) {
      return AudioChannel.CONFERENCE;
    }
    return null;
  }

  private static boolean regionMatchesIgnoreCase(char[] chars, int start, int len, String expected) {
    if (len != expected.length()) {
      return false;
    }
    for (int i = 0; i < len; i++) {
      char c = chars[start + i];
      char e = expected.charAt(i);
      if (c != e && Character.toLowerCase(c) != Character.toLowerCase(e)) {
        return false;
      }
    }
    return true;
  }

  /** A sequence id: a non-negative integer up to 2^31-1, as a number or a string of digits; else NO_SEQUENCE. */
  private static long sequence(JsonParser p, JsonToken value) throws IOException {
    if (value == JsonToken.VALUE_NUMBER_INT) {
      JsonParser.NumberType type = p.getNumberType();
      if (type == JsonParser.NumberType.INT || type == JsonParser.NumberType.LONG) {
        long v = p.getLongValue();
        return v >= 0 && v <= Media.MAX_SEQUENCE ? v : Media.NO_SEQUENCE;
      }
      return Media.NO_SEQUENCE;
    }
    if (value == JsonToken.VALUE_STRING) {
      char[] chars = p.getTextCharacters();
      int start = p.getTextOffset();
      int len = p.getTextLength();
      if (len == 0 || len > 10) {
        return Media.NO_SEQUENCE;
      }
      long v = 0;
      for (int i = 0; i < len; i++) {
        char c = chars[start + i];
        if (c < '0' || c > '9') {
          return Media.NO_SEQUENCE;
        }
        v = v * 10 + (c - '0');
      }
      return v <= Media.MAX_SEQUENCE ? v : Media.NO_SEQUENCE;
    }
    p.skipChildren();
    return Media.NO_SEQUENCE;
  }

  private static String scalarText(JsonParser p, JsonToken value) throws IOException {
    if (value != null && value.isScalarValue() && value != JsonToken.VALUE_NULL) {
      return p.getText();
    }
    p.skipChildren();
    return null;
  }

  private static Start start(JsonNode metadata) {
    JsonNode m = metadata == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : metadata;
    String contentType = text(m.get("contentType"));
    if (contentType == null) {
      contentType = text(m.get("audioContentType"));
    }
    return new Start(
        text(m.get("callId")),
        text(m.get("sessionId")),
        text(m.get("ani")),
        text(m.get("dnis")),
        text(m.get("accountId")),
        text(m.get("subaccountId")),
        text(m.get("rcAccountId")),
        text(m.get("agentId")),
        text(m.get("productType")),
        text(m.get("productId")),
        contentType,
        sampleRate(m.get("sampleRateHertz")),
        toMap(metadata));
  }

  private static Stop stop(AudioChannel topLevelChannel, JsonNode metadata) {
    JsonNode m = metadata == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : metadata;
    AudioChannel channel = topLevelChannel != null ? topLevelChannel : Perspective.side(text(m.get("perspective")));
    String endTime = text(m.get("end_time"));
    if (endTime == null) {
      endTime = text(m.get("endTime"));
    }
    return new Stop(channel, duration(m.get("duration")), endTime, toMap(metadata));
  }

  /** Ids are kept as written: strings as they are, numbers as their JSON text. */
  private static String text(JsonNode node) {
    if (node == null || !node.isValueNode() || node.isNull()) {
      return null;
    }
    return node.isTextual() ? node.textValue() : node.asText();
  }

  private static int sampleRate(JsonNode node) {
    long rate = wholeNumber(node);
    return rate > 0 && rate <= Integer.MAX_VALUE ? (int) rate : 0;
  }

  private static Long duration(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isNumber()) {
      return node.canConvertToLong() ? node.longValue() : null;
    }
    if (node.isTextual()) {
      String s = node.textValue().trim();
      try {
        return Long.parseLong(s);
      } catch (NumberFormatException notLong) {
        try {
          double d = Double.parseDouble(s);
          return Double.isFinite(d) && Math.abs(d) < 9.0e18 ? (long) d : null;
        } catch (NumberFormatException notNumber) {
          return null;
        }
      }
    }
    return null;
  }

  /** A whole number from a number or numeric string, or -1. */
  private static long wholeNumber(JsonNode node) {
    if (node == null) {
      return -1;
    }
    if (node.isIntegralNumber() && node.canConvertToLong()) {
      return node.longValue();
    }
    if (node.isNumber()) {
      double d = node.doubleValue();
      return d == Math.rint(d) && d >= 0 && d < 9.0e18 ? (long) d : -1;
    }
    if (node.isTextual()) {
      try {
        return Long.parseLong(node.textValue().trim());
      } catch (NumberFormatException e) {
        return -1;
      }
    }
    return -1;
  }

  /** The metadata object as plain Java values, in order, nulls kept. */
  private static Map<String, Object> toMap(JsonNode metadata) {
    if (metadata == null || !metadata.isObject()) {
      return Map.of();
    }
    Map<String, Object> map = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> field : metadata.properties()) {
      map.put(field.getKey(), toJava(field.getValue()));
    }
    return Collections.unmodifiableMap(map);
  }

  private static Object toJava(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return null;
    }
    if (node.isObject()) {
      return toMap(node);
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>(node.size());
      for (JsonNode element : node) {
        list.add(toJava(element));
      }
      return Collections.unmodifiableList(list);
    }
    if (node.isTextual()) {
      return node.textValue();
    }
    if (node.isNumber()) {
      return node.numberValue();
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    return node.asText();
  }

  /**
   * Encodes an event the way the platform sends it: Connected, Start (metadata with the typed fields
   * and the rest of {@code metadata}), Media ({@code perspective}, {@code sequenceId} as a string,
   * {@code media} base64), Stop, or an Unknown's raw JSON.
   *
   * <p>A typed field that is also present in {@code metadata} is written with the metadata's value
   * (so a number stays a number), which makes {@code decode(encode(e))} equal to {@code e} for every
   * decoded event.
   */
  public String encode(StreamEvent event) {
    Objects.requireNonNull(event, "event");
    if (event instanceof Media media) {
      return encodeMedia(media);
    }
    if (event instanceof Unknown unknown) {
      return unknown.json();
    }
    StringWriter out = new StringWriter(256);
    try (JsonGenerator gen = mapper.createGenerator(out)) {
      gen.writeStartObject();
      gen.writeStringField("event", event.eventName());
      if (event instanceof Connected connected) {
        if (connected.protocol() != null) {
          gen.writeStringField("protocol", connected.protocol());
        }
        if (connected.version() != null) {
          gen.writeStringField("version", connected.version());
        }
      } else if (event instanceof Start start) {
        writeStart(gen, start);
      } else if (event instanceof Stop stop) {
        writeStop(gen, stop);
      }
      gen.writeEndObject();
    } catch (IOException | RuntimeException e) {
      throw new CallStreamException("could not encode " + event.eventName() + ": " + e.getClass().getSimpleName(), e);
    }
    return out.toString();
  }

  private static void writeStart(JsonGenerator gen, Start start) throws IOException {
    Map<String, Object> metadata = start.metadata();
    Set<String> written = new HashSet<>();
    gen.writeObjectFieldStart("metadata");
    writeTyped(gen, metadata, written, "callId", start.callId());
    writeTyped(gen, metadata, written, "sessionId", start.sessionId());
    writeTyped(gen, metadata, written, "ani", start.ani());
    writeTyped(gen, metadata, written, "dnis", start.dnis());
    writeTyped(gen, metadata, written, "accountId", start.accountId());
    writeTyped(gen, metadata, written, "subaccountId", start.subaccountId());
    writeTyped(gen, metadata, written, "rcAccountId", start.rcAccountId());
    writeTyped(gen, metadata, written, "agentId", start.agentId());
    writeTyped(gen, metadata, written, "productType", start.productType());
    writeTyped(gen, metadata, written, "productId", start.productId());
    if (metadata.containsKey("contentType") || !metadata.containsKey("audioContentType")) {
      writeTyped(gen, metadata, written, "contentType", start.contentType());
    }
    if (metadata.containsKey("sampleRateHertz")) {
      writeTyped(gen, metadata, written, "sampleRateHertz", null);
    } else if (start.sampleRateHertz() > 0) {
      gen.writeNumberField("sampleRateHertz", start.sampleRateHertz());
    }
    writeRest(gen, metadata, written);
    gen.writeEndObject();
  }

  private static void writeStop(JsonGenerator gen, Stop stop) throws IOException {
    Map<String, Object> metadata = stop.metadata();
    if (stop.channel() != null && !metadata.containsKey("perspective")) {
      gen.writeStringField("perspective", Perspective.of(stop.channel()));
    }
    Set<String> written = new HashSet<>();
    gen.writeObjectFieldStart("metadata");
    if (metadata.containsKey("duration")) {
      writeTyped(gen, metadata, written, "duration", null);
    } else if (stop.durationSeconds() != null) {
      gen.writeNumberField("duration", stop.durationSeconds());
    }
    if (metadata.containsKey("end_time") || !metadata.containsKey("endTime")) {
      writeTyped(gen, metadata, written, "end_time", stop.endTime());
    }
    writeRest(gen, metadata, written);
    gen.writeEndObject();
  }

  private static void writeTyped(JsonGenerator gen, Map<String, Object> metadata, Set<String> written, String key, String typed)
      throws IOException {
    if (metadata.containsKey(key)) {
      gen.writeFieldName(key);
      gen.writeObject(metadata.get(key));
      written.add(key);
    } else if (typed != null) {
      gen.writeStringField(key, typed);
      written.add(key);
    }
  }

  private static void writeRest(JsonGenerator gen, Map<String, Object> metadata, Set<String> written) throws IOException {
    for (Map.Entry<String, Object> entry : metadata.entrySet()) {
      if (!written.contains(entry.getKey())) {
        gen.writeFieldName(entry.getKey());
        gen.writeObject(entry.getValue());
      }
    }
  }

  /** Media is encoded by hand: the load generator sends 100k of them a second. */
  private static String encodeMedia(Media media) {
    byte[] b64 = Base64.getEncoder().encode(media.payload());
    String perspective = Perspective.of(media.channel()); // ASCII constant, nothing to escape
    long sequence = media.sequence();
    byte[] buf = new byte[MEDIA_PREFIX.length + perspective.length() + MEDIA_SEQUENCE.length + 10
        + MEDIA_PAYLOAD.length + b64.length + MEDIA_SUFFIX.length];
    int n = put(buf, 0, MEDIA_PREFIX);
    for (int i = 0; i < perspective.length(); i++) {
      buf[n++] = (byte) perspective.charAt(i);
    }
    if (sequence != Media.NO_SEQUENCE) {
      n = put(buf, n, MEDIA_SEQUENCE);
      n = putDigits(buf, n, sequence);
    }
    n = put(buf, n, MEDIA_PAYLOAD);
    n = put(buf, n, b64);
    n = put(buf, n, MEDIA_SUFFIX);
    return new String(buf, 0, n, StandardCharsets.ISO_8859_1);
  }

  private static int put(byte[] buf, int at, byte[] bytes) {
    System.arraycopy(bytes, 0, buf, at, bytes.length);
    return at + bytes.length;
  }

  private static int putDigits(byte[] buf, int at, long value) {
    int digits = 1;
    for (long v = value; v >= 10; v /= 10) {
      digits++;
    }
    long v = value;
    for (int i = at + digits - 1; i >= at; i--) {
      buf[i] = (byte) ('0' + (v % 10));
      v /= 10;
    }
    return at + digits;
  }

  private static String describe(JsonToken token) {
    if (token == null) {
      return "nothing";
    }
    switch (token) {
      case START_OBJECT:
        return "an object";
      case START_ARRAY:
        return "an array";
      case VALUE_STRING:
        return "a string";
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return "a number";
      case VALUE_TRUE:
      case VALUE_FALSE:
        return "a boolean";
      case VALUE_NULL:
        return "null";
      default:
        return token.name();
    }
  }

  private static String location(JsonProcessingException e) {
    if (e.getLocation() == null) {
      return "unknown position";
    }
    return "line " + e.getLocation().getLineNr() + " column " + e.getLocation().getColumnNr();
  }

  /**
   * Jackson's description of a syntax error without the text it quotes ({@code 'token'}): the
   * offending token may be part of a broken {@code media} value, and audio never goes into an error.
   */
  static String withoutQuotes(String jacksonMessage) {
    if (jacksonMessage == null) {
      return "";
    }
    return truncate(jacksonMessage.replaceAll("'[^']*'?", "'...'").replaceAll("\\s+", " "));
  }

  /**
   * A wrong perspective is quoted only when it looks like a name (a short word): anything else may be
   * audio or control characters aimed at the log, and is described by its length.
   */
  private static String describePerspective(String perspective) {
    return perspective.matches("[A-Za-z]{1,16}") ? "\"" + perspective + "\"" : "of " + perspective.length() + " characters";
  }

  /** Quoted text from a message is cut so that an error never carries much of a peer's payload. */
  static String truncate(String s) {
    if (s == null) {
      return "";
    }
    return s.length() <= MAX_QUOTED_CHARS ? s : s.substring(0, MAX_QUOTED_CHARS) + "...";
  }

}
