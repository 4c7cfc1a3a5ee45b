package dev.callstream.core;

import java.util.Map;
import java.util.Objects;

/**
 * What the platform says about a call in the query string of its WebSocket upgrade request.
 *
 * <p>The platform documents the parameters only by description ("Call ID", "Caller ANI", "EV
 * Subaccount ID"...), not by key, so keys are matched ignoring case, spaces, {@code _} and
 * {@code -}: {@code callId}, {@code call_id} and {@code Call ID} all fill {@link #callId()}. Every
 * typed field is nullable; {@link #query()} keeps every parameter as received (first value per key,
 * in order), including the ones not understood.
 *
 * @param callId call id (UII)
 * @param sessionId session id
 * @param ani caller ANI
 * @param dnis DNIS
 * @param accountId Engage Voice account id
 * @param subaccountId Engage Voice sub-account id
 * @param rcAccountId RingCentral office account id
 * @param agentId agent id
 * @param productType {@code Queue}, {@code Campaign} or {@code Manual}
 * @param productId product (queue or campaign) id
 * @param query every query parameter, decoded, unmodifiable, never null
 */
public record CallInfo(
    String callId,
    String sessionId,
    String ani,
    String dnis,
    String accountId,
    String subaccountId,
    String rcAccountId,
    String agentId,
    String productType,
    String productId,
    Map<String, String> query) {

  public CallInfo {
    query = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(Objects.requireNonNull(query, "query")));
  }

  /** A call info with nothing known, for transports that carry no upgrade query. */
  public static CallInfo empty() {
    return fromQueryParameters(Map.of());
  }

  /**
   * Parses a raw (still percent-encoded) query string such as {@code callId=1&Session%20ID=2}.
   * Malformed escapes are kept literally rather than rejected. Null or empty gives {@link #empty()}.
   */
  public static CallInfo fromQuery(String rawQuery) {
    return dev.callstream.core.internal.QueryParser.parse(rawQuery);
  }

  /** Builds the typed view from already-decoded parameters (first value per key). */
  public static CallInfo fromQueryParameters(Map<String, String> parameters) {
    return dev.callstream.core.internal.QueryParser.fromParameters(parameters);
  }

  /** Never prints query values other than the ids: a query may carry a secret. */
  @Override
  public String toString() {
    return "CallInfo[callId=" + callId + ", sessionId=" + sessionId + ", productType=" + productType
        + ", productId=" + productId + ", keys=" + query.keySet() + "]";
  }
}
