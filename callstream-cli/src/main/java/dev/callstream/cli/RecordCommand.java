package dev.callstream.cli;

import dev.callstream.kafka.KafkaWire;
import dev.callstream.transport.Tls;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code callstream record}: the recording server of CONTRACTS.md section 2. Prints {@code listening
 * on (ws|wss)://HOST:PORT/} on stdout when ready, then one line per call start and end; logs and the
 * certificate fingerprint go to stderr. SIGTERM or SIGINT drain (CONTRACTS.md section 6): open calls
 * run on up to {@code --drain-timeout}, every recording is finished, exit 0.
 * Exit 2 on a usage error (including a {@code --recordings} directory it cannot write), 1 when the
 * server cannot start (address in use, TLS files that are not PEM or a keystore, a PEM key that does
 * not match its certificate: one line naming both files).
 */
@Command(
    name = "record",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Receive Engage Voice and RingCX call streams; record every call.",
      "Listens on path / and writes each call to <recordings>/<callId>-<sessionId>/: the mono"
          + " files agent.wav and conference.wav, the two of them side by side in stereo.wav"
          + " (left agent, right conference), all 8 kHz 16-bit PCM, and call.json.",
      "Prints 'listening on wss://HOST:PORT/' when ready, then 'call started <callId>-<sessionId>"
          + " <folder>' and 'call ended <callId>-<sessionId> <reason> complete=<true|false> <folder>'"
          + " per call.",
      "SIGTERM or SIGINT start a drain: prints 'draining N calls', /readyz turns 503, new calls get"
          + " HTTP 503, open calls go on until they end or --drain-timeout passes (then they end with"
          + " shutdown), then exit 0. A second signal ends the drain at once.",
      "With --grpc-port it also prints 'listening on grpcs://HOST:PORT'.",
      "At start it repairs the recordings a crash interrupted (call.json without endReason) and"
          + " says 'repaired N interrupted recordings in DIR' on stderr: every file playable and"
          + " as long as the others, the audio any of them kept copied into the rest, call.json"
          + " with complete false, endReason error, repaired true and frames and gaps counted"
          + " from the files."
    })
final class RecordCommand implements Callable<Integer> {
  static final String TLS_SELF_SIGNED = "self-signed";
  static final String TLS_NONE = "none";
  static final String TLS_KEYSTORE = "keystore";
  static final String TLS_PEM = "pem";

  /** Secrets for handshakes when no --secret or --secret-file is given (comma-separated). */
  static final String ENV_SECRET = "CALLSTREAM_SECRET";
  /** The --keystore password when neither --keystore-password nor its file is given. */
  static final String ENV_KEYSTORE_PASSWORD = "CALLSTREAM_KEYSTORE_PASSWORD";

  @Spec CommandSpec spec;
  @Mixin LogOptions logOptions = new LogOptions();

  /** Where {@code CALLSTREAM_SECRET} and {@code CALLSTREAM_KEYSTORE_PASSWORD} are read; tests replace it. */
  Map<String, String> environment = System.getenv();

  /** Held so that its level sticks: JUL keeps loggers only weakly. */
  private final Logger containerLog = Logger.getLogger("org.glassfish");

  @Option(names = "--host", paramLabel = "H", defaultValue = "127.0.0.1",
      description = "Address to bind (default: ${DEFAULT-VALUE}; 0.0.0.0 to expose).")
  String host;

  @Option(names = "--port", paramLabel = "N", defaultValue = "3333",
      description = "Port to bind (default: ${DEFAULT-VALUE}); 0 picks a free port.")
  int port;

  @Option(names = "--recordings", paramLabel = "DIR|none", defaultValue = "./recordings",
      description = "Where calls are written, created if missing (default: ${DEFAULT-VALUE}); 'none' with --kafka"
          + " publishes without writing files.")
  Path recordings;

  @Option(names = "--tls", paramLabel = "MODE", defaultValue = TLS_SELF_SIGNED,
      description = "self-signed (generated at start, fingerprint on stderr), none (plain ws, e.g."
          + " behind a TLS proxy), keystore (with --keystore and --keystore-password, PKCS12) or"
          + " pem (with --cert and --key). Default: ${DEFAULT-VALUE}.")
  String tls;

  @Option(names = "--keystore", paramLabel = "FILE", description = "PKCS12 keystore for --tls keystore.")
  Path keystore;

  @Option(names = "--keystore-password", paramLabel = "P",
      description = "Password of the --keystore file (visible in ps: prefer"
          + " --keystore-password-file or env " + ENV_KEYSTORE_PASSWORD + ").")
  String keystorePassword;

  @Option(names = "--keystore-password-file", paramLabel = "FILE",
      description = "File whose first line is the --keystore password.")
  Path keystorePasswordFile;

  @Option(names = "--cert", paramLabel = "FILE",
      description = "PEM certificate chain (server certificate first) for --tls pem.")
  Path cert;

  @Option(names = "--key", paramLabel = "FILE",
      description = "PEM private key (PKCS#8, PKCS#1 or SEC1, unencrypted) for --tls pem.")
  Path key;

  @Option(names = "--secret", paramLabel = "S",
      description = "Shared secret a call must present (repeat for rotation): Authorization: Bearer S,"
          + " query parameter secret=S, or a 'secret' field in the Start metadata. Others get HTTP"
          + " 401, or close code 1008 at Start. Also from --secret-file, else env " + ENV_SECRET
          + " (comma-separated).")
  List<String> secrets;

  @Option(names = "--secret-file", paramLabel = "FILE",
      description = "File with one secret per line (blank lines and # comments ignored); adds to"
          + " --secret.")
  Path secretFile;

  @Option(names = "--kafka", paramLabel = "BOOTSTRAP",
      description = "Also publish every call to Kafka at BOOTSTRAP (host:port[,host:port]); see docs/KAFKA.md.")
  String kafka;

  @Option(names = "--kafka-topic", paramLabel = "T",
      description = "Kafka topic for --kafka (default: callstream); it must exist.")
  String kafkaTopic;

  @Option(names = "--max-calls", paramLabel = "N", defaultValue = "500",
      description = "Concurrent calls, counted across both transports; beyond them the upgrade gets"
          + " HTTP 503, a gRPC stream RESOURCE_EXHAUSTED (default: ${DEFAULT-VALUE}).")
  int maxCalls;

  @Option(names = "--grpc-port", paramLabel = "N",
      description = "Also receive RingCX gRPC streams on this port, with the same --host, --tls, --secret (authorization metadata: Bearer S or S),"
          + " --max-calls and --recordings; 0 picks a free port. Plain gRPC (grpc://) with --tls"
          + " none.")
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
      RecordServer server = RecordServer.start(settings, out, err, status(err));
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
    boolean noRecordings = recordings.toString().equals("none");
    if (!noRecordings && Files.exists(recordings) && !Files.isDirectory(recordings)) {
      throw usage("--recordings is not a directory: " + recordings);
    }
    if (kafkaTopic != null && kafka == null) {
      throw usage("--kafka-topic needs --kafka");
    }
    if (kafka != null && kafka.isBlank()) {
      throw usage("--kafka must not be empty");
    }
    if (kafkaTopic != null && kafkaTopic.isBlank()) {
      throw usage("--kafka-topic must not be empty");
    }
    if (noRecordings && kafka == null) {
      throw usage("--recordings none needs --kafka (otherwise nothing would be kept)");
    }
    List<String> secretList = secretList();
    Tls tlsMode = tls();
    if (!noRecordings) {
      requireWritable(recordings);
    }
    RecordServer.Kafka kafkaSettings = kafka == null ? null
        : new RecordServer.Kafka(kafka.trim(), kafkaTopic == null ? KafkaWire.DEFAULT_TOPIC : kafkaTopic.trim());
    return new RecordServer.Settings(host.trim(), port, noRecordings ? null : recordings, tlsMode, secretList,
        maxCalls, grpcPort, adminPort == null ? -1 : adminPort, Duration.ofMillis(Math.round(drainTimeout * 1000)),
        kafkaSettings);
  }

  /** Informational stderr lines go here: stderr, or nowhere with --quiet. */
  private PrintWriter status(PrintWriter err) {
    return logOptions.chatty() ? err : new PrintWriter(Writer.nullWriter());
  }

  /**
   * Creates the directory if missing and writes and deletes a probe file in it: a directory the
   * recorder cannot write would answer every call and lose it (permissions, a read-only mount).
   */
  private void requireWritable(Path directory) {
    try {
      Files.createDirectories(directory);
      Path probe = Files.createTempFile(directory, ".callstream-probe-", ".tmp");
      Files.delete(probe);
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      throw usage("--recordings is not writable: " + directory + " (" + reason(e) + ")");
    }
  }

  private static String reason(Exception e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileSystemException fs && fs.getReason() != null) {
      return fs.getReason();
    }
    if (e instanceof UnsupportedOperationException) {
      return "read-only file system";
    }
    return "cannot create a file in it";
  }

  /** --secret values and --secret-file lines; else CALLSTREAM_SECRET (comma-separated). */
  private List<String> secretList() {
    List<String> all = new ArrayList<>(secrets == null ? List.of() : secrets);
    if (all.stream().anyMatch(String::isEmpty)) {
      throw usage("--secret must not be empty");
    }
    if (secretFile != null) {
      List<String> lines = readLines("--secret-file", secretFile).stream()
          .map(String::strip)
          .filter(line -> !line.isEmpty() && !line.startsWith("#"))
          .toList();
      if (lines.isEmpty()) {
        throw usage("--secret-file holds no secret: " + secretFile);
      }
      all.addAll(lines);
    }
    if (all.isEmpty()) {
      String fromEnvironment = environment.get(ENV_SECRET);
      if (fromEnvironment != null && !fromEnvironment.isBlank()) {
        for (String secret : fromEnvironment.split(",")) {
          if (!secret.isBlank()) {
            all.add(secret.strip());
          }
        }
      }
    }
    return List.copyOf(all);
  }

  /** --keystore-password, else the first line of its file, else CALLSTREAM_KEYSTORE_PASSWORD. */
  private String keystorePassword() {
    if (keystorePassword != null && keystorePasswordFile != null) {
      throw usage("give --keystore-password or --keystore-password-file, not both");
    }
    if (keystorePassword != null) {
      return keystorePassword;
    }
    if (keystorePasswordFile != null) {
      List<String> lines = readLines("--keystore-password-file", keystorePasswordFile);
      // A trailing newline is not part of the password; everything else on the line is.
      return lines.isEmpty() ? "" : lines.get(0);
    }
    return environment.get(ENV_KEYSTORE_PASSWORD);
  }

  /** The lines of a small secret file; the message names the file, never its content. */
  private List<String> readLines(String option, Path file) {
    readable(option, file);
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw usage(option + " cannot be read: " + file + " (" + reason(e) + ")");
    }
  }

  private Tls tls() {
    String mode = tls.trim().toLowerCase(Locale.ROOT);
    boolean keystoreMode = mode.equals(TLS_KEYSTORE);
    boolean pemMode = mode.equals(TLS_PEM);
    if (!keystoreMode
        && (keystore != null || keystorePassword != null || keystorePasswordFile != null)) {
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
        String password = keystorePassword();
        if (keystore == null || password == null) {
          throw usage("--tls keystore needs --keystore FILE and --keystore-password P (or"
              + " --keystore-password-file FILE, or env " + ENV_KEYSTORE_PASSWORD + ")");
        }
        return Tls.pkcs12(readable("--keystore", keystore), password);
      case TLS_PEM:
        if (cert == null || key == null) {
          throw usage("--tls pem needs --cert FILE and --key FILE");
        }
        PemCheck.requireCertificates("--cert", readable("--cert", cert));
        PemCheck.requirePrivateKey("--key", readable("--key", key));
        return Tls.pem(cert, key);
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
