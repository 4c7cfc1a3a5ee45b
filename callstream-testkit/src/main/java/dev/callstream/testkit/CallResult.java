package dev.callstream.testkit;

import dev.callstream.core.AudioChannel;
import java.time.Duration;

/**
 * How one played call went.
 *
 * <p>A call is <em>completed</em> when its script ran to the end: everything sent and the close
 * handshake done, or the connection deliberately cut by {@link Fault#ABORT}. It <em>failed</em>
 * when the upgrade was refused ({@link HandshakeFailedException}), the connection could not be
 * made, or it broke or was closed by the server before the script ended.
 *
 * @param index the call's index in its run (0 for a single call)
 * @param callId the call id sent
 * @param sessionId the session id sent
 * @param completed whether the script ran to its end (see above)
 * @param aborted whether the call was cut by {@link Fault#ABORT}
 * @param attempts upgrade requests made (1 to 3)
 * @param failure why the call failed, or null when completed
 * @param agent what the agent side sent
 * @param conference what the conference side sent
 * @param garbageSent malformed messages sent ({@link Fault#GARBAGE})
 * @param closeCode the close code the server answered with, or -1 when no close frame came
 * @param elapsed from the first upgrade request to the end
 */
public record CallResult(
    int index,
    String callId,
    String sessionId,
    boolean completed,
    boolean aborted,
    int attempts,
    Throwable failure,
    ChannelReport agent,
    ChannelReport conference,
    int garbageSent,
    int closeCode,
    Duration elapsed) {

  /** The report of one side. */
  public ChannelReport report(AudioChannel channel) {
    return channel == AudioChannel.AGENT ? agent : conference;
  }

  /** Media messages sent on both sides, duplicates included, garbage excluded. */
  public long mediaSent() {
    return agent.mediaSent() + conference.mediaSent();
  }

  /** Whether the call failed ({@code !completed()}). */
  public boolean failed() {
    return !completed;
  }
}
