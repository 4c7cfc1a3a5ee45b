package dev.callstream.provisioning;

/**
 * What a media-control request acts on: a whole dialog (every participant of an interaction) or
 * one segment of it (one participant leg, for example the agent of a transferred call).
 *
 * <p>The identifiers come from the interaction workflow that decides to start streaming; they are
 * sent as URL path segments (encoded), so none may be blank, {@code .} or {@code ..}. Immutable.
 *
 * @param rcAccountId RingCentral account id; never blank
 * @param subAccountId RingCX sub-account id that owns the dialog; never blank
 * @param dialogId the interaction; never blank
 * @param segmentId the participant leg, or null for the whole dialog
 */
public record StreamScope(
    String rcAccountId, String subAccountId, String dialogId, String segmentId) {

  /**
   * @throws IllegalArgumentException naming the first missing, blank, {@code .} or {@code ..}
   *     identifier
   */
  public StreamScope {
    requireId("rcAccountId", rcAccountId);
    requireId("subAccountId", subAccountId);
    requireId("dialogId", dialogId);
    if (segmentId != null) {
      requireId("segmentId", segmentId);
    }
  }

  /** The whole dialog. */
  public static StreamScope dialog(String rcAccountId, String subAccountId, String dialogId) {
    return new StreamScope(rcAccountId, subAccountId, dialogId, null);
  }

  /** One segment (participant leg) of a dialog. */
  public static StreamScope segment(
      String rcAccountId, String subAccountId, String dialogId, String segmentId) {
    requireId("segmentId", segmentId);
    return new StreamScope(rcAccountId, subAccountId, dialogId, segmentId);
  }

  /** Whether this is a segment rather than a whole dialog. */
  public boolean isSegment() {
    return segmentId != null;
  }

  static void requireId(String name, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " is required");
    }
    // A path segment "." or ".." would be resolved away and address another resource.
    if (value.equals(".") || value.equals("..")) {
      throw new IllegalArgumentException(name + " must not be \"" + value + "\"");
    }
  }
}
