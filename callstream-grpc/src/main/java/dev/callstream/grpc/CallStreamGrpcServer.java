package dev.callstream.grpc;

import dev.callstream.core.CallAdmission;
import dev.callstream.core.CallStreamException;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.internal.CallDriver;
import dev.callstream.grpc.internal.GrpcMetrics;
import dev.callstream.grpc.internal.GrpcRuntime;
import dev.callstream.grpc.internal.GrpcSettings;
import dev.callstream.grpc.internal.TlsSource;
import dev.callstream.transport.Authenticator;
import dev.callstream.transport.Tls;
import dev.callstream.transport.TlsInfo;
import dev.callstream.transport.TlsMaterial;
import dev.callstream.transport.internal.BuilderChecks;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * A gRPC server that receives RingCX audio streams
 * ({@code ringcentral.ringcx.streaming.v1beta2.Streaming/Stream}) and hands each call to its own
 * {@link CallStreamListener}: the same listeners, recorder and PCM streams as the WebSocket server.
 *
 * <pre>{@code
 * try (CallStreamGrpcServer server = CallStreamGrpcServer.builder()
 *     .host("0.0.0.0").port(443)
 *     .tls(Tls.pem(Path.of("cert.pem"), Path.of("key.pem")))
 *     .authenticator(Authenticator.secrets(List.of(secret)))
 *     .listenerFactory(info -> new MyListener())
 *     .build()
 *     .start()) {
 *   System.out.println("listening on " + server.uri());
 *   server.awaitTermination();
 * }
 * }</pre>
 *
 * <h2>Admission</h2>
 * The {@link Authenticator} decides first, on the stream's request metadata; with
 * {@link Authenticator#secrets} the {@code authorization} value must be {@code Bearer S} or
 * {@code S}. A refused stream is closed with {@code UNAUTHENTICATED} before any event is read and no
 * listener is created. Then a call slot is taken ({@link Builder#maxCalls}, or a {@link CallAdmission} shared
 * with other servers); without one the stream is closed with {@code RESOURCE_EXHAUSTED}.
 *
 * <h2>Mapping</h2>
 * {@code DialogInit} starts the call ({@code onStart}: dialog id as call id, the stream's
 * {@code session_id} as session id; wire details {@code account} and {@code dialog});
 * {@code SegmentStart} starts a segment (a missing audio format means PCMU, 8000 Hz, 100 ms);
 * {@code SegmentMedia} frames are sequenced per segment by {@code seq}; {@code SegmentInfo} and
 * {@code SegmentStop} go to {@code onSegmentInfo} and {@code onSegmentStop}. Every event but media is
 * also delivered raw as a {@link GrpcTransportEvent}. PCMU and PCMA are decoded as G.711, L16 as
 * 16-bit big-endian PCM; OPUS and FLAC frames are delivered as received and reported once per
 * segment through {@code onError} as not decoded.
 *
 * <h2>Dispatch and back-pressure</h2>
 * Each call has its own serial lane on a shared pool of {@link Builder#dispatchThreads} threads: a
 * call's listener sees its events sequentially and in order, calls run in parallel. Automatic flow
 * control is off: the server requests {@link Builder#callBuffer} messages and more as the listener
 * handles them (in batches of half the buffer), so at most {@code callBuffer} messages wait and a
 * slow listener makes gRPC stop reading its stream and the client's HTTP/2 window fill
 * ({@code isReady()} false): nothing is dropped and other calls are not affected.
 *
 * <h2>Bad input</h2>
 * Costs only its own call. Skipped, logged at WARN with the call id and reported through
 * {@code onError} ({@link dev.callstream.core.MalformedEventException}): events before
 * {@code DialogInit}, a second {@code DialogInit}, events for an unknown segment, an event of an
 * unknown kind, an empty payload, a payload of more than four frames of its format or of a partial
 * sample, a segment with an unknown codec or an absurd rate or ptime (its media is then dropped).
 * Sequence numbers that jump absurdly far are dropped as late by the sequencer. The
 * {@link Builder#maxMalformedEvents}th such event ends the call ({@code ERROR},
 * {@code INVALID_ARGUMENT}). A message over {@link Builder#maxMessageBytes} ends the call
 * ({@code ERROR}, {@code RESOURCE_EXHAUSTED}).
 *
 * <h2>Ends</h2>
 * Exactly one {@code onEnd} per call: when the client half-closes, {@code STOPPED} if every started
 * segment got its {@code SegmentStop}, else {@code CLOSED}, and the RPC then completes with OK and
 * {@code Empty} (after {@code onEnd}); {@code CLOSED} when the client cancels, or after
 * {@link Builder#idleTimeout} without an event ({@code CANCELLED}); {@code ERROR} as above or when the
 * listener throws; {@code SHUTDOWN} when {@link #close()} or a {@link #drain} whose timeout passed
 * ends it ({@code UNAVAILABLE}).
 *
 * <p>Thread-safe. {@link #close()} is idempotent; the server cannot be restarted.
 */
public final class CallStreamGrpcServer implements AutoCloseable {
  private final Builder config;
  private final Object lock = new Object();
  private GrpcRuntime runtime;
  private TlsInfo tlsInfo;
  private boolean closed;

  private CallStreamGrpcServer(Builder config) {
    this.config = config;
  }

  /** A builder with the defaults listed on each setter. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Binds and starts accepting streams.
   *
   * @return this server
   * @throws CallStreamException when the address cannot be bound or TLS cannot be set up
   * @throws IllegalStateException when already started or closed
   */
  public CallStreamGrpcServer start() {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("server is closed");
      }
      if (runtime != null) {
        throw new IllegalStateException("server already started");
      }
      CallAdmission admission = config.admission != null ? config.admission : CallAdmission.limit(config.maxCalls);
      TlsMaterial material = config.tls.load(config.host);
      // Only a given registry loads the metrics classes (Micrometer is an optional dependency).
      GrpcMetrics metrics = config.meterRegistry == null ? null : GrpcMetrics.create(config.meterRegistry);
      CallStreamListener.Factory factory = metrics == null ? config.listenerFactory
          : metrics.instrument(config.listenerFactory);
      GrpcSettings settings = new GrpcSettings(config.host, config.port, TlsSource.of(material),
          factory, config.authenticator, admission, config.maxMessageBytes, config.idleTimeout,
          config.handshakeTimeout, config.shutdownTimeout, config.keepAliveTime, config.keepAliveTimeout,
          config.permitKeepAliveTime, config.permitKeepAliveWithoutCalls, config.reorderWindow,
          config.callBuffer, config.flowControlWindow, config.dispatchThreads, config.maxMalformedEvents);
      try {
        runtime = metrics == null ? GrpcRuntime.start(settings) : GrpcRuntime.start(settings, metrics.rejections());
      } catch (IOException | RuntimeException e) {
        throw new CallStreamException("cannot listen for gRPC on " + config.host + ":" + config.port + ": " + e.getMessage(), e);
      }
      tlsInfo = material.info();
      return this;
    }
  }

  /** The bound port (the real one when built with port 0). */
  public int port() {
    return started().port();
  }

  /** The configured bind address. */
  public String host() {
    return config.host;
  }

  /** What the server presents: TLS or not, the certificate and its SHA-256 fingerprint. */
  public TlsInfo tls() {
    synchronized (lock) {
      started();
      return tlsInfo;
    }
  }

  /** {@code grpcs://host:port} or {@code grpc://host:port} (IPv6 hosts in brackets). */
  public URI uri() {
    String host = config.host.contains(":") && !config.host.startsWith("[") ? "[" + config.host + "]" : config.host;
    return URI.create((tls().secure() ? "grpcs" : "grpc") + "://" + host + ":" + port());
  }

  /** Calls admitted by this server and not yet ended. */
  public int activeCalls() {
    GrpcRuntime current;
    synchronized (lock) {
      current = runtime;
    }
    return current == null ? 0 : current.activeCalls();
  }

  /** True while new streams are admitted: started, not draining or closed, and a call slot free. */
  public boolean ready() {
    GrpcRuntime current;
    synchronized (lock) {
      if (closed) {
        return false;
      }
      current = runtime;
    }
    return current != null && current.ready();
  }

  /** True once {@link #drain} or {@link #close()} has begun. */
  public boolean draining() {
    GrpcRuntime current;
    synchronized (lock) {
      current = runtime;
    }
    return current != null && current.draining();
  }

  /**
   * The graceful stop for rolling restarts: new streams get {@code UNAVAILABLE} at once
   * ({@link #ready()} turns false), open calls run to their natural end for up to {@code timeout},
   * the rest then end with {@link dev.callstream.core.EndReason#SHUTDOWN}; then the network and the
   * threads stop. A second drain with a shorter timeout brings the end forward ({@code Duration.ZERO}:
   * at once). Until the end the server keeps listening and keeps its connections, so every stream
   * opened meanwhile is refused by the server itself ("server draining") and counted as rejected
   * {@code draining}; HTTP/2 GOAWAY is sent when the network stops.
   *
   * @return completes when the server has stopped
   * @throws IllegalStateException when not started
   */
  public java.util.concurrent.CompletableFuture<Void> drain(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    return started().drain(timeout);
  }

  /**
   * Stops accepting streams (new ones get {@code UNAVAILABLE}), ends every open call with
   * {@link dev.callstream.core.EndReason#SHUTDOWN}, waits up to {@link Builder#shutdownTimeout} for
   * their terminal callbacks, then stops the network and the dispatch threads. Idempotent; safe before
   * {@link #start()}.
   */
  @Override
  public void close() {
    GrpcRuntime current;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      current = runtime;
    }
    if (current != null) {
      current.shutdown();
    }
  }

  /**
   * Blocks the calling thread until the server has stopped: until {@link #close()}, or a
   * {@link #drain} that has finished, called from another thread (a shutdown hook, an admin
   * endpoint). It returns once every call has had its {@code onEnd} and the network and dispatch
   * threads are gone; at once if that has already happened. This is what keeps a {@code main}
   * serving.
   *
   * @throws InterruptedException when the waiting thread is interrupted (the server keeps running)
   * @throws IllegalStateException when not started
   */
  public void awaitTermination() throws InterruptedException {
    started().awaitTermination();
  }

  private GrpcRuntime started() {
    synchronized (lock) {
      if (runtime == null) {
        throw new IllegalStateException("server not started");
      }
      return runtime;
    }
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "CallStreamGrpcServer[" + config.host + ":" + (runtime == null ? config.port : runtime.port())
          + ", " + config.tls + (closed ? ", closed" : runtime == null ? ", not started" : "") + "]";
    }
  }

  /**
   * Configures a {@link CallStreamGrpcServer}. Every setter validates its argument at once and throws
   * {@link IllegalArgumentException} naming the value.
   */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port = 10443;
    private Tls tls;
    private CallStreamListener.Factory listenerFactory;
    private Authenticator authenticator = Authenticator.NONE;
    private CallAdmission admission;
    private Object meterRegistry;
    private int maxCalls = 500;
    private int maxMessageBytes = 64 * 1024;
    private Duration idleTimeout = Duration.ofSeconds(60);
    private Duration handshakeTimeout = Duration.ofSeconds(10);
    private Duration shutdownTimeout = Duration.ofSeconds(10);
    private Duration keepAliveTime = Duration.ofSeconds(60);
    private Duration keepAliveTimeout = Duration.ofSeconds(20);
    private Duration permitKeepAliveTime = Duration.ofSeconds(10);
    private boolean permitKeepAliveWithoutCalls = true;
    private int reorderWindow = CallDriver.DEFAULT_REORDER_WINDOW;
    private int callBuffer = 256;
    private int flowControlWindow = 256 * 1024;
    private int dispatchThreads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    private int maxMalformedEvents = 100;

    private Builder() {}

    /** Address to bind; default {@code 127.0.0.1} ({@code 0.0.0.0} to expose). */
    public Builder host(String host) {
      Objects.requireNonNull(host, "host");
      if (host.isBlank()) {
        throw new IllegalArgumentException("host is blank");
      }
      this.host = host;
      return this;
    }

    /** Port to bind, 0 for any free port; default 10443 (RingCX connects to 443 or 10443). */
    public Builder port(int port) {
      if (port < 0) {
        throw new IllegalArgumentException("port < 0: " + port);
      }
      if (port > 65535) {
        throw new IllegalArgumentException("port > 65535: " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * TLS source (required, no default: a server never silently serves a generated certificate):
     * {@link Tls#pkcs12} or {@link Tls#pem} in production (RingCX accepts only a trusted
     * certificate), {@link Tls#selfSigned()} for local use, {@link Tls#none()} for plaintext HTTP/2
     * behind a TLS-terminating proxy or in tests. TLS 1.2 and 1.3, HTTP/2 by ALPN.
     */
    public Builder tls(Tls tls) {
      this.tls = Objects.requireNonNull(tls, "tls");
      return this;
    }

    /** Creates one listener per call (required). */
    public Builder listenerFactory(CallStreamListener.Factory listenerFactory) {
      this.listenerFactory = Objects.requireNonNull(listenerFactory, "listenerFactory");
      return this;
    }

    /**
     * Decides which streams become calls, on their request metadata; default
     * {@link Authenticator#NONE}. A {@code VERIFY_AT_START} decision is settled at once with the
     * {@code authorization} value offered as the {@code secret} field (gRPC has no later credential).
     */
    public Builder authenticator(Authenticator authenticator) {
      this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
      return this;
    }

    /**
     * Shorthand for {@code authenticator(Authenticator.secrets(secrets))}: streams must present one
     * of {@code secrets} (several allow rotation) in their {@code authorization} metadata, as
     * {@code Bearer S} or {@code S}; others are refused with {@code UNAUTHENTICATED}. Constant-time.
     */
    public Builder secrets(Collection<String> secrets) {
      return authenticator(Authenticator.secrets(List.copyOf(Objects.requireNonNull(secrets, "secrets"))));
    }

    /** Concurrent calls of this server; beyond them streams get {@code RESOURCE_EXHAUSTED}. Default 500. */
    public Builder maxCalls(int maxCalls) {
      this.maxCalls = BuilderChecks.atLeast("maxCalls", maxCalls, 1);
      return this;
    }

    /**
     * Publishes the call metrics of {@link dev.callstream.core.metrics.CallStreamMetrics} (tagged
     * {@code transport=grpc}) on {@code registry}: active, started and ended calls, frames, gaps,
     * duplicates and late frames per side, refused streams by reason ({@code unauthorized},
     * {@code capacity}, {@code draining}). Default none: then no Micrometer class is loaded and
     * Micrometer need not be on the class path.
     */
    public Builder meterRegistry(io.micrometer.core.instrument.MeterRegistry registry) {
      this.meterRegistry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /** Counts calls against a limit shared with other servers instead of {@link #maxCalls}. */
    public Builder admission(CallAdmission admission) {
      this.admission = Objects.requireNonNull(admission, "admission");
      return this;
    }

    /** Largest message; a larger one ends its call ({@code RESOURCE_EXHAUSTED}). Default 64 KiB. */
    public Builder maxMessageBytes(int maxMessageBytes) {
      this.maxMessageBytes = BuilderChecks.maxMessageBytes(maxMessageBytes);
      return this;
    }

    /** A call without any event for this long is ended ({@code CLOSED}). Default 60 s. */
    public Builder idleTimeout(Duration idleTimeout) {
      this.idleTimeout = BuilderChecks.positive("idleTimeout", idleTimeout);
      return this;
    }

    /** A connection that has not completed its TLS and HTTP/2 handshake within this is cut. Default 10 s. */
    public Builder handshakeTimeout(Duration handshakeTimeout) {
      this.handshakeTimeout = BuilderChecks.positive("handshakeTimeout", handshakeTimeout);
      return this;
    }

    /** How long {@link CallStreamGrpcServer#close()} waits for open calls to finish. Default 10 s. */
    public Builder shutdownTimeout(Duration shutdownTimeout) {
      this.shutdownTimeout = BuilderChecks.positive("shutdownTimeout", shutdownTimeout);
      return this;
    }

    /** The server pings a connection silent for this long. Default 60 s. */
    public Builder keepAliveTime(Duration keepAliveTime) {
      this.keepAliveTime = BuilderChecks.positive("keepAliveTime", keepAliveTime);
      return this;
    }

    /** A ping unanswered for this long closes the connection. Default 20 s. */
    public Builder keepAliveTimeout(Duration keepAliveTimeout) {
      this.keepAliveTimeout = BuilderChecks.positive("keepAliveTimeout", keepAliveTimeout);
      return this;
    }

    /**
     * The most frequent client keep-alive pings tolerated; a client pinging more often is sent
     * GOAWAY. Default 10 s (gRPC's own default, 5 minutes, would cut a client that pings every
     * minute).
     */
    public Builder permitKeepAliveTime(Duration permitKeepAliveTime) {
      this.permitKeepAliveTime = BuilderChecks.positive("permitKeepAliveTime", permitKeepAliveTime);
      return this;
    }

    /** Whether clients may ping a connection with no open call. Default true. */
    public Builder permitKeepAliveWithoutCalls(boolean permit) {
      this.permitKeepAliveWithoutCalls = permit;
      return this;
    }

    /** Frames held per segment to put late ones back in place; default 5. */
    public Builder reorderWindow(int reorderWindow) {
      this.reorderWindow = BuilderChecks.atLeast("reorderWindow", reorderWindow, 1);
      return this;
    }

    /**
     * Messages of one call that may wait for its listener before the server stops reading the stream
     * (gRPC flow control). Default 256 (about 12 s of a two-participant call at 100 ms chunks).
     */
    public Builder callBuffer(int callBuffer) {
      this.callBuffer = BuilderChecks.atLeast("callBuffer", callBuffer, 1);
      return this;
    }

    /** The HTTP/2 flow-control window per stream, in bytes. Default 256 KiB. */
    public Builder flowControlWindow(int bytes) {
      if (bytes < 65535) {
        throw new IllegalArgumentException("flowControlWindow < 65535: " + bytes);
      }
      this.flowControlWindow = bytes;
      return this;
    }

    /** Threads running listeners, shared by all calls. Default max(4, 2 x cores). */
    public Builder dispatchThreads(int dispatchThreads) {
      this.dispatchThreads = BuilderChecks.atLeast("dispatchThreads", dispatchThreads, 1);
      return this;
    }

    /** Malformed events that end a call ({@code INVALID_ARGUMENT}); fewer are skipped and reported. Default 100. */
    public Builder maxMalformedEvents(int maxMalformedEvents) {
      this.maxMalformedEvents = BuilderChecks.atLeast("maxMalformedEvents", maxMalformedEvents, 1);
      return this;
    }

    /**
     * An unstarted server with this configuration.
     *
     * @throws IllegalStateException when no listener factory was given
     */
    public CallStreamGrpcServer build() {
      if (listenerFactory == null) {
        throw new IllegalStateException("listenerFactory is required");
      }
      if (tls == null) {
        throw new IllegalStateException("tls is required: choose Tls.pkcs12(...) or Tls.pem(...) for a real"
            + " certificate, Tls.selfSigned() for local use, or Tls.none() for plaintext behind a TLS proxy");
      }
      Builder copy = new Builder();
      copy.host = host;
      copy.port = port;
      copy.tls = tls;
      copy.listenerFactory = listenerFactory;
      copy.authenticator = authenticator;
      copy.admission = admission;
      copy.meterRegistry = meterRegistry;
      copy.maxCalls = maxCalls;
      copy.maxMessageBytes = maxMessageBytes;
      copy.idleTimeout = idleTimeout;
      copy.handshakeTimeout = handshakeTimeout;
      copy.shutdownTimeout = shutdownTimeout;
      copy.keepAliveTime = keepAliveTime;
      copy.keepAliveTimeout = keepAliveTimeout;
      copy.permitKeepAliveTime = permitKeepAliveTime;
      copy.permitKeepAliveWithoutCalls = permitKeepAliveWithoutCalls;
      copy.reorderWindow = reorderWindow;
      copy.callBuffer = callBuffer;
      copy.flowControlWindow = flowControlWindow;
      copy.dispatchThreads = dispatchThreads;
      copy.maxMalformedEvents = maxMalformedEvents;
      return new CallStreamGrpcServer(copy);
    }
  }
}
