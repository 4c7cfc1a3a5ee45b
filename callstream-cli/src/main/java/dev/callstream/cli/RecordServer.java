package dev.callstream.cli;

import dev.callstream.core.CallAdmission;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.EndReason;
import dev.callstream.core.recording.CallRecorder;
import dev.callstream.grpc.CallStreamGrpcServer;
import dev.callstream.kafka.KafkaCallPublisher;
import dev.callstream.server.CallStreamServer;
import dev.callstream.transport.Authenticator;
import dev.callstream.transport.Tls;
import dev.callstream.transport.TlsInfo;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * What {@code callstream record} runs: a {@link CallRecorder} behind a {@link CallStreamServer}
 * and, with a gRPC port, a {@link CallStreamGrpcServer} sharing its recorder, TLS choice,
 * authenticator and call limit, printing one stdout line per listener when ready and one per call
 * start and end. Separate from the command so
 * that tests can start it in-process and stop it without signals.
 *
 * <p>Thread-safe. {@link #close()} is idempotent; a second caller waits until the first has finished
 * every open recording.
 */
final class RecordServer implements AutoCloseable {

  /** The default of {@code --drain-timeout}. */
  static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

  /**
   * A validated configuration.
   *
   * @param recordings where calls are written; null with {@code --recordings none} (then Kafka is required)
   * @param secrets empty when handshakes need no secret
   * @param grpcPort the gRPC listener's port (0 for any free one), or null for none
   * @param adminPort the admin HTTP port ({@code /healthz}, {@code /readyz}, {@code /metrics}), 0
   *     for a free one, -1 for none
   * @param drainTimeout how long open calls may run on after a drain begins
   * @param kafka where every call is also published, or null
   */
  record Settings(
      String host, int port, Path recordings, Tls tls, List<String> secrets, int maxCalls, Integer grpcPort,
      int adminPort, Duration drainTimeout, Kafka kafka) {
    Settings {
      Objects.requireNonNull(host, "host");
      if (recordings == null && kafka == null) {
        throw new IllegalArgumentException("no recordings and no Kafka: nothing would be kept");
      }
      Objects.requireNonNull(tls, "tls");
      Objects.requireNonNull(drainTimeout, "drainTimeout");
      secrets = List.copyOf(secrets);
    }

    /** Without Kafka. */
    Settings(String host, int port, Path recordings, Tls tls, List<String> secrets, int maxCalls, Integer grpcPort,
        int adminPort, Duration drainTimeout) {
      this(host, port, Objects.requireNonNull(recordings, "recordings"), tls, secrets, maxCalls, grpcPort, adminPort,
          drainTimeout, null);
    }

    /** With a gRPC port only, no admin endpoint, the default drain timeout. */
    Settings(String host, int port, Path recordings, Tls tls, List<String> secrets, int maxCalls, Integer grpcPort) {
      this(host, port, recordings, tls, secrets, maxCalls, grpcPort, -1, DEFAULT_DRAIN_TIMEOUT);
    }

    /** With Kafka only (recordings may be null), no admin endpoint, the default drain timeout. */
    Settings(String host, int port, Path recordings, Tls tls, List<String> secrets, int maxCalls, Kafka kafka) {
      this(host, port, recordings, tls, secrets, maxCalls, null, -1, DEFAULT_DRAIN_TIMEOUT, kafka);
    }

    /** Without gRPC, Kafka and the admin endpoint, with the default drain timeout. */
    Settings(String host, int port, Path recordings, Tls tls, List<String> secrets, int maxCalls) {
      this(host, port, recordings, tls, secrets, maxCalls, null, -1, DEFAULT_DRAIN_TIMEOUT);
    }

    /** Never prints the secrets themselves. */
    @Override
    public String toString() {
      return "Settings[" + host + ":" + port + ", " + recordings + ", " + tls + ", "
          + secrets.size() + " secrets, maxCalls=" + maxCalls + ", grpcPort=" + grpcPort
          + ", adminPort=" + adminPort + ", drainTimeout=" + drainTimeout + (kafka == null ? "" : ", " + kafka) + "]";
    }
  }

  /** {@code --kafka BOOTSTRAP [--kafka-topic T]}: every call is also published there (CONTRACTS.md section 7). */
  record Kafka(String bootstrap, String topic) {
    Kafka {
      Objects.requireNonNull(bootstrap, "bootstrap");
      Objects.requireNonNull(topic, "topic");
    }
  }

  private final CallStreamServer server;
  /** Null without {@code --grpc-port}. */
  private final CallStreamGrpcServer grpcServer;
  private final AdminServer admin;
  private final Path recordings;
  private final PrintWriter out;
  private final PrintWriter err;
  /** Null without {@code --kafka}. */
  private final KafkaCallPublisher publisher;
  private boolean closed;
  private CompletableFuture<Void> drain;

  private RecordServer(CallStreamServer server, CallStreamGrpcServer grpcServer, AdminServer admin, Path recordings,
      PrintWriter out, PrintWriter err, KafkaCallPublisher publisher) {
    this.publisher = publisher;
    this.server = server;
    this.grpcServer = grpcServer;
    this.admin = admin;
    this.recordings = recordings;
    this.out = out;
    this.err = err;
  }

  /**
   * Creates the recordings directory, repairs recordings a crash left behind, starts the server (and
   * the admin endpoint when {@link Settings#adminPort()} is not -1) and prints {@code listening on
   * <uri>} on {@code out}, followed by {@code admin on http://HOST:PORT/} with the admin endpoint.
   *
   * @throws IOException when the recordings directory cannot be created or listed, or the admin
   *     port cannot be bound
   * @throws dev.callstream.core.CallStreamException when TLS material cannot be read or the address
   *     cannot be bound
   */
  static RecordServer start(Settings settings, PrintWriter out, PrintWriter err) throws IOException {
    return start(settings, out, err, err);
  }

  /**
   * Like {@link #start(Settings, PrintWriter, PrintWriter)}, with the informational stderr lines
   * (certificate, recordings directory, repairs, shutdown progress) on {@code status}: {@code err},
   * or a writer that drops them for {@code --quiet}. Errors always go to {@code err}.
   */
  static RecordServer start(Settings settings, PrintWriter out, PrintWriter err, PrintWriter status)
      throws IOException {
    Path recordings = settings.recordings() == null ? null : settings.recordings().toAbsolutePath().normalize();
    if (recordings != null) {
      int repaired;
      try {
        Files.createDirectories(recordings);
        // Before any call is accepted: a live call's folder must never be taken for a crashed one.
        repaired = CallRecorder.repair(recordings);
      } catch (IOException e) {
        throw new IOException("cannot use recordings directory " + recordings + ": " + e, e);
      }
      if (repaired > 0) {
        line(status, "repaired " + repaired + " interrupted recording" + (repaired == 1 ? "" : "s")
            + " in " + recordings);
      }
    }
    // Metrics only with the admin endpoint: without it nobody could read them, and they cost nothing.
    PrometheusMeterRegistry registry = settings.adminPort() >= 0 ? AdminServer.newRegistry() : null;
    KafkaCallPublisher publisher = null;
    if (settings.kafka() != null) {
      // checks that the topic exists: a clear error before any call is accepted
      KafkaCallPublisher.Builder kafka = KafkaCallPublisher.builder(settings.kafka().bootstrap())
          .topic(settings.kafka().topic());
      if (registry != null) {
        kafka.meterRegistry(registry);
      }
      publisher = kafka.start();
    }
    try {
      return startServers(settings, recordings, publisher, registry, out, err, status);
    } catch (RuntimeException | IOException e) {
      if (publisher != null) {
        publisher.close();
      }
      throw e;
    }
  }

  private static RecordServer startServers(Settings settings, Path recordings, KafkaCallPublisher publisher,
      PrometheusMeterRegistry registry, PrintWriter out, PrintWriter err, PrintWriter status) throws IOException {
    CallStreamListener.Factory recorder;
    if (recordings == null) {
      recorder = CallStreamListener.Factory.all(new UnrecordedLines(out), publisher);
    } else {
      CallRecorder.Builder recorderBuilder = CallRecorder.builder(recordings).events(new Lines(out, err));
      if (registry != null) {
        recorderBuilder.meterRegistry(registry);
      }
      if (publisher != null) {
        recorderBuilder.callJsonExtras(publisher.callJsonExtras());
        recorder = CallStreamListener.Factory.all(recorderBuilder.build(), publisher);
      } else {
        recorder = recorderBuilder.build();
      }
    }
    CallStreamServer.Builder serverBuilder = CallStreamServer.builder();
    if (registry != null) {
      serverBuilder.meterRegistry(registry);
    }
    Authenticator authenticator = settings.secrets().isEmpty()
        ? Authenticator.NONE
        : Authenticator.secrets(settings.secrets());
    // One limit for both transports: --max-calls counts every open call of the process.
    CallAdmission admission = CallAdmission.limit(settings.maxCalls());
    CallStreamServer server = serverBuilder
        .host(settings.host())
        .port(settings.port())
        .tls(settings.tls())
        .authenticator(authenticator)
        .admission(admission)
        .listenerFactory(recorder)
        .build();
    server.start();
    CallStreamGrpcServer grpcServer = null;
    if (settings.grpcPort() != null) {
      try {
        CallStreamGrpcServer.Builder grpcBuilder = CallStreamGrpcServer.builder();
        if (registry != null) {
          grpcBuilder.meterRegistry(registry);
        }
        grpcServer = grpcBuilder
            .host(settings.host())
            .port(settings.grpcPort())
            .tls(settings.tls())
            .authenticator(authenticator)
            .admission(admission)
            .listenerFactory(recorder)
            .build()
            .start();
      } catch (RuntimeException e) {
        server.close();
        throw e;
      }
    }
    AdminServer admin = null;
    if (registry != null) {
      CallStreamGrpcServer grpc = grpcServer;
      try {
        admin = AdminServer.start(settings.host(), settings.adminPort(), registry,
            () -> notReadyBecause(server, grpc, admission));
      } catch (IOException | RuntimeException e) {
        server.close();
        if (grpcServer != null) {
          grpcServer.close();
        }
        throw new IOException("cannot listen on " + settings.host() + ":" + settings.adminPort()
            + " (--admin-port): " + e.getMessage(), e);
      }
    }
    RecordServer started = new RecordServer(server, grpcServer, admin, recordings, out, status, publisher);
    printFingerprint(status, "tls", server.tls());
    if (grpcServer != null) {
      // a self-signed choice generates one certificate per listener
      printFingerprint(status, "grpc tls", grpcServer.tls());
    }
    if (!settings.secrets().isEmpty()) {
      line(status, "handshakes need one of " + settings.secrets().size() + " secret"
          + (settings.secrets().size() == 1 ? "" : "s"));
    }
    line(status, recordings == null ? "not recording (--recordings none)" : "recording to " + recordings);
    if (publisher != null) {
      line(status, "publishing every call to kafka " + settings.kafka().bootstrap() + " topic " + publisher.topic());
    }
    String ready = "listening on " + server.uri();
    if (grpcServer != null) {
      ready += System.lineSeparator() + "listening on " + grpcServer.uri();
    }
    if (admin != null) {
      ready += System.lineSeparator() + "admin on " + admin.uri();
    }
    // One write: no call line can come between these lines.
    line(out, ready);
    return started;
  }

  private static void printFingerprint(PrintWriter err, String label, TlsInfo tls) {
    if (tls.sha256Fingerprint() != null) {
      line(err, label + ": " + (tls.selfSigned() ? "self-signed " : "") + "certificate sha256 "
          + tls.sha256Fingerprint());
    }
  }

  /** What {@code /readyz} says: null when a new call would be admitted. */
  private static String notReadyBecause(CallStreamServer server, CallStreamGrpcServer grpc, CallAdmission admission) {
    if (server.draining() || (grpc != null && grpc.draining())) {
      return "draining";
    }
    if (admission.active() >= admission.maxCalls()) {
      return "at --max-calls (" + admission.maxCalls() + ")";
    }
    return null;
  }

  /** The admin endpoint's address, or null without {@code --admin-port}. */
  URI adminUri() {
    return admin == null ? null : admin.uri();
  }

  /**
   * Starts a drain (CONTRACTS.md section 6) and returns at once: prints {@code draining N calls} on
   * stdout, {@code /readyz} turns 503 and new handshakes get 503 (gRPC: {@code UNAVAILABLE}) from
   * now on, open calls may run on for {@code timeout} and then end with {@code shutdown}. A second
   * call returns the same future.
   *
   * @return completed once every call has ended and the servers have stopped
   */
  synchronized CompletableFuture<Void> drain(Duration timeout) {
    if (drain == null) {
      if (closed) {
        return CompletableFuture.completedFuture(null);
      }
      // Counted before the drain starts: calls admitted after this line are refused anyway.
      int open = activeCalls();
      drain = grpcServer == null ? server.drain(timeout)
          : CompletableFuture.allOf(server.drain(timeout), grpcServer.drain(timeout));
      line(out, "draining " + open + " calls");
    }
    return drain;
  }

  /** {@code wss://host:port/} or {@code ws://host:port/}, with the real port. */
  URI uri() {
    return server.uri();
  }

  /** What the server presents (for tests: the client context trusting its certificate). */
  TlsInfo tls() {
    return server.tls();
  }

  /** The recordings directory, absolute; null with {@code --recordings none}. */
  Path recordings() {
    return recordings;
  }

  /** {@code grpcs://host:port} or {@code grpc://host:port}, or null without a gRPC listener. */
  URI grpcUri() {
    return grpcServer == null ? null : grpcServer.uri();
  }

  /** What the gRPC listener presents, or null without one. */
  TlsInfo grpcTls() {
    return grpcServer == null ? null : grpcServer.tls();
  }

  /** Calls admitted and not yet ended, on both transports. */
  int activeCalls() {
    return server.activeCalls() + (grpcServer == null ? 0 : grpcServer.activeCalls());
  }

  /**
   * Stops accepting calls, ends every open call with {@code shutdown} (cutting a running drain
   * short) and waits until their recordings are finished (valid files, {@code call.json} written),
   * then stops the network and the admin endpoint.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    int open = activeCalls();
    if (open > 0) {
      line(err, "shutting down: finishing " + open + " open call" + (open == 1 ? "" : "s"));
    }
    // Both stop accepting and end their calls (shutdown) in parallel: the gRPC listener on its own thread.
    Thread grpcClose = null;
    if (grpcServer != null) {
      grpcClose = new Thread(grpcServer::close, "callstream-record-grpc-close");
      grpcClose.start();
    }
    server.close();
    if (grpcClose != null) {
      try {
        grpcClose.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (publisher != null) {
      publisher.close(); // flushes what the calls queued
    }
    if (admin != null) {
      admin.close();
    }
    line(err, "stopped");
  }

  private static void line(PrintWriter writer, String text) {
    // One println is atomic on a PrintWriter; flush at once so that scripts see it while we run.
    writer.println(text);
    writer.flush();
  }

  /** The per-call lines: single-line, ids reduced to safe characters, never a secret. */
  static final class Lines implements CallRecorder.Events {
    private final PrintWriter out;
    private final PrintWriter err;

    Lines(PrintWriter out, PrintWriter err) {
      this.out = out;
      this.err = err;
    }

    @Override
    public void started(CallSession session, Path folder) {
      line(out, "call started " + callName(session) + " " + folder);
    }

    @Override
    public void finished(CallSession session, Path folder, EndReason reason, boolean complete) {
      line(out, "call ended " + callName(session) + " " + reason.label() + " complete=" + complete
          + " " + folder);
    }

    @Override
    public void failed(CallSession session, Path folder, IOException error) {
      line(err, "error: recording of call " + callName(session) + " failed: "
          + singleLine(String.valueOf(error.getMessage())));
    }
  }

  /** The per-call lines of {@code --recordings none}: the folder is {@code none}. */
  static final class UnrecordedLines implements CallStreamListener.Factory {
    private final PrintWriter out;

    UnrecordedLines(PrintWriter out) {
      this.out = out;
    }

    @Override
    public CallStreamListener create(dev.callstream.core.CallInfo info) {
      return new CallStreamListener() {
        private boolean started;
        private final java.util.Set<String> stopped = new java.util.HashSet<>();

        @Override
        public void onStart(CallSession session) {
          started = true;
          line(out, "call started " + callName(session) + " none");
        }

        @Override
        public void onSegmentStop(CallSession session, dev.callstream.core.Segment segment) {
          stopped.add(segment.id());
        }

        @Override
        public void onEnd(CallSession session, EndReason reason, Throwable cause) {
          if (!started) {
            return;
          }
          boolean complete = !session.segments().isEmpty()
              && session.segments().stream().allMatch(s -> stopped.contains(s.id()))
              && (session.transport() == dev.callstream.core.Transport.WSS || reason == EndReason.STOPPED);
          line(out, "call ended " + callName(session) + " " + reason.label() + " complete=" + complete + " none");
        }
      };
    }
  }

  /** {@code <callId>-<sessionId>} in the characters a folder name may hold. */
  static String callName(CallSession session) {
    return CallRecorder.safeName(session.callId()) + "-" + CallRecorder.safeName(session.sessionId());
  }

  private static String singleLine(String text) {
    return text.replaceAll("[\\r\\n\\t]+", " ");
  }
}
