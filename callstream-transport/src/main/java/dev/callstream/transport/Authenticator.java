package dev.callstream.transport;

import dev.callstream.core.CallInfo;
import java.util.Collection;
import java.util.Map;

/**
 * Decides which connection requests become calls (for the WebSocket server: its upgrade requests).
 *
 * <p>{@link #onHandshake} runs on the server's I/O thread for every upgrade request to {@code /}
 * and must be quick and non-blocking (no network, no disk): its answer is
 * <ul>
 *   <li>{@link Decision#ACCEPT}: the call is admitted (if a slot is free, else HTTP 503);
 *   <li>{@link Decision#REJECT}: the upgrade is answered with HTTP 401 (the platform does not retry
 *       4xx);
 *   <li>{@link Decision#VERIFY_AT_START}: the call is admitted but its listener is created only
 *       after {@link #onStart} approved the Start event. Until then up to 4 non-audio events are held;
 *       a Media event before an approved Start, more held events, or a refused Start close the
 *       connection with code 1008 (policy violation) and the listener is never created, so no audio
 *       ever reaches it.
 * </ul>
 * {@link #onStart} runs on the call's dispatch thread, only for calls admitted with
 * {@code VERIFY_AT_START}. A method that throws counts as a refusal (HTTP 500 at handshake, so the
 * platform retries; 1008 at Start).
 *
 * Other transports document how they map the decisions (the gRPC server: REJECT ends the call with
 * {@code UNAUTHENTICATED}).
 *
 * <p>Implementations must be thread-safe and must never log the secrets they check.
 */
public interface Authenticator {

  /** What to do with an upgrade request. */
  enum Decision {
    /** Admit the call. */
    ACCEPT,
    /** Refuse with HTTP 401. */
    REJECT,
    /** Admit the call, then approve or refuse it at its Start event with {@link #onStart}. */
    VERIFY_AT_START
  }

  /** Admits every call. */
  Authenticator NONE = handshake -> Decision.ACCEPT;

  /**
   * Decides at the upgrade request.
   *
   * @param handshake the request's path, query, headers and remote address; never null
   * @return the decision; null counts as {@link Decision#REJECT}
   */
  Decision onHandshake(Handshake handshake);

  /**
   * Approves a call admitted with {@link Decision#VERIFY_AT_START}, once its Start arrives.
   *
   * @param info the call as admitted (secrets removed)
   * @param startMetadata the Start event's metadata as received, secrets included (this is where a
   *     {@code secret} field is checked); unmodifiable, never null
   * @return true to create the call's listener and deliver the stream, false to close with 1008
   */
  default boolean onStart(CallInfo info, Map<String, Object> startMetadata) {
    return true;
  }

  /**
   * Accepts a call that presents one of {@code secrets} (several allow rotation), as the platform's
   * streaming profile {@code secret} or a proxy may send it:
   * <ul>
   *   <li>{@code Authorization: Bearer S} or a query parameter {@code secret=S}: when present, every
   *       presented value must match one of the secrets, else HTTP 401;
   *   <li>when neither is present, a {@code secret} field of the Start metadata: checked when Start
   *       arrives ({@link Decision#VERIFY_AT_START}); missing or wrong closes the call with 1008
   *       before any audio reaches the listener.
   * </ul>
   * Comparison is constant-time: SHA-256 digests of both sides are compared with
   * {@link java.security.MessageDigest#isEqual}, against every configured secret, so neither the
   * length nor which secret matched leaks through timing.
   *
   * @param secrets at least one non-empty secret
   * @throws IllegalArgumentException when {@code secrets} is empty or holds a null or empty value
   */
  static Authenticator secrets(Collection<String> secrets) {
    return new SecretAuthenticator(secrets);
  }
}
