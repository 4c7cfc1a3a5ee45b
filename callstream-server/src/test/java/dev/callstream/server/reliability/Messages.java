package dev.callstream.server.reliability;

import java.util.Base64;

/** Platform-shaped JSON written by hand, so these tests do not trust the codec's encoder. */
final class Messages {
  private Messages() {}

  static String connected() {
    return "{\"event\":\"Connected\",\"protocol\":\"AgentSession\",\"version\":\"1.0.0\"}";
  }

  /** A Start; {@code callIdJson} is a JSON value (already quoted when a string). */
  static String start(String callIdJson, String sessionId, String extraFields) {
    return "{\"event\":\"Start\",\"metadata\":{\"callId\":" + callIdJson + ",\"sessionId\":\"" + sessionId + "\","
        + "\"ani\":\"2223334444\",\"dnis\":\"2223335555\",\"accountId\":\"99990000\",\"subaccountId\":\"99990001\","
        + "\"rcAccountId\":\"123456789\",\"agentId\":123,\"productType\":\"Queue\",\"productId\":1234,"
        + "\"contentType\":\"audio/x-mulaw\",\"sampleRateHertz\":8000" + extraFields + "}}";
  }

  static String start(String callId, String sessionId) {
    return start(quote(callId), sessionId, "");
  }

  static String media(String perspective, Object sequenceJson, byte[] payload) {
    return "{\"event\":\"Media\",\"perspective\":\"" + perspective + "\",\"sequenceId\":" + sequenceJson
        + ",\"media\":\"" + Base64.getEncoder().encodeToString(payload) + "\"}";
  }

  static String media(String perspective, long sequence, byte[] payload) {
    return media(perspective, "\"" + sequence + "\"", payload);
  }

  static String stop(String perspective) {
    return "{\"event\":\"Stop\",\"perspective\":\"" + perspective
        + "\",\"metadata\":{\"duration\":1,\"end_time\":\"2021-01-14T00:00:00Z\"}}";
  }

  /** A JSON string literal for any Java string (control characters escaped). */
  static String quote(String s) {
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
