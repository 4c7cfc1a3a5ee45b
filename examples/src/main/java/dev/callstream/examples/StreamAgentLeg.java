package dev.callstream.examples;

import dev.callstream.provisioning.MediaControlClient;
import dev.callstream.provisioning.ProvisioningException;
import dev.callstream.provisioning.StartStreamRequest;
import dev.callstream.provisioning.StreamScope;
import dev.callstream.provisioning.StreamStartOutcome;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;

/**
 * Streams only the agent's leg of a live call with the {@link MediaControlClient}: starts a
 * segment-level stream to your receiver, lets it run, then stops it (for example before the
 * caller reads out a card number).
 *
 * <p>Arguments: {@code <rcAccountId> <subAccountId> <dialogId> <agentSegmentId> <wss://receiver/path>
 * [seconds]} (default 30 s of streaming). Environment: {@code RINGCX_TOKEN} (a RingCX access
 * token, required), {@code RINGCX_BASE_URL} (default {@value MediaControlClient#DEFAULT_BASE_URL})
 * and {@code RECEIVER_TOKEN} (optional: passed to your receiver with the stream).
 */
public final class StreamAgentLeg {

  private StreamAgentLeg() {}

  public static void main(String[] args) throws InterruptedException {
    Duration streamFor = Duration.ofSeconds(args.length > 5 ? Long.parseLong(args[5]) : 30);
    try {
      run(args, System.getenv(), System.out, () -> sleep(streamFor));
    } catch (ProvisioningException | IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage()); // messages never contain a token
      System.exit(1);
    }
  }

  /**
   * Starts the agent leg's stream, runs {@code whileStreaming}, stops the stream. Returns false
   * (and stops nothing) when the start's outcome is uncertain.
   */
  public static boolean run(String[] args, Map<String, String> env, PrintStream out, Runnable whileStreaming) {
    if (args.length < 5) {
      throw new IllegalArgumentException("usage: StreamAgentLeg <rcAccountId> <subAccountId> <dialogId>"
          + " <agentSegmentId> <wss://receiver/path> [seconds]");
    }
    String token = env.get("RINGCX_TOKEN");
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("set RINGCX_TOKEN to a RingCX access token");
    }
    MediaControlClient media = MediaControlClient.builder()
        .baseUrl(env.getOrDefault("RINGCX_BASE_URL", MediaControlClient.DEFAULT_BASE_URL))
        .token(token) // or .rcAccessToken(ringCentralToken)
        .build();

    StreamScope agentLeg = StreamScope.segment(args[0], args[1], args[2], args[3]);
    // The same keys always give the same id: a restarted worker can still stop this stream.
    String streamId = MediaControlClient.streamId("agent-leg", args[2], args[3]);
    StreamStartOutcome outcome = media.start(agentLeg, StartStreamRequest.builder()
        .url(args[4]).streamId(streamId).receiverToken(env.get("RECEIVER_TOKEN"))
        .encoding("PCMU").rate(8000).ptime(20)
        .build());
    if (outcome.uncertain()) {
      // Not retried on purpose: a second start of the same streamId would be ambiguous.
      out.println("uncertain: " + streamId + " may have started (" + outcome.cause().getMessage()
          + "); check the receiver before starting it again");
      return false;
    }
    out.println("started: " + streamId);
    whileStreaming.run();
    media.stop(agentLeg, streamId);
    out.println("stopped: " + streamId);
    return true;
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // stop early
    }
  }
}
