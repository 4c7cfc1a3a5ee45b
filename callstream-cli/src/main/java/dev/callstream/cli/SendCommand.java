package dev.callstream.cli;

import dev.callstream.server.wire.SequenceMode;
import dev.callstream.testkit.AudioSource;
import dev.callstream.testkit.CallResult;
import dev.callstream.testkit.CallScript;
import dev.callstream.testkit.FakeEngageVoice;
import dev.callstream.testkit.Fault;
import dev.callstream.testkit.HandshakeFailedException;
import dev.callstream.testkit.LoadResult;
import dev.callstream.testkit.Pacing;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathBuilderException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code callstream send}: the fake Engage Voice sender and load generator (CONTRACTS.md section 3). */
@Command(
    name = "send",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    // Each element is one paragraph: picocli wraps it; no hard line breaks inside.
    description = {
      "Fake the platform: play WebSocket or gRPC call streams to a server.",
      "With a ws:// or wss:// URL each call sends: the upgrade (query callId, sessionId, ani, dnis,"
          + " accountId, subaccountId, rcAccountId, agentId, productType, productId), Connected, Start,"
          + " Media for both perspectives, one Stop per perspective, a normal close. The upgrade is"
          + " retried on HTTP 5xx (3 attempts in all) and given up on 4xx.",
      "With a grpc:// or grpcs:// URL it plays RingCX's side instead: DialogInit, SegmentStart for a"
          + " contact (--conference audio) and an agent (--agent), PCMU 8000 Hz 100 ms, SegmentMedia of"
          + " both (seq from 1 per segment, 800 bytes), one SegmentStop per segment, a normal"
          + " half-close; --secret is sent as authorization metadata 'Bearer S'. A gRPC call fails on"
          + " any status other than OK; --fault abort cancels it mid-call, garbage sends events with"
          + " unknown fields and an unknown segment id.",
      "The last stdout line is one JSON object: {\"calls\": N, \"failedCalls\": F,"
          + " \"mediaSent\": M, \"seconds\": S, \"mediaPerSecond\": R}. Progress (every 5 s:"
          + " calls active, done and failed, frames sent, rate) and errors go to stderr.",
      "A call completes when its script ran to the end, including a connection cut on purpose by"
          + " --fault abort. It fails when the upgrade is refused (4xx, or 5xx three times), the"
          + " server cannot be reached, or the connection breaks or is closed by the server before"
          + " the script ended. Exit 0 when every call completed, 1 otherwise, 2 on a usage error."
    })
final class SendCommand implements Callable<Integer> {
  /** The handshake secret when neither --secret nor --secret-file is given. */
  static final String ENV_SECRET = "CALLSTREAM_SECRET";

  private static final String WAV_FORMAT = "8000 Hz mono 16-bit";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @CommandLine.Mixin LogOptions logOptions = new LogOptions();

  /** Where {@code CALLSTREAM_SECRET} is read; tests replace it. */
  Map<String, String> environment = System.getenv();

  /** How often the progress line is printed; tests shorten it. */
  Duration progressEvery = Duration.ofSeconds(5);

  @Option(names = "--url", required = true, paramLabel = "URL",
      description = "ws:// or wss:// server (Engage Voice), or grpc:// or grpcs:// server (RingCX gRPC)")
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
    @Option(names = "--realtime", description = "one frame per side every 20 ms (gRPC: one 100 ms chunk per segment every 100 ms) (default)")
    boolean realtime;

    @Option(names = "--flood", description = "as fast as the server reads")
    boolean flood;
  }

  @Option(names = "--insecure", description = "trust any TLS certificate (for self-signed servers)")
  boolean insecure;

  @Option(names = "--secret", paramLabel = "S",
      description = "sent as Authorization: Bearer S (visible in ps: prefer --secret-file or env "
          + ENV_SECRET + ")")
  String secret;

  @Option(names = "--secret-file", paramLabel = "FILE",
      description = "file whose first line is the secret")
  Path secretFile;

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
    String sharedSecret = secret();
    if (settings.grpc) {
      return GrpcSend.run(url, calls, settings.agent, settings.conference, settings.frames * 20, settings.pacing,
          insecure, sharedSecret, settings.faults, seed, out, err);
    }

    boolean chatty = logOptions.chatty();
    if (chatty) {
      err.printf(Locale.ROOT, "sending %d call(s) of %.1f s to %s (%s%s)%n", calls, settings.frames * 0.02, url,
          settings.pacing.name().toLowerCase(Locale.ROOT),
          settings.faults.isEmpty() ? "" : ", faults " + faults);
      err.flush();
    }
    FakeEngageVoice.Builder builder = FakeEngageVoice.builder(url)
        .insecure(insecure)
        .pacing(settings.pacing)
        .sequenceMode(settings.sequenceMode)
        .faults(settings.faults)
        .seed(seed);
    if (sharedSecret != null) {
      builder.secret(sharedSecret);
    }
    SendProgress progress = new SendProgress(calls);
    // Both sides as long as the call (padded with the silence the sender would add itself), so
    // that every frame sent passes through the counter.
    AudioSource agentSide = progress.counting(settings.agent, settings.frames);
    AudioSource conferenceSide = progress.counting(settings.conference, settings.frames);
    LoadResult load;
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "callstream-send-progress");
      thread.setDaemon(true);
      return thread;
    });
    try (FakeEngageVoice platform = builder.build()) {
      if (chatty) {
        long every = progressEvery.toMillis();
        ticker.scheduleAtFixedRate(() -> {
          err.println(progress.line());
          err.flush();
        }, every, every, TimeUnit.MILLISECONDS);
      }
      long started = System.nanoTime();
      List<CompletableFuture<CallResult>> running = new ArrayList<>(calls);
      for (int index = 0; index < calls; index++) {
        CallScript script = CallScript.numbered(seed, index)
            .agent(agentSide)
            .conference(conferenceSide)
            .maxDuration(settings.limit)
            .build();
        running.add(platform.start(script).whenComplete((result, error) -> progress.ended(result)));
      }
      List<CallResult> results = new ArrayList<>(calls);
      for (CompletableFuture<CallResult> call : running) {
        results.add(call.join());
      }
      load = LoadResult.of(results, (System.nanoTime() - started) / 1e9);
    } finally {
      ticker.shutdownNow();
    }
    for (CallResult result : load.results()) {
      if (result.failed()) {
        err.println("call " + result.callId() + " failed: " + describe(result, url));
      }
    }
    err.flush();
    out.println(load.toJson());
    out.flush();
    return load.failedCalls() == 0 ? 0 : 1;
  }

  private record Settings(
      AudioSource agent, AudioSource conference, Duration limit, long frames, Pacing pacing,
      SequenceMode sequenceMode, Set<Fault> faults, boolean grpc) {}

  /** Checks the flags; every problem is a usage error (exit 2) naming the flag. */
  private Settings validate() {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    boolean grpc = scheme.equals("grpc") || scheme.equals("grpcs");
    if (!scheme.equals("ws") && !scheme.equals("wss") && !grpc || url.getHost() == null) {
      throw usage("--url must be a ws://, wss://, grpc:// or grpcs:// URL with a host: " + url);
    }
    if (grpc && spec.commandLine().getParseResult().hasMatchedOption("--sequence")) {
      throw usage("--sequence applies to ws:// and wss:// only (gRPC numbers each segment from 1)");
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
    return new Settings(agentSource, conferenceSource, limit, frames, pacingMode, sequenceMode, faultSet, grpc);
  }

  private AudioSource file(String flag, Path file) {
    try {
      return AudioSource.fromFile(file);
    } catch (UncheckedIOException e) {
      throw usage(flag + ": " + e.getMessage());
    } catch (IllegalArgumentException e) {
      // The message names the file and what was found; say what is needed and how to get it.
      throw usage(flag + ": " + e.getMessage() + "; it must be an " + WAV_FORMAT + " PCM WAV (or"
          + " 8 kHz mu-law WAV or raw .ul); convert it with: " + soxCommand(file));
    }
  }

  static String soxCommand(Path file) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    Path converted = file.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + "-8k.wav");
    return "sox " + shellQuote(file.toString()) + " -r 8000 -c 1 -b 16 -e signed-integer "
        + shellQuote(converted.toString());
  }

  private static String shellQuote(String path) {
    return path.matches("[A-Za-z0-9_./+-]+") ? path : "'" + path.replace("'", "'\\''") + "'";
  }

  /** --secret, else the first line of --secret-file, else CALLSTREAM_SECRET; null for none. */
  private String secret() {
    if (secret != null && secretFile != null) {
      throw usage("give --secret or --secret-file, not both");
    }
    String value = secret;
    if (secretFile != null) {
      try {
        List<String> lines = Files.readAllLines(secretFile, StandardCharsets.UTF_8);
        value = lines.isEmpty() ? "" : lines.get(0).strip();
      } catch (IOException e) {
        throw usage("--secret-file cannot be read: " + secretFile);
      }
      if (value.isEmpty()) {
        throw usage("--secret-file holds no secret on its first line: " + secretFile);
      }
    }
    if (value == null) {
      String fromEnvironment = environment.get(ENV_SECRET);
      value = fromEnvironment == null || fromEnvironment.isBlank() ? null : fromEnvironment.strip();
    }
    return value;
  }

  /**
   * Why a call failed, in one clause that does not repeat the call id (the line names it once):
   * "connection refused by host:port", a hint to use --insecure for an untrusted certificate.
   */
  static String describe(CallResult result, URI url) {
    Throwable failure = result.failure();
    String where = url.getHost() + ":" + (url.getPort() > 0 ? url.getPort()
        : "wss".equalsIgnoreCase(url.getScheme()) ? 443 : 80);
    if (failure instanceof HandshakeFailedException refused) {
      return "upgrade refused with HTTP " + refused.status() + " after " + refused.attempts()
          + " attempt(s)";
    }
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof ConnectException) {
        return "connection refused by " + where;
      }
      if (cause instanceof UnknownHostException) {
        return "unknown host " + url.getHost();
      }
      if (cause instanceof HttpConnectTimeoutException) {
        return "connecting to " + where + " timed out";
      }
      if (cause instanceof CertPathBuilderException
          || cause instanceof SSLHandshakeException && String.valueOf(cause.getMessage()).contains("PKIX")) {
        return "the TLS certificate of " + where + " is not trusted (self-signed?); add --insecure"
            + " to accept any certificate";
      }
      if (cause instanceof SSLException) {
        return "TLS handshake with " + where + " failed: " + cause.getMessage();
      }
    }
    String message = failure == null ? "unknown error" : String.valueOf(failure.getMessage());
    String id = result.callId();
    return message.replace(", call " + id, "").replace("call " + id + " ", "").replace(" " + id, "");
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }
}
