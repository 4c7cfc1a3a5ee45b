package dev.callstream.provisioning;

import java.util.Objects;

/**
 * What {@link MediaControlClient#start} knows about a stream start it sent.
 *
 * <ul>
 *   <li>{@link Status#STARTED}: the platform answered 200; the start event is accepted.
 *   <li>{@link Status#UNCERTAIN}: the request went out but no clear answer came back (a timeout, a
 *       connection cut after sending, or a 5xx). The platform may or may not have started the
 *       stream, so the client does <b>not</b> send it again: a duplicate start of the same {@code
 *       streamId} leaves the platform in an ambiguous state. Find out first (did your receiver see
 *       a connection for this {@code streamId}?), then either treat it as started, or start again
 *       with the <em>same</em> {@code streamId} after a backoff, or {@linkplain
 *       MediaControlClient#stop stop} it to be sure. {@link #cause()} says what happened.
 * </ul>
 *
 * <p>A start that certainly did not start anything is not an outcome but an exception from {@code
 * start}: an {@link ApiException} for a 4xx (typed for 400, 403, 404, 409), a {@link
 * TransportException} when the request never left (connection refused, unknown host, TLS
 * handshake failure). Immutable.
 *
 * @param status whether the start is known to be accepted
 * @param streamId the {@code streamId} of the request
 * @param cause null when {@code STARTED}; otherwise the {@link ApiException} (5xx) or {@link
 *     TransportException} that made the outcome uncertain, with no token in its message
 */
public record StreamStartOutcome(Status status, String streamId, ProvisioningException cause) {

  /** Whether the platform accepted the start. */
  public enum Status {
    /** 200: the start event is accepted for publishing. */
    STARTED,
    /** Sent, but whether it was accepted is unknown; never retried automatically. */
    UNCERTAIN
  }

  public StreamStartOutcome {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(streamId, "streamId");
    if ((status == Status.STARTED) != (cause == null)) {
      throw new IllegalArgumentException("cause must be null exactly when STARTED");
    }
  }

  static StreamStartOutcome started(String streamId) {
    return new StreamStartOutcome(Status.STARTED, streamId, null);
  }

  static StreamStartOutcome uncertain(String streamId, ProvisioningException cause) {
    return new StreamStartOutcome(Status.UNCERTAIN, streamId, Objects.requireNonNull(cause));
  }

  /** Whether the platform answered 200. */
  public boolean started() {
    return status == Status.STARTED;
  }

  /** Whether the start may or may not have been accepted; see the class comment for what to do. */
  public boolean uncertain() {
    return status == Status.UNCERTAIN;
  }

  /**
   * Returns this outcome if {@code STARTED}, else throws its {@link #cause()}: for callers that
   * treat an uncertain start as a failure (and then must not start again blindly).
   */
  public StreamStartOutcome orThrow() {
    if (cause != null) {
      throw cause;
    }
    return this;
  }
}
