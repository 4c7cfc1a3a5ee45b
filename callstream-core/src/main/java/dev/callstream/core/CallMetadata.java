package dev.callstream.core;

import java.util.Map;
import java.util.Objects;

/**
 * What the platform says about a call when its stream starts: the WebSocket {@code Start} message
 * (falling back to the upgrade query's ids), or the gRPC {@code DialogInit} (dialog id as
 * {@code callId}, the stream's {@code session_id} as {@code sessionId}). Ids are kept as strings
 * exactly as sent. Every field is nullable except {@code attributes}.
 *
 * @param callId the call (WebSocket UII, gRPC dialog id)
 * @param sessionId the session within the call
 * @param accountId account id
 * @param subaccountId sub-account id
 * @param rcAccountId RingCentral office account id
 * @param agentId agent id
 * @param productType {@code Queue}, {@code Campaign}, {@code Manual}...
 * @param productId queue or campaign id
 * @param dialogType the dialog's type (gRPC: inbound, outbound...)
 * @param ani caller's number
 * @param dnis dialled number
 * @param language the dialog's language
 * @param attributes other string attributes (gRPC dialog attributes), in order, unmodifiable, never null
 */
public record CallMetadata(
    String callId,
    String sessionId,
    String accountId,
    String subaccountId,
    String rcAccountId,
    String agentId,
    String productType,
    String productId,
    String dialogType,
    String ani,
    String dnis,
    String language,
    Map<String, String> attributes) {

  public CallMetadata {
    attributes = java.util.Collections.unmodifiableMap(
        new java.util.LinkedHashMap<>(Objects.requireNonNull(attributes, "attributes")));
  }

  /** Never prints attribute values: they may be personal data. */
  @Override
  public String toString() {
    return "CallMetadata[callId=" + callId + ", sessionId=" + sessionId + ", productType=" + productType
        + ", dialogType=" + dialogType + ", attributes=" + attributes.keySet() + "]";
  }
}
