package dev.callstream.testkit;

import io.grpc.Status;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How one call played by {@link FakeRingCx} went.
 *
 * <p>A call is <em>completed</em> when its script ran to the end and the server answered with status
 * {@code OK}, or when {@link Fault#ABORT} cancelled it on purpose. It <em>failed</em> on any other
 * status (refused credentials, capacity, a server error, an unreachable server) or when the server
 * ended the stream before the script did.
 *
 * @param index the call's index in its run
 * @param dialogId the dialog id sent
 * @param sessionId the session id sent
 * @param completed see above
 * @param aborted whether the call was cancelled by {@link Fault#ABORT}
 * @param status the call's final status code ({@code CANCELLED} after an abort), or null when the
 *     call never got one (the sender was closed)
 * @param statusDescription the status description, or null
 * @param failure why the call failed, or null when completed
 * @param segments what each segment sent, by segment id in script order; {@link ChannelReport}
 *     counts chunks and names them by {@code seq}
 * @param garbageSent malformed events sent ({@link Fault#GARBAGE})
 * @param elapsed from the call's start to its end
 */
public record RingCxCallResult(
    int index,
    String dialogId,
    String sessionId,
    boolean completed,
    boolean aborted,
    Status.Code status,
    String statusDescription,
    Throwable failure,
    Map<String, ChannelReport> segments,
    int garbageSent,
    Duration elapsed) {

  public RingCxCallResult {
    segments = Collections.unmodifiableMap(new LinkedHashMap<>(segments));
  }

  /** The report of one segment, or null when the script had no such segment. */
  public ChannelReport segment(String segmentId) {
    return segments.get(segmentId);
  }

  /** {@code SegmentMedia} events sent for every segment, duplicates included, garbage excluded. */
  public long mediaSent() {
    long sent = 0;
    for (ChannelReport report : segments.values()) {
      sent += report.mediaSent();
    }
    return sent;
  }

  /** Whether the call failed ({@code !completed()}). */
  public boolean failed() {
    return !completed;
  }
}
