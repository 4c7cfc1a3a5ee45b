package dev.callstream.core;

import java.util.Map;
import java.util.Objects;

/**
 * What is known about a call when it is admitted, before any event: the transport, the ids the
 * transport's request carried (a WebSocket upgrade's query parameters; a gRPC stream has none, so
 * they are null), and that request's parameters as received with secrets removed (WebSocket: the
 * decoded query; gRPC: the request metadata minus {@code authorization}).
 *
 * <p>Every typed field is nullable. {@link #parameters()} is never null, in order, unmodifiable.
 *
 * @param transport how the call arrived, never null
 * @param callId call id (UII)
 * @param sessionId session id
 * @param ani caller ANI
 * @param dnis DNIS
 * @param accountId account id
 * @param subaccountId sub-account id
 * @param rcAccountId RingCentral office account id
 * @param agentId agent id
 * @param productType {@code Queue}, {@code Campaign} or {@code Manual}
 * @param productId product (queue or campaign) id
 * @param parameters every request parameter, decoded (first value per key)
 */
public record CallInfo(
    Transport transport,
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
    Map<String, String> parameters) {

  public CallInfo {
    Objects.requireNonNull(transport, "transport");
    parameters = java.util.Collections.unmodifiableMap(
        new java.util.LinkedHashMap<>(Objects.requireNonNull(parameters, "parameters")));
  }

  /** A call info with nothing known but the transport. */
  public static CallInfo empty(Transport transport) {
    return of(transport, Map.of());
  }

  /** A call info with no typed ids and the given parameters. */
  public static CallInfo of(Transport transport, Map<String, String> parameters) {
    return new CallInfo(transport, null, null, null, null, null, null, null, null, null, null, parameters);
  }

  /** Never prints parameter values other than the ids: a request may carry a secret. */
  @Override
  public String toString() {
    return "CallInfo[" + transport.label() + ", callId=" + callId + ", sessionId=" + sessionId
        + ", productType=" + productType + ", productId=" + productId + ", keys=" + parameters.keySet() + "]";
  }
}
