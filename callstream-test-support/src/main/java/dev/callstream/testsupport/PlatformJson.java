package dev.callstream.testsupport;

import java.util.Arrays;
import java.util.Base64;

/**
 * Engage Voice's WebSocket messages (Connected, Start, Media, Stop) as the platform writes them,
 * built by hand so that tests do not depend on the codec's encoder. The metadata values are the
 * vendor sample's.
 */
public final class PlatformJson {
  /** The agent side's perspective. */
  public static final String AGENT = "Participant";
  /** The conference side's perspective. */
  public static final String CONFERENCE = "Conference";

  private PlatformJson() {}

  public static String connected() {
    return "{\"event\":\"Connected\",\"protocol\":\"AgentSession\",\"version\":\"1.0.0\"}";
  }

  /** A Start for {@code callId} with session id 2 (a number, as the platform sends it). */
  public static String start(String callId) {
    return startWithSecret(callId, null);
  }

  /** A Start whose metadata carries {@code "secret"} (none when null). */
  public static String startWithSecret(String callId, String secret) {
    return startJson(quote(callId), "2", secret == null ? "" : ",\"secret\":" + quote(secret));
  }

  /** A Start for {@code callId} with {@code sessionId} as a string. */
  public static String start(String callId, String sessionId) {
    return start(quote(callId), sessionId, "");
  }

  /**
   * A Start; {@code callIdJson} is a JSON value (already quoted when a string), {@code sessionId} is
   * written as a string as it is (not escaped), {@code extraFields} is appended to the metadata object
   * (for example {@code ,"secret":"s"}).
   */
  public static String start(String callIdJson, String sessionId, String extraFields) {
    return startJson(callIdJson, "\"" + sessionId + "\"", extraFields);
  }

  private static String startJson(String callIdJson, String sessionIdJson, String extraFields) {
    return "{\"event\":\"Start\",\"metadata\":{\"callId\":" + callIdJson + ",\"sessionId\":" + sessionIdJson + ","
        + "\"ani\":\"2223334444\",\"dnis\":\"2223335555\",\"accountId\":\"99990000\",\"subaccountId\":\"99990001\","
        + "\"rcAccountId\":\"123456789\",\"agentId\":123,\"productType\":\"Queue\",\"productId\":1234,"
        + "\"contentType\":\"audio/x-mulaw\",\"sampleRateHertz\":8000" + extraFields + "}}";
  }

  /** A Media message; {@code sequenceJson} is a JSON value (the platform sends a string). */
  public static String media(String perspective, Object sequenceJson, byte[] payload) {
    return "{\"event\":\"Media\",\"perspective\":\"" + perspective + "\",\"sequenceId\":" + sequenceJson
        + ",\"media\":\"" + Base64.getEncoder().encodeToString(payload) + "\"}";
  }

  /** A Media message with the sequence id as a string, as the platform sends it. */
  public static String media(String perspective, long sequence, byte[] payload) {
    return media(perspective, "\"" + sequence + "\"", payload);
  }

  /** A Stop without a perspective, lasting 1 s. */
  public static String stop() {
    return stop(1);
  }

  /** A Stop without a perspective. */
  public static String stop(int durationSeconds) {
    return "{\"event\":\"Stop\",\"metadata\":{\"duration\":" + durationSeconds
        + ",\"end_time\":\"2021-01-14T00:00:00Z\"}}";
  }

  /** A Stop of one side. */
  public static String stop(String perspective) {
    return "{\"event\":\"Stop\",\"perspective\":\"" + perspective
        + "\",\"metadata\":{\"duration\":1,\"end_time\":\"2021-01-14T00:00:00Z\"}}";
  }

  /** 160 bytes (20 ms of mu-law) all equal to {@code value}. */
  public static byte[] frame(int value) {
    byte[] payload = new byte[160];
    Arrays.fill(payload, (byte) value);
    return payload;
  }

  /** A JSON string literal for any Java string (quotes, backslashes and control characters escaped). */
  public static String quote(String s) {
    StringBuilder out = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }
}
