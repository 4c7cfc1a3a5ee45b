package dev.callstream.server;

import dev.callstream.core.CallAdmission;
import dev.callstream.core.CallStreamException;
import dev.callstream.core.CallStreamListener;
import dev.callstream.server.internal.ServerMetrics;
import dev.callstream.server.internal.ServerRuntime;
import dev.callstream.server.internal.ServerSettings;
import dev.callstream.server.wire.StreamCodec;
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
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A WebSocket (Secure) server that receives Engage Voice call streams on path {@code /} (any query
 * string) and hands each call to its own {@link CallStreamListener}.
 *
 * <pre>{@code
 * try (CallStreamServer server = CallStreamServer.builder()
 *     .host("0.0.0.0").port(3333)
 *     .tls(Tls.pem(Path.of("cert.pem"), Path.of("key.pem")))
 *     .authenticator(Authenticator.secrets(List.of(secret)))
 *     .listenerFactory(info -> new MyListener())
 *     .build()
 *     .start()) {
 *   System.out.println("listening on " + server.uri());
 *   server.awaitTermination(); // until close() from another thread (or the thread is interrupted)
 * }
 * }</pre>
 *
 * <h2>Handshake</h2>
 * The upgrade query is parsed into the call's {@link dev.callstream.core.CallInfo}, the
 * {@link Authenticator} decides (HTTP 401 refuses; the platform does not retry 4xx), then a call slot
 * is reserved atomically (HTTP 503 when {@link Builder#maxCalls} calls are open; the platform retries
 * 5xx). Other paths get 404. A connection that has not completed its upgrade within
 * {@link Builder#handshakeTimeout} (including its TLS handshake) is cut.
 *
 * <h2>Dispatch</h2>
 * Messages are decoded on the connection's I/O thread and queued on the call's own lane, drained by a
 * shared pool of {@link Builder#dispatchThreads} threads, at most one task per call at a time. So a
 * call's listener sees its events sequentially and in order, different calls run in parallel, and a
 * listener that is slow or throws affects only its own call. A dispatch thread is woken at most a
 * millisecond after a message was read, once for every message read meanwhile, not per message.
 * {@link Builder#dispatch} can instead run callbacks on the I/O thread, for listeners that never
 * block ({@link Dispatch#IO_THREAD}); a factory that declares it blocks
 * ({@link CallStreamListener.Factory#blocks()}, as {@code CallRecorder} does) is refused there.
 *
 * <h2>Back-pressure</h2>
 * A call's lane holds {@link Builder#laneCapacity} events (default 1,000, about 10 s of audio). When
 * a listener falls that far behind, the server stops reading that call's connection until the lane
 * has drained to half (logged at WARN with the call id): the sender meets TCP back-pressure, no
 * event is dropped, and other calls are not affected. Only the rest of the bytes already read can
 * land beyond the capacity; a peer that gets far beyond it anyway is closed with 1008. A call whose
 * reading is paused is not idle. The I/O thread never blocks and no queue is unbounded.
 *
 * <h2>Ends</h2>
 * Every call ends with exactly one {@code onEnd}: {@code STOPPED} after both Stops (the socket is
 * then closed with 1000); {@code CLOSED} when the peer closes or the connection drops before that,
 * when the listener closes its session, or after {@link Builder#idleTimeout} without a message (closed
 * with 1001); {@code ERROR} when the listener throws (1011) or the peer breaks the protocol: a binary
 * message (1003), a message over {@link Builder#maxMessageBytes} (1009), or the 100th malformed
 * message of the call (1007; up to then each malformed message is skipped, logged at WARN with the
 * call id and reported through {@code onError}); {@code SHUTDOWN} when {@link #close()} ends it,
 * or a {@link #drain} whose timeout passed (1001).
 *
 * <h2>Drain</h2>
 * {@link #drain(Duration)} is the graceful stop for rolling restarts: new upgrades get HTTP 503 at
 * once ({@link #ready()} turns false, for a load balancer's readiness check), open calls run to
 * their natural end up to the timeout, the rest then end with {@code SHUTDOWN}; it returns a future
 * to wait on. {@link #close()} is a drain of zero that waits.
 *
 * <h2>Metrics</h2>
 * With {@link Builder#meterRegistry} the server publishes the call metrics of
 * {@link dev.callstream.core.metrics.CallStreamMetrics} (Micrometer, tagged {@code transport=wss}).
 *
 * <h2>Secrets</h2>
 * Every query parameter and every Start or Stop metadata field whose name
 * {@link dev.callstream.core.Secrets} calls secret ({@code secret}, {@code api_key},
 * {@code X-Auth-Token}, {@code password}...) is removed from the {@code CallInfo}, {@code Start} and
 * {@code Stop} that listeners see, and masked in an {@code Unknown} event's JSON, so recordings never
 * store them. None is ever logged. The secret an {@link Authenticator} checks is still read from
 * exactly the {@code secret} query parameter, the {@code Authorization} header and the {@code secret}
 * Start field.
 *
 * <p>Thread-safe. {@link #close()} is idempotent; the server cannot be restarted.
 */
public final class CallStreamServer implements AutoCloseable {
  private final Builder config;
  private final Object lock = new Object();
  private ServerRuntime runtime;
  private TlsInfo tlsInfo;
  private CallAdmission admission;
  private boolean closed;

  private CallStreamServer(Builder config) {
    this.config = config;
  }

  /** A builder with the defaults listed on each setter. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Prepares TLS (reading files or generating the self-signed certificate), binds and starts
   * accepting calls.
   *
   * @return this server
   * @throws CallStreamException when TLS material cannot be read or the address cannot be bound
   * @throws IllegalStateException when already started or closed
   */
  public CallStreamServer start() {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("server is closed");
      }
      if (runtime != null) {
        throw new IllegalStateException("server already started");
      }
      TlsMaterial material = config.tls.load(config.host);
      ReceiverOptions options = config.shared();
      StreamCodec codec = config.codec != null ? config.codec : new StreamCodec();
      // Only a given registry loads the metrics classes (Micrometer is an optional dependency).
      ServerMetrics metrics = options.meterRegistry() == null ? null : ServerMetrics.create(options.meterRegistry());
      CallStreamListener.Factory factory = metrics == null ? options.listenerFactory()
          : metrics.instrument(options.listenerFactory());
      admission = options.admissionOrLimit();
      ServerSettings settings = new ServerSettings(config.host, config.port, material.sslContext(),
          factory, options.authenticator(), codec, admission, options.maxMessageBytes(),
          options.idleTimeout(), config.handshakeTimeout, options.shutdownTimeout(), options.reorderWindow(),
          config.laneCapacity, options.dispatchThreads(), config.ioThreads, config.dispatch);
      try {
        runtime = metrics == null ? ServerRuntime.start(settings) : ServerRuntime.start(settings, metrics.rejections());
      } catch (IOException e) {
        throw new CallStreamException("cannot listen on " + config.host + ":" + config.port + ": " + e.getMessage(), e);
      }
      tlsInfo = material.info();
      if (metrics != null) {
        metrics.bind(runtime.hub());
      }
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

  /** {@code wss://host:port/} or {@code ws://host:port/} (IPv6 hosts in brackets). */
  public URI uri() {
    String host = config.host.contains(":") && !config.host.startsWith("[") ? "[" + config.host + "]" : config.host;
    return URI.create((tls().secure() ? "wss" : "ws") + "://" + host + ":" + port() + "/");
  }

  /** Calls admitted and not yet ended (including handshakes being completed). */
  public int activeCalls() {
    ServerRuntime current;
    synchronized (lock) {
      current = runtime;
    }
    return current == null ? 0 : current.activeCalls();
  }

  /** What the server presents: TLS or not, the certificate and its SHA-256 fingerprint. */
  public TlsInfo tls() {
    synchronized (lock) {
      started();
      return tlsInfo;
    }
  }

  /**
   * Whether the server refuses new calls because {@link #drain} or {@link #close()} has begun (or
   * it is closed). A load balancer's readiness check should fail from then on.
   */
  public boolean draining() {
    synchronized (lock) {
      return closed;
    }
  }

  /**
   * Whether a new call would be admitted now: started, not draining, and fewer than
   * {@link Builder#maxCalls} calls open (counted by the {@link Builder#admission}, when one is shared). For readiness checks (a snapshot: the next upgrade decides).
   */
  public boolean ready() {
    CallAdmission slots;
    synchronized (lock) {
      if (closed || runtime == null) {
        return false;
      }
      slots = admission;
    }
    // The admission may be shared with other servers of the process: its count is what decides.
    return slots.active() < slots.maxCalls();
  }

  /**
   * Drains the server gracefully and returns at once. From this moment new upgrades are refused
   * with HTTP 503 (the platform retries another receiver; counted as rejected {@code draining}),
   * while the calls already open go on until they end by themselves. When all have ended, or when
   * {@code timeout} has passed, the rest end with {@link dev.callstream.core.EndReason#SHUTDOWN}
   * (sockets closed with 1001) and the server waits up to {@link Builder#shutdownTimeout} for their
   * terminal callbacks, then stops the network and its threads, exactly as {@link #close()} does.
   *
   * <p>Guarantees: every open call gets exactly one {@code onEnd}, after all its audio received
   * before its end; a call that ends by itself within the timeout is not disturbed (its reason is
   * its own, usually {@code STOPPED}). Calling {@code drain} again, or {@link #close()}, while a
   * drain runs brings its deadline forward (never back): {@code drain(Duration.ZERO)} ends the
   * remaining calls at once. The drain runs on its own (non-daemon) thread named
   * {@code callstream-drain}.
   *
   * @param timeout how long open calls may run on; zero ends them at once
   * @return a future completed (never exceptionally by a call's failure) once the server has fully
   *     stopped; {@code join()} it to wait. Before {@link #start()} it is already complete.
   */
  public CompletableFuture<Void> drain(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout < 0: " + timeout);
    }
    ServerRuntime current;
    synchronized (lock) {
      closed = true;
      current = runtime;
    }
    if (current == null) {
      return CompletableFuture.completedFuture(null);
    }
    return current.drain(timeout).copy();
  }

  /**
   * A drain of zero that waits: stops accepting calls (new upgrades get 503), ends every open call
   * with {@link dev.callstream.core.EndReason#SHUTDOWN} (sockets closed with 1001), waits up to
   * {@link Builder#shutdownTimeout} for their terminal callbacks, then stops the network and the
   * dispatch threads. Cuts a running {@link #drain} short. Idempotent; safe before {@link #start()}.
   */
  @Override
  public void close() {
    // A failure while stopping was logged by the drain; close() itself never throws for it.
    drain(Duration.ZERO).exceptionally(error -> null).join();
  }

  /**
   * Blocks the calling thread until the server has stopped: until {@link #close()}, or a
   * {@link #drain} that has finished, called from another thread (a shutdown hook, an admin
   * endpoint). It returns once every call has had its {@code onEnd} and the network and dispatch
   * threads are gone; at once if that has already happened. This is what keeps a {@code main}
   * serving: the server's threads are daemon threads, so the JVM exits when {@code main} returns.
   *
   * @throws InterruptedException when the waiting thread is interrupted (the server keeps running)
   * @throws IllegalStateException when not started
   */
  public void awaitTermination() throws InterruptedException {
    ServerRuntime current;
    synchronized (lock) {
      if (runtime == null) {
        throw new IllegalStateException(closed ? "server closed before it was started" : "server not started");
      }
      current = runtime;
    }
    current.awaitTermination();
  }

  private ServerRuntime started() {
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
      return "CallStreamServer[" + config.host + ":" + (runtime == null ? config.port : runtime.port())
          + ", " + config.tls + (closed ? ", closed" : runtime == null ? ", not started" : "") + "]";
    }
  }

  /**
   * Configures a {@link CallStreamServer}. Every setter validates its argument at once and throws
   * {@link IllegalArgumentException} naming the value. The settings every receiver shares are
   * described on {@link CallStreamReceiverBuilder}.
   */
  public static final class Builder extends CallStreamReceiverBuilder<Builder> {
    private String host = "127.0.0.1";
    private int port = 3333;
    private Tls tls;
    private StreamCodec codec;
    private Duration handshakeTimeout = Duration.ofSeconds(10);
    private int laneCapacity = 1000;
    private int ioThreads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() / 2));
    private Dispatch dispatch = Dispatch.POOL;

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
      codec = other.codec;
      handshakeTimeout = other.handshakeTimeout;
      laneCapacity = other.laneCapacity;
      ioThreads = other.ioThreads;
      dispatch = other.dispatch;
    }

    /** Address to bind; default {@code 127.0.0.1} ({@code 0.0.0.0} to expose). */
    public Builder host(String host) {
      this.host = BuilderChecks.host(host);
      return this;
    }

    /** Port to bind, 0 for any free port; default 3333. */
    public Builder port(int port) {
      this.port = BuilderChecks.port(port);
      return this;
    }

    /**
     * TLS source (required, no default: a server never silently serves a generated certificate):
     * {@link Tls#pkcs12} or {@link Tls#pem} in production, {@link Tls#selfSigned()} for local use,
     * {@link Tls#none()} for plain ws behind a TLS-terminating proxy.
     */
    public Builder tls(Tls tls) {
      this.tls = Objects.requireNonNull(tls, "tls");
      return this;
    }

    /** The codec; default a new {@link StreamCodec}. */
    public Builder codec(StreamCodec codec) {
      this.codec = Objects.requireNonNull(codec, "codec");
      return this;
    }

    /** A connection that has not completed its upgrade (TLS included) within this is cut. Default 10 s. */
    public Builder handshakeTimeout(Duration handshakeTimeout) {
      this.handshakeTimeout = BuilderChecks.positive("handshakeTimeout", handshakeTimeout);
      return this;
    }

    /** Events queued per call before reading of its connection pauses (see back-pressure). Default 1,000. */
    public Builder laneCapacity(int laneCapacity) {
      this.laneCapacity = BuilderChecks.atLeast("laneCapacity", laneCapacity, 16);
      return this;
    }

    /** Selector threads doing network I/O, TLS and decoding. Default max(1, min(4, cores / 2)). */
    public Builder ioThreads(int ioThreads) {
      this.ioThreads = BuilderChecks.atLeast("ioThreads", ioThreads, 1);
      return this;
    }

    /**
     * Where listener callbacks run: {@link Dispatch#POOL} (the default, safe for any listener) or
     * {@link Dispatch#IO_THREAD} for listeners that promise never to block (read its caveats: a
     * blocking listener then stalls the other calls on its I/O thread).
     */
    public Builder dispatch(Dispatch dispatch) {
      this.dispatch = Objects.requireNonNull(dispatch, "dispatch");
      return this;
    }

    /**
     * An unstarted server with this configuration.
     *
     * @throws IllegalStateException when no listener factory or no TLS choice was given, or when
     *     {@link Dispatch#IO_THREAD} is combined with a listener factory that
     *     {@linkplain CallStreamListener.Factory#blocks() blocks} (such as a {@code CallRecorder})
     */
    public CallStreamServer build() {
      options().requireComplete();
      BuilderChecks.tls(tls, "plain ws");
      if (dispatch == Dispatch.IO_THREAD && options().listenerFactory().blocks()) {
        // A blocking listener on a selector thread would stall every call that thread serves.
        throw new IllegalStateException("Dispatch.IO_THREAD runs listener callbacks on the I/O threads, but the"
            + " listener factory blocks (CallStreamListener.Factory.blocks(); CallRecorder writes files"
            + " synchronously): use Dispatch.POOL");
      }
      return new CallStreamServer(new Builder(this));
    }
  }
}
