package dev.callstream.grpc;

import dev.callstream.core.CallAdmission;
import dev.callstream.core.CallStreamException;
import dev.callstream.core.CallStreamListener;
import dev.callstream.grpc.internal.GrpcMetrics;
import dev.callstream.grpc.internal.GrpcRuntime;
import dev.callstream.grpc.internal.GrpcSettings;
import dev.callstream.grpc.internal.TlsSource;
import dev.callstream.transport.Authenticator;
import dev.callstream.transport.CallStreamReceiverBuilder;
import dev.callstream.transport.Tls;
import dev.callstream.transport.TlsInfo;
import dev.callstream.transport.TlsMaterial;
import dev.callstream.transport.internal.BuilderChecks;
import dev.callstream.transport.internal.ReceiverOptions;
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
 * Each call has its own serial lane: a call's listener sees its events sequentially and in order.
 * Lanes run on one batching thread, which wakes at most once a millisecond while audio flows and
 * runs every lane that has work (at real-time pace a thread woken per 100 ms chunk cost more CPU
 * than the chunk's handling); a listener that holds it for more than 10 ms (blocked on disk or
 * network) sends the other calls to a pool of {@link Builder#dispatchThreads} spare threads until
 * it returns, so calls keep running in parallel. Automatic flow
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
      ReceiverOptions options = config.shared();
      CallAdmission admission = options.admissionOrLimit();
      TlsMaterial material = config.tls.load(config.host);
      // Only a given registry loads the metrics classes (Micrometer is an optional dependency).
      GrpcMetrics metrics = options.meterRegistry() == null ? null : GrpcMetrics.create(options.meterRegistry());
      CallStreamListener.Factory factory = metrics == null ? options.listenerFactory()
          : metrics.instrument(options.listenerFactory());
      GrpcSettings settings = new GrpcSettings(config.host, config.port, TlsSource.of(material),
          factory, options.authenticator(), admission, options.maxMessageBytes(), options.idleTimeout(),
          config.handshakeTimeout, options.shutdownTimeout(), config.keepAliveTime, config.keepAliveTimeout,
          config.permitKeepAliveTime, config.permitKeepAliveWithoutCalls, options.reorderWindow(),
          config.callBuffer, config.flowControlWindow, options.dispatchThreads(), config.maxMalformedEvents);
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
   * at once).
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
   * {@link IllegalArgumentException} naming the value. The settings every receiver shares are
   * described on {@link CallStreamReceiverBuilder}.
   */
  public static final class Builder extends CallStreamReceiverBuilder<Builder> {
    private String host = "127.0.0.1";
    private int port = 10443;
    private Tls tls;
    private Duration handshakeTimeout = Duration.ofSeconds(10);
    private Duration keepAliveTime = Duration.ofSeconds(60);
    private Duration keepAliveTimeout = Duration.ofSeconds(20);
    private Duration permitKeepAliveTime = Duration.ofSeconds(10);
    private boolean permitKeepAliveWithoutCalls = true;
    private int callBuffer = 256;
    private int flowControlWindow = 256 * 1024;
    private int maxMalformedEvents = 100;

    private Builder() {}

    /** The shared settings, for the enclosing class (options() is only visible in here). */
    private ReceiverOptions shared() {
      return options();
    }

    /** A snapshot of {@code other}, for {@link #build()}. */
    private Builder(Builder other) {
      options().copyFrom(other.options());
      host = other.host;
      port = other.port;
      tls = other.tls;
      handshakeTimeout = other.handshakeTimeout;
      keepAliveTime = other.keepAliveTime;
      keepAliveTimeout = other.keepAliveTimeout;
      permitKeepAliveTime = other.permitKeepAliveTime;
      permitKeepAliveWithoutCalls = other.permitKeepAliveWithoutCalls;
      callBuffer = other.callBuffer;
      flowControlWindow = other.flowControlWindow;
      maxMalformedEvents = other.maxMalformedEvents;
    }

    /** Address to bind; default {@code 127.0.0.1} ({@code 0.0.0.0} to expose). */
    public Builder host(String host) {
      this.host = BuilderChecks.host(host);
      return this;
    }

    /** Port to bind, 0 for any free port; default 10443 (RingCX connects to 443 or 10443). */
    public Builder port(int port) {
      this.port = BuilderChecks.port(port);
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

    /**
     * Shorthand for {@code authenticator(Authenticator.secrets(secrets))}: streams must present one
     * of {@code secrets} (several allow rotation) in their {@code authorization} metadata, as
     * {@code Bearer S} or {@code S}; others are refused with {@code UNAUTHENTICATED}. Constant-time.
     */
    public Builder secrets(Collection<String> secrets) {
      return authenticator(Authenticator.secrets(List.copyOf(Objects.requireNonNull(secrets, "secrets"))));
    }

    /** A connection that has not completed its TLS and HTTP/2 handshake within this is cut. Default 10 s. */
    public Builder handshakeTimeout(Duration handshakeTimeout) {
      this.handshakeTimeout = BuilderChecks.positive("handshakeTimeout", handshakeTimeout);
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
      this.flowControlWindow = BuilderChecks.atLeast("flowControlWindow", bytes, 65535);
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
     * @throws IllegalStateException when no listener factory or no TLS choice was given
     */
    public CallStreamGrpcServer build() {
      options().requireComplete();
      BuilderChecks.tls(tls, "plaintext");
      return new CallStreamGrpcServer(new Builder(this));
    }
  }
}
