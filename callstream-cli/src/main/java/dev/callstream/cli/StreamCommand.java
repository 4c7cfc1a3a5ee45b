package dev.callstream.cli;

import dev.callstream.provisioning.ApiException;
import dev.callstream.provisioning.MediaControlClient;
import dev.callstream.provisioning.ProvisioningException;
import dev.callstream.provisioning.StartStreamRequest;
import dev.callstream.provisioning.StreamScope;
import dev.callstream.provisioning.StreamStartOutcome;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import okhttp3.OkHttpClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code callstream stream start|stop}: the RingCX Media Control API, see CONTRACTS.md section 8.
 * Prints {@code stream <streamId> started|stopped} and exits 0; an HTTP error prints {@code error:
 * HTTP <status> <reason>} and the server's message on stderr and exits 1; a usage error exits 2.
 * A start is sent once: after a timeout or a 5xx it is reported as uncertain (exit 1), never
 * retried.
 */
@Command(
    name = "stream",
    mixinStandardHelpOptions = true,
    description = {
      "Start or stop the audio stream of a live dialog or segment.",
      "With the RingCX Media Control API. Streams a whole dialog, or one segment (participant leg) of it. A streaming profile must"
          + " exist first (see 'callstream profile').",
      "Authenticate as for 'profile': --token (or env RINGCX_TOKEN) or --rc-token (or env"
          + " RC_ACCESS_TOKEN).",
      "Prints \"stream <streamId> started\" or \"stream <streamId> stopped\". Exit codes: 0 done,"
          + " 1 HTTP or network error (\"error: HTTP <status> <reason>\" and the server's message"
          + " on stderr), 2 usage error. At most 120 requests a minute are sent."
    },
    subcommands = {StreamCommand.Start.class, StreamCommand.Stop.class})
final class StreamCommand implements Callable<Integer> {
  /** The receiver token when neither --receiver-token nor its file is given. */
  static final String ENV_RECEIVER_TOKEN = "RINGCX_RECEIVER_TOKEN";

  @Spec CommandSpec spec;

  /** Where the tokens' environment variables are read; tests replace it. */
  Map<String, String> environment = System.getenv();

  @Override
  public Integer call() {
    throw Main.missingCommand(spec);
  }

  /** Which dialog or segment, and which stream. */
  static final class Target {
    @Option(
        names = "--rc-account",
        paramLabel = "ID",
        required = true,
        description = "RingCentral account id.")
    String rcAccount;

    @Option(
        names = "--sub-account",
        paramLabel = "ID",
        required = true,
        description = "RingCX sub-account id that owns the dialog.")
    String subAccount;

    @Option(
        names = "--dialog",
        paramLabel = "ID",
        required = true,
        description = "The dialog (interaction).")
    String dialog;

    @Option(
        names = "--segment",
        paramLabel = "ID",
        description = "One segment (participant leg) of the dialog; without it, the whole dialog.")
    String segment;

    @Option(
        names = "--stream-id",
        paramLabel = "ID",
        required = true,
        description = "Your id for the stream: chosen at start, the same to stop it.")
    String streamId;

    StreamScope scope() {
      return segment == null
          ? StreamScope.dialog(rcAccount, subAccount, dialog)
          : StreamScope.segment(rcAccount, subAccount, dialog, segment);
    }
  }

  @Command(
      name = "start",
      mixinStandardHelpOptions = true,
      description = {
        "Start streaming a dialog or segment to --url (POST .../dialogs/{dialog}"
            + "[/segments/{segment}]/streams).",
        "Never sent twice: after a timeout or an HTTP 5xx the stream may or may not have"
            + " started; check your receiver for the stream id before starting it again with the"
            + " same id, or stop it."
      })
  static final class Start implements Callable<Integer> {
    @ParentCommand StreamCommand parent;
    @Spec CommandSpec spec;
    @Mixin ProfileCommand.Connection connection;
    @Mixin LogOptions logOptions;
    @Mixin Target target;

    @Option(
        names = "--url",
        paramLabel = "URL",
        required = true,
        description = "Where the platform sends the audio: a URL such as"
            + " wss://media.example.com/audio.")
    String url;

    @Option(
        names = "--receiver-token",
        paramLabel = "T",
        description = "Opaque token passed to the receiver with the stream; never printed"
            + " (visible in ps: prefer --receiver-token-file or env " + ENV_RECEIVER_TOKEN + ").")
    String receiverToken;

    @Option(
        names = "--receiver-token-file",
        paramLabel = "FILE",
        description = "File whose first line is the receiver token.")
    Path receiverTokenFile;

    @Option(
        names = "--encoding",
        paramLabel = "E",
        description = "Requested audio encoding, for example PCMU.")
    String encoding;

    @Option(names = "--rate", paramLabel = "N", description = "Requested sample rate in Hz.")
    Integer rate;

    @Option(
        names = "--ptime",
        paramLabel = "N",
        description = "Requested packetization time in milliseconds.")
    Integer ptime;

    @Override
    public Integer call() {
      String receiverToken = receiverToken();
      List<String> secrets = new ArrayList<>();
      secrets.add(receiverToken);
      return parent.run(
          spec,
          connection,
          secrets,
          client -> {
            StreamStartOutcome outcome =
                client.start(
                    target.scope(),
                    StartStreamRequest.builder()
                        .url(url)
                        .streamId(target.streamId)
                        .receiverToken(receiverToken)
                        .encoding(encoding)
                        .rate(rate)
                        .ptime(ptime)
                        .build());
            if (outcome.uncertain()) {
              throw new Uncertain(outcome);
            }
            return "started";
          });
    }

    /** --receiver-token, else the first line of its file, else RINGCX_RECEIVER_TOKEN; or null. */
    private String receiverToken() {
      if (receiverToken != null && receiverTokenFile != null) {
        throw new ParameterException(
            spec.commandLine(), "give --receiver-token or --receiver-token-file, not both");
      }
      if (receiverTokenFile != null) {
        try {
          List<String> lines = Files.readAllLines(receiverTokenFile, StandardCharsets.UTF_8);
          String token = lines.isEmpty() ? "" : lines.get(0).strip();
          if (token.isEmpty()) {
            throw new ParameterException(spec.commandLine(),
                "--receiver-token-file holds no token on its first line: " + receiverTokenFile);
          }
          return token;
        } catch (IOException e) {
          throw new ParameterException(
              spec.commandLine(), "--receiver-token-file cannot be read: " + receiverTokenFile);
        }
      }
      if (receiverToken != null) {
        return receiverToken;
      }
      String fromEnvironment = parent.environment.get(ENV_RECEIVER_TOKEN);
      return fromEnvironment == null || fromEnvironment.isBlank() ? null : fromEnvironment.strip();
    }
  }

  @Command(
      name = "stop",
      mixinStandardHelpOptions = true,
      description =
          "Stop a stream (DELETE .../dialogs/{dialog}[/segments/{segment}]/streams/{stream-id}).")
  static final class Stop implements Callable<Integer> {
    @ParentCommand StreamCommand parent;
    @Spec CommandSpec spec;
    @Mixin ProfileCommand.Connection connection;
    @Mixin LogOptions logOptions;
    @Mixin Target target;

    @Override
    public Integer call() {
      return parent.run(
          spec,
          connection,
          new ArrayList<>(),
          client -> {
            client.stop(target.scope(), target.streamId);
            return "stopped";
          });
    }
  }

  /** A start whose outcome is unknown: reported like an error, with what to do next. */
  private static final class Uncertain extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final transient StreamStartOutcome outcome;

    Uncertain(StreamStartOutcome outcome) {
      super(null, null, false, false);
      this.outcome = outcome;
    }
  }

  /**
   * Builds the client, runs {@code operation} and prints {@code stream <id> <verb>}. Usage errors
   * (no token, an invalid identifier, URL or base URL) throw {@link ParameterException}: one line,
   * exit 2. Everything printed is masked for the tokens of this command line.
   */
  private int run(
      CommandSpec spec,
      ProfileCommand.Connection connection,
      List<String> secrets,
      Function<MediaControlClient, String> operation) {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Target target = targetOf(spec);
    OkHttpClient http = new OkHttpClient();
    try {
      ProfileCommand.Credentials credentials =
          ProfileCommand.Credentials.resolve(spec, connection, environment);
      secrets.add(credentials.secret());
      MediaControlClient.Builder builder =
          MediaControlClient.builder().baseUrl(connection.baseUrl).httpClient(http);
      if (credentials.token() != null) {
        builder.token(credentials.token());
      } else {
        builder.rcAccessToken(credentials.rcToken());
      }
      String verb = operation.apply(builder.build());
      out.println("stream " + target.streamId + " " + verb);
      out.flush();
      return 0;
    } catch (IllegalArgumentException invalid) {
      throw new ParameterException(
          spec.commandLine(), mask(invalid.getMessage(), secrets), invalid);
    } catch (Uncertain uncertain) {
      ProvisioningException cause = uncertain.outcome.cause();
      printError(err, cause, secrets);
      err.println(
          "the stream may or may not have started; it was not retried: check your receiver for"
              + " stream "
              + target.streamId
              + " before starting it again with the same id, or stop it");
      err.flush();
      return 1;
    } catch (ProvisioningException e) {
      printError(err, e, secrets);
      err.flush();
      return 1;
    } finally {
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    }
  }

  private static Target targetOf(CommandSpec spec) {
    Object command = spec.userObject();
    return command instanceof Start start ? start.target : ((Stop) command).target;
  }

  private static void printError(PrintWriter err, ProvisioningException e, List<String> secrets) {
    if (e instanceof ApiException api) {
      err.println("error: HTTP " + api.status() + " " + api.reason());
      if (!api.serverMessage().isEmpty()) {
        err.println(mask(api.serverMessage(), secrets));
      }
    } else {
      err.println("error: " + mask(e.getMessage(), secrets));
    }
  }

  /** The client masks what it knows; this also covers tokens only the command line knows. */
  private static String mask(String text, List<String> secrets) {
    String masked = text == null ? "" : text;
    for (String secret : secrets) {
      if (secret != null && !secret.isEmpty()) {
        masked = masked.replace(secret, "***");
      }
    }
    return masked;
  }
}
