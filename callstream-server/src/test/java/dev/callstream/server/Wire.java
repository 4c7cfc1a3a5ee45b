package dev.callstream.server;

import java.util.Base64;

/** Platform-shaped JSON messages, written by hand so the tests do not depend on the codec's encoder. */
final class Wire {
  private Wire() {}

  static String connected() {
    return "{\"event\":\"Connected\",\"protocol\":\"AgentSession\",\"version\":\"1.0.0\"}";
  }

  static String start(String callId) {
    return start(callId, null);
  }

  static String start(String callId, String secret) {
    return "{\"event\":\"Start\",\"metadata\":{\"callId\":\"" + callId + "\",\"sessionId\":2,\"ani\":\"2223334444\","
        + "\"dnis\":\"2223335555\",\"accountId\":\"99990000\",\"subaccountId\":\"99990001\","
        + "\"rcAccountId\":\"123456789\",\"agentId\":123,\"productType\":\"Queue\",\"productId\":1234,"
        + "\"contentType\":\"audio/x-mulaw\",\"sampleRateHertz\":8000"
        + (secret == null ? "" : ",\"secret\":\"" + secret + "\"") + "}}";
  }

  static String media(String perspective, long sequence, byte[] payload) {
    return "{\"event\":\"Media\",\"perspective\":\"" + perspective + "\",\"sequenceId\":\"" + sequence
        + "\",\"media\":\"" + Base64.getEncoder().encodeToString(payload) + "\"}";
  }

  static String stop() {
    return "{\"event\":\"Stop\",\"metadata\":{\"duration\":1,\"end_time\":\"2021-01-14T00:00:00Z\"}}";
  }

  /** 160 bytes (20 ms of mu-law) all equal to {@code value}. */
  static byte[] frame(int value) {
    byte[] payload = new byte[160];
    java.util.Arrays.fill(payload, (byte) value);
    return payload;
  }
}
