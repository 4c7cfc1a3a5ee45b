package dev.callstream.cli;

import dev.callstream.transport.Tls;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code callstream record}: the recording server of CONTRACTS.md section 2. Prints {@code listening
 * on (ws|wss)://HOST:PORT/} on stdout when ready, then one line per call start and end; logs and the
 * certificate fingerprint go to stderr. SIGTERM or SIGINT drain (CONTRACTS.md section 6): open calls
 * run on up to {@code --drain-timeout}, every recording is finished, exit 0.
 * Exit 2 on a usage error, 1 when the server cannot start (address in use, unreadable TLS files, a
 * PEM key that does not match its certificate: one line naming both files).
 */
@Command(
    name = "record",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Receive Engage Voice call streams on path / and record every call to"
          + " <recordings>/<callId>-<sessionId>/: agent.wav, conference.wav (mono), stereo.wav"
          + " (left agent, right conference), all 8 kHz 16-bit PCM, and call.json.",
      "Prints 'listening on wss://HOST:PORT/' when ready (then 'listening on grpcs://HOST:PORT' with"
          + " --grpc-port), then 'call started <callId>-<sessionId>"
          + " <folder>' and 'call ended <callId>-<sessionId> <reason> complete=<true|false> <folder>'"
          + " per call.",
      "SIGTERM or SIGINT start a drain: prints 'draining N calls', /readyz turns 503, new calls get"
          + " HTTP 503, open calls go on until they end or --drain-timeout passes (then they end with"
          + " shutdown), then exit 0. A second signal ends the drain at once."
    })
final class RecordCommand implements Callable<Integer> {
  static final String TLS_SELF_SIGNED = "self-signed";
  static final String TLS_NONE = "none";
  static final String TLS_KEYSTORE = "keystore";
  static final String TLS_PEM = "pem";

  @Spec CommandSpec spec;

  /** Held so that its level sticks: JUL keeps loggers only weakly. */
  private final Logger containerLog = Logger.getLogger("org.glassfish");

  @Option(names = "--host", paramLabel = "H", defaultValue = "127.0.0.1",
      description = "Address to bind (default: ${DEFAULT-VALUE}; 0.0.0.0 to expose).")
  String host;

  @Option(names = "--port", paramLabel = "N", defaultValue = "3333",
      description = "Port to bind (default: ${DEFAULT-VALUE}); 0 picks a free port.")
  int port;

  @Option(names = "--recordings", paramLabel = "DIR", defaultValue = "./recordings",
      description = "Where calls are written, created if missing (default: ${DEFAULT-VALUE}).")
  Path recordings;

  @Option(names = "--tls", paramLabel = "MODE", defaultValue = TLS_SELF_SIGNED,
      description = "self-signed (generated at start, fingerprint on stderr), none (plain ws, e.g."
          + " behind a TLS proxy), keystore (with --keystore and --keystore-password, PKCS12) or"
          + " pem (with --cert and --key). Default: ${DEFAULT-VALUE}.")
  String tls;

  @Option(names = "--keystore", paramLabel = "FILE", description = "PKCS12 keystore for --tls keystore.")
  Path keystore;

  @Option(names = "--keystore-password", paramLabel = "P",
      description = "Password of the --keystore file.")
  String keystorePassword;

  @Option(names = "--cert", paramLabel = "FILE",
      description = "PEM certificate chain (server certificate first) for --tls pem.")
  Path cert;

  @Option(names = "--key", paramLabel = "FILE",
      description = "PEM private key (PKCS#8, PKCS#1 or SEC1, unencrypted) for --tls pem.")
  Path key;

  @Option(names = "--secret", paramLabel = "S",
      description = "Shared secret a call must present (repeat for rotation): Authorization: Bearer S,"
          + " query parameter secret=S, or a 'secret' field in the Start metadata. Others get HTTP"
          + " 401, or close code 1008 at Start.")
  List<String> secrets;

  @Option(names = "--max-calls", paramLabel = "N", defaultValue = "500",
      description = "Concurrent calls, counted across both transports; beyond them the upgrade gets"
          + " HTTP 503, a gRPC stream RESOURCE_EXHAUSTED (default: ${DEFAULT-VALUE}).")
  int maxCalls;

  @Option(names = "--grpc-port", paramLabel = "N",
      description = "Also receive RingCX gRPC streams (ringcentral.ringcx.streaming.v1beta2) on this"
          + " port, with the same --host, --tls, --secret (authorization metadata: Bearer S or S),"
          + " --max-calls and --recordings; 0 picks a free port. Prints 'listening on"
          + " grpcs://HOST:PORT' (grpc:// with --tls none).")
  Integer grpcPort;

  @Option(names = "--admin-port", paramLabel = "N",
      description = "Serve /healthz, /readyz and /metrics (Prometheus) over plain HTTP on --host at this"
          + " port (0 picks a free one); prints 'admin on http://HOST:PORT/'. Default: off.")
  Integer adminPort;

  @Option(names = "--drain-timeout", paramLabel = "S", defaultValue = "30",
      description = "On SIGTERM/SIGINT, how many seconds open calls may run on before they end with"
          + " shutdown (default: ${DEFAULT-VALUE}).")
  double drainTimeout;

  @Override
  public Integer call() throws Exception {
    RecordServer.Settings settings = settings();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    // Grizzly logs each listener start and stop at INFO through java.util.logging; keep stderr for
    // what matters (our slf4j lines and warnings).
    containerLog.setLevel(Level.WARNING);
    try (RecordSignals signals = new RecordSignals()) {
      // Before the server starts, so that no signal can reach the JVM's default handling (exit 143).
      boolean handled = signals.install("TERM") & signals.install("INT");
      RecordServer server = RecordServer.start(settings, out, err);
      // Also covers SIGHUP, System.exit elsewhere, and signals the JVM would not let us handle.
      Thread hook = new Thread(() -> {
        signals.request("JVM shutdown");
        server.close();
      }, "callstream-record-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      if (!handled) {
        err.println("warning: cannot handle SIGTERM/SIGINT; recordings are still finished on exit");
        err.flush();
      }
      try {
        signals.await();
        // Readiness turns 503 and new handshakes are refused at once; open calls go on until they
        // end or the timeout passes. A second signal cuts the drain short (close() below).
        CompletableFuture.anyOf(server.drain(settings.drainTimeout()), signals.second()).get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException e) {
        err.println("warning: drain failed: " + e.getCause());
        err.flush();
      }
      server.close();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shutdownInProgress) {
        // The hook is running or has run; it closed the server too.
      }
      return 0;
    }
  }

  /**
   * The validated flags.
   *
   * @throws ParameterException on a usage error (one line, exit 2); never names a secret or password
   */
  RecordServer.Settings settings() {
    if (host == null || host.isBlank()) {
      throw usage("--host must not be empty");
    }
    if (port < 0 || port > 65535) {
      throw usage("--port must be between 0 and 65535: " + port);
    }
    if (maxCalls < 1) {
      throw usage("--max-calls must be at least 1: " + maxCalls);
    }
    if (adminPort != null && (adminPort < 0 || adminPort > 65535)) {
      throw usage("--admin-port must be between 0 and 65535: " + adminPort);
    }
    if (adminPort != null && adminPort != 0 && adminPort == port) {
      throw usage("--admin-port must differ from --port: " + adminPort);
    }
    if (Double.isNaN(drainTimeout) || drainTimeout < 0 || drainTimeout > 86_400) {
      throw usage("--drain-timeout must be between 0 and 86400 seconds: " + drainTimeout);
    }
    if (grpcPort != null && (grpcPort < 0 || grpcPort > 65535)) {
      throw usage("--grpc-port must be between 0 and 65535: " + grpcPort);
    }
    if (Files.exists(recordings) && !Files.isDirectory(recordings)) {
      throw usage("--recordings is not a directory: " + recordings);
    }
    List<String> secretList = secrets == null ? List.of() : List.copyOf(secrets);
    if (secretList.stream().anyMatch(String::isEmpty)) {
      throw usage("--secret must not be empty");
    }
    return new RecordServer.Settings(host.trim(), port, recordings, tls(), secretList, maxCalls, grpcPort,
        adminPort == null ? -1 : adminPort, Duration.ofMillis(Math.round(drainTimeout * 1000)));
  }

  private Tls tls() {
    String mode = tls.trim().toLowerCase(Locale.ROOT);
    boolean keystoreMode = mode.equals(TLS_KEYSTORE);
    boolean pemMode = mode.equals(TLS_PEM);
    if (!keystoreMode && (keystore != null || keystorePassword != null)) {
      throw usage("--keystore and --keystore-password need --tls keystore");
    }
    if (!pemMode && (cert != null || key != null)) {
      throw usage("--cert and --key need --tls pem");
    }
    switch (mode) {
      case TLS_SELF_SIGNED:
        return Tls.selfSigned();
      case TLS_NONE:
        return Tls.none();
      case TLS_KEYSTORE:
        if (keystore == null || keystorePassword == null) {
          throw usage("--tls keystore needs --keystore FILE and --keystore-password P");
        }
        return Tls.pkcs12(readable("--keystore", keystore), keystorePassword);
      case TLS_PEM:
        if (cert == null || key == null) {
          throw usage("--tls pem needs --cert FILE and --key FILE");
        }
        return Tls.pem(readable("--cert", cert), readable("--key", key));
      default:
        throw usage("--tls must be self-signed, none, keystore or pem");
    }
  }

  private Path readable(String option, Path file) {
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw usage(option + " is not a readable file: " + file);
    }
    return file;
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
