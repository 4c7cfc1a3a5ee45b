package dev.callstream.cli;

import dev.callstream.server.wire.SequenceMode;
import dev.callstream.testkit.AudioSource;
import dev.callstream.testkit.CallResult;
import dev.callstream.testkit.CallScript;
import dev.callstream.testkit.FakeEngageVoice;
import dev.callstream.testkit.Fault;
import dev.callstream.testkit.LoadResult;
import dev.callstream.testkit.Pacing;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code callstream send}: the fake Engage Voice sender and load generator (CONTRACTS.md section 3). */
@Command(
    name = "send",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Plays the Engage Voice platform's side of call streaming against any ws:// or wss:// server:",
      "upgrade (query callId, sessionId, ani, dnis, accountId, subaccountId, rcAccountId, agentId,",
      "productType, productId), Connected, Start, Media for both perspectives, one Stop per",
      "perspective, normal close. Retries the upgrade on HTTP 5xx (3 attempts), gives up on 4xx.",
      "",
      "The last stdout line is one JSON object:",
      "  {\"calls\": N, \"failedCalls\": F, \"mediaSent\": M, \"seconds\": S, \"mediaPerSecond\": R}",
      "Progress and errors go to stderr.",
      "",
      "A call completes when its script ran to the end, including a connection cut on purpose by",
      "--fault abort. It fails when the upgrade is refused (4xx, or 5xx three times), the server",
      "cannot be reached, or the connection breaks or is closed by the server before the script",
      "ended. Exit 0 when every call completed, 1 otherwise, 2 on a usage error."
    })
final class SendCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--url", required = true, paramLabel = "URL", description = "ws:// or wss:// server")
  URI url;

  @Option(names = "--calls", defaultValue = "1", paramLabel = "N", description = "concurrent calls, each its own connection (default ${DEFAULT-VALUE})")
  int calls;

  @Option(names = "--agent", paramLabel = "FILE",
      description = "agent audio: WAV (8 kHz mono 16-bit PCM, or mu-law) or raw .ul mu-law (default: generated)")
  Path agent;

  @Option(names = "--conference", paramLabel = "FILE", description = "conference audio, same formats as --agent")
  Path conference;

  @Option(names = "--duration", defaultValue = "10", paramLabel = "S",
      description = "seconds of audio per call when no files are given (default ${DEFAULT-VALUE}); "
          + "generated audio is speech-like harmonic tones with pauses, chosen by --seed")
  double duration;

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  PacingOption pacing = new PacingOption();

  static final class PacingOption {
    @Option(names = "--realtime", description = "one frame per side every 20 ms (default)")
    boolean realtime;

    @Option(names = "--flood", description = "as fast as the server reads")
    boolean flood;
  }

  @Option(names = "--insecure", description = "trust any TLS certificate (for self-signed servers)")
  boolean insecure;

  @Option(names = "--secret", paramLabel = "S", description = "sent as Authorization: Bearer S")
  String secret;

  @Option(names = "--fault", split = ",", paramLabel = "K",
      description = "drop, duplicate, reorder (each on about 2 %% of frames per side), abort (connection "
          + "cut mid-call, no Stop), garbage (3 malformed messages per call); comma-separated")
  List<String> faults = new ArrayList<>();

  @Option(names = "--sequence", defaultValue = "per-perspective", paramLabel = "MODE",
      description = "per-perspective (default) or per-connection (one counter for both perspectives)")
  String sequence;

  @Option(names = "--seed", defaultValue = "1", paramLabel = "N", description = "makes faults and generated audio repeatable (default ${DEFAULT-VALUE})")
  long seed;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Settings settings = validate();

    err.printf(Locale.ROOT, "sending %d call(s) of %.1f s to %s (%s%s)%n", calls, settings.frames * 0.02, url,
        settings.pacing.name().toLowerCase(Locale.ROOT),
        settings.faults.isEmpty() ? "" : ", faults " + faults);
    err.flush();
    FakeEngageVoice.Builder builder = FakeEngageVoice.builder(url)
        .insecure(insecure)
        .pacing(settings.pacing)
        .sequenceMode(settings.sequenceMode)
        .faults(settings.faults)
        .seed(seed);
    if (secret != null) {
      builder.secret(secret);
    }
    LoadResult load;
    try (FakeEngageVoice platform = builder.build()) {
      load = platform.run(calls, index -> {
        CallScript.Builder script = CallScript.numbered(seed, index)
            .agent(settings.agent)
            .conference(settings.conference);
        return script.maxDuration(settings.limit).build();
      });
    }
    for (CallResult result : load.results()) {
      if (result.failed()) {
        err.println("call " + result.callId() + " failed: " + result.failure().getMessage());
      }
    }
    err.flush();
    out.println(load.toJson());
    out.flush();
    return load.failedCalls() == 0 ? 0 : 1;
  }

  private record Settings(
      AudioSource agent, AudioSource conference, Duration limit, long frames, Pacing pacing,
      SequenceMode sequenceMode, Set<Fault> faults) {}

  /** Checks the flags; every problem is a usage error (exit 2) naming the flag. */
  private Settings validate() {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("ws") && !scheme.equals("wss") || url.getHost() == null) {
      throw usage("--url must be a ws:// or wss:// URL with a host: " + url);
    }
    if (calls < 1) {
      throw usage("--calls must be at least 1: " + calls);
    }
    if (!(duration > 0) || duration > 86_400) {
      throw usage("--duration must be between 0 and 86400 seconds: " + duration);
    }
    SequenceMode sequenceMode = switch (sequence.toLowerCase(Locale.ROOT)) {
      case "per-perspective" -> SequenceMode.PER_PERSPECTIVE;
      case "per-connection" -> SequenceMode.PER_CONNECTION;
      default -> throw usage("--sequence must be per-perspective or per-connection: " + sequence);
    };
    Set<Fault> faultSet = EnumSet.noneOf(Fault.class);
    for (String fault : faults) {
      try {
        faultSet.add(Fault.fromLabel(fault));
      } catch (IllegalArgumentException e) {
        throw usage("--fault: " + e.getMessage());
      }
    }
    AudioSource agentSource = agent == null ? AudioSource.speechLike(2 * seed) : file("--agent", agent);
    AudioSource conferenceSource = conference == null ? AudioSource.speechLike(2 * seed + 1) : file("--conference", conference);
    // Without files the call lasts --duration; with files it lasts as long as the longer file, and a
    // generated other side is cut to that length.
    long frames = agent == null && conference == null
        ? AudioSource.framesIn(Duration.ofMillis(Math.round(duration * 1000)))
        : Math.max(agent == null ? 0 : agentSource.frameCount(), conference == null ? 0 : conferenceSource.frameCount());
    Duration limit = Duration.ofMillis(frames * 20);
    Pacing pacingMode = pacing.flood ? Pacing.FLOOD : Pacing.REALTIME;
    return new Settings(agentSource, conferenceSource, limit, frames, pacingMode, sequenceMode, faultSet);
  }

  private AudioSource file(String flag, Path file) {
    try {
      return AudioSource.fromFile(file);
    } catch (IllegalArgumentException | UncheckedIOException e) {
      throw usage(flag + ": " + e.getMessage());
    }
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }
}
