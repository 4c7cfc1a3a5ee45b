package dev.callstream.cli;

import dev.callstream.testkit.AudioSource;
import dev.callstream.testkit.FakeRingCx;
import dev.callstream.testkit.Fault;
import dev.callstream.testkit.Pacing;
import dev.callstream.testkit.RingCxCallResult;
import dev.callstream.testkit.RingCxLoadResult;
import dev.callstream.testkit.RingCxScript;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * {@code callstream send --url grpc://HOST:PORT} (or {@code grpcs://}): RingCX's side of the gRPC
 * stream (CONTRACTS.md section 5). Each call: {@code DialogInit}; {@code SegmentStart} for a contact
 * (audio of {@code --conference}) and an agent ({@code --agent}), PCMU 8000 Hz 100 ms;
 * {@code SegmentMedia} of both, {@code seq} from 1 per segment, 800 bytes per chunk; one
 * {@code SegmentStop} per segment; a normal half-close. The summary line and exit codes are those of
 * the WebSocket sender; a call fails on any status other than OK.
 */
final class GrpcSend {
  /** RingCX's chunk: 100 ms of 8 kHz PCMU. */
  static final int CHUNK_MILLIS = 100;

  private GrpcSend() {}

  /**
   * Plays the calls and prints the summary; returns the exit code.
   *
   * @param audioMillis the call's audio length (rounded up to whole chunks, padded with silence)
   */
  static int run(
      URI url, int calls, AudioSource agent, AudioSource contact, long audioMillis, Pacing pacing,
      boolean insecure, String secret, Set<Fault> faults, long seed, PrintWriter out, PrintWriter err) {
    long chunks = (audioMillis + CHUNK_MILLIS - 1) / CHUNK_MILLIS;
    Duration length = Duration.ofMillis(chunks * CHUNK_MILLIS);
    err.printf(Locale.ROOT, "sending %d gRPC call(s) of %.1f s to %s (%s%s)%n", calls, length.toMillis() / 1000.0, url,
        pacing.name().toLowerCase(Locale.ROOT), faults.isEmpty() ? "" : ", faults " + labels(faults));
    err.flush();
    FakeRingCx.Builder builder = FakeRingCx.builder(url)
        .pacing(pacing)
        .faults(faults)
        .seed(seed);
    if (insecure && url.getScheme().equalsIgnoreCase("grpcs")) {
      builder.insecure(true);
    }
    if (secret != null) {
      builder.secret(secret);
    }
    RingCxLoadResult load;
    try (FakeRingCx ringCx = builder.build()) {
      // the script's default segments: "contact" (CONTACT, "Caller") and "agent" (AGENT, "Agent")
      load = ringCx.run(calls, index -> RingCxScript.numbered(seed, index)
          .otherAudio(contact)
          .agentAudio(agent)
          .maxDuration(length)
          .build());
    }
    for (RingCxCallResult result : load.results()) {
      if (result.failed()) {
        err.println("call " + result.dialogId() + " failed: " + result.failure().getMessage());
      }
    }
    err.flush();
    out.println(load.toJson());
    out.flush();
    return load.failedCalls() == 0 ? 0 : 1;
  }

  private static String labels(Set<Fault> faults) {
    StringBuilder text = new StringBuilder();
    for (Fault fault : faults) {
      text.append(text.length() == 0 ? "" : ",").append(fault.label());
    }
    return text.toString();
  }
}
