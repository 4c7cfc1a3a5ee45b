package dev.callstream.examples;

import dev.callstream.provisioning.ProductType;
import dev.callstream.provisioning.ProvisioningException;
import dev.callstream.provisioning.StreamingProfile;
import dev.callstream.provisioning.StreamingProfileClient;
import java.io.PrintStream;
import java.util.Map;

/**
 * Creates, reads back and deletes the streaming profile of a queue with the
 * {@link StreamingProfileClient}: the profile tells RingCX where to stream the queue's calls.
 *
 * <p>Arguments: {@code <subAccountId> <mainAccountId> <rcAccountId> <queueId> <wss://host[:port]>}.
 * Environment: {@code RINGCX_TOKEN} (a RingCX access token, required), {@code RINGCX_BASE_URL}
 * (default {@value StreamingProfileClient#DEFAULT_BASE_URL}) and {@code STREAM_SECRET} (optional: the
 * secret the platform will present to your server, checked there by {@code Authenticator.secrets}).
 */
public final class ProvisionProfile {

  private ProvisionProfile() {}

  public static void main(String[] args) {
    try {
      run(args, System.getenv(), System.out);
    } catch (ProvisioningException | IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage()); // messages never contain the token or secret
      System.exit(1);
    }
  }

  /** Runs the example with the given arguments and environment, printing each step to {@code out}. */
  public static void run(String[] args, Map<String, String> env, PrintStream out) {
    if (args.length != 5) {
      throw new IllegalArgumentException(
          "usage: ProvisionProfile <subAccountId> <mainAccountId> <rcAccountId> <queueId> <wss://host[:port]>");
    }
    String token = env.get("RINGCX_TOKEN");
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("set RINGCX_TOKEN to a RingCX access token");
    }
    StreamingProfileClient client = StreamingProfileClient.builder()
        .baseUrl(env.getOrDefault("RINGCX_BASE_URL", StreamingProfileClient.DEFAULT_BASE_URL))
        .token(token) // or .rcAccessToken(ringCentralToken): exchanged for RingCX tokens and renewed
        .build();

    StreamingProfile profile = StreamingProfile.builder()
        .subAccountId(args[0]).mainAccountId(args[1]).rcAccountId(args[2])
        .productType(ProductType.QUEUE).productId(Integer.parseInt(args[3]))
        .streamingUrl(args[4])
        .secret(env.get("STREAM_SECRET"))
        .build();

    out.println("created: " + client.create(profile)); // a profile prints its secret as ***
    out.println("read:    " + client.get(profile.subAccountId(), ProductType.QUEUE, profile.productId()));
    client.delete(profile.subAccountId(), ProductType.QUEUE, profile.productId());
    out.println("deleted: queue " + profile.productId());
  }
}
