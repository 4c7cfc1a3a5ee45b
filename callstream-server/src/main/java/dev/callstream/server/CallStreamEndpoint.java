package dev.callstream.server;

import dev.callstream.core.CallAdmission;
import dev.callstream.core.CallStreamListener;
import dev.callstream.server.internal.PortableEndpoint;
import dev.callstream.server.internal.PortableSettings;
import dev.callstream.server.wire.StreamCodec;
import dev.callstream.transport.Authenticator;
import dev.callstream.transport.CallStreamReceiverBuilder;
import dev.callstream.transport.internal.BuilderChecks;
import dev.callstream.transport.internal.ReceiverOptions;
import jakarta.websocket.server.ServerEndpointConfig;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The call endpoint for a servlet container you already run (Tomcat 10.1+/11, Jetty 12 ee10, Spring
 * Boot's embedded server, any Jakarta WebSocket 2.1+ implementation): the same listener API, per-call
 * guarantees, codec, limits, {@link Authenticator} and secrets handling as {@link CallStreamServer},
 * on the container's port, TLS and threads. It loads no Tyrus or Grizzly class.
 *
 * <pre>{@code
 * CallStreamEndpoint endpoint = CallStreamEndpoint.builder()
 *     .path("/callstream")
 *     .authenticator(Authenticator.secrets(List.of(secret)))
 *     .listenerFactory(info -> new MyListener())
 *     .build();
 * // in a ServletContextListener (or Spring's ServletContextInitializer):
 * ServerContainer container = (ServerContainer) servletContext.getAttribute(ServerContainer.class.getName());
 * container.addEndpoint(endpoint.endpointConfig());
 * servletContext.addFilter("callstream", endpoint.handshakeFilter())        // optional: 401/503
 *     .addMappingForUrlPatterns(null, false, endpoint.path());
 * // at shutdown:
 * endpoint.drain(Duration.ofSeconds(30)).join();
 * }</pre>
 *
 * <h2>As in the standalone server</h2>
 * One listener per call from the factory; a call's callbacks run one at a time and in order on a
 * shared pool of dispatch threads owned by this endpoint (not the container's threads), different
 * calls in parallel; every call ends with exactly one {@code onEnd}; a listener that throws ends
 * only its own call (1011, {@code ERROR}); the same sequencing of Media (reorder window, gaps,
 * duplicates), the same malformed-message tolerance (skipped and reported up to the 100th, then
 * 1007), binary messages refused with 1003, a message over {@link Builder#maxMessageBytes} closed
 * with 1009 ({@code ERROR}), {@link Builder#idleTimeout} closing with 1001 ({@code CLOSED}), secret
 * query parameters and metadata fields removed before listeners (and recordings) see them, and the
 * metrics of {@link dev.callstream.core.metrics.CallStreamMetrics} ({@code transport=wss}).
 *
 * <h2>Differences (the standard API cannot do what the standalone server does)</h2>
 * <ul>
 *   <li><b>Refusing an upgrade.</b> A Jakarta WebSocket configurator cannot answer an upgrade with
 *       401 or 503. Without the {@link #handshakeFilter()} a refused upgrade is accepted and closed
 *       at once, before any listener exists: 1008 (policy violation) where the standalone server
 *       answers 401, 1013 (try again later) where it answers 503, 1011 where it answers 500 (the
 *       authenticator threw). With the filter mapped in front of the endpoint, upgrades get a real
 *       401 or 503 (and the filter performs the upgrade itself, through
 *       {@code ServerContainer.upgradeHttpToWebSocket}), exactly as the standalone server. Deployed
 *       both ways, whoever sees the request first decides: on Tomcat the application's filter runs
 *       before Tomcat's upgrade filter; Jetty runs its own upgrade filter first, so on Jetty map
 *       only the filter to get 401/503. The platform retries 5xx; whether it retries after a 1013
 *       close is not documented.
 *   <li><b>Back-pressure.</b> A container gives no portable way to stop reading one connection.
 *       Each call has a bounded queue of {@link Builder#queueCapacity} events between the container's
 *       thread and the listener; when a listener falls that far behind, the call is ended (never an
 *       event silently dropped): {@code onEnd(ERROR)} with a {@link dev.callstream.core.CallStreamException}
 *       saying so, the socket closed with 1011, a WARN log line with the call id, and the counter
 *       {@code callstream.listener.queue.overflows} (with a registry). The standalone server instead
 *       pauses reading and loses nothing.
 *   <li><b>Handshake timeout, TLS, ports, I/O threads:</b> the container's (no handshake timeout of
 *       ours; an admitted upgrade that never opens gives its call slot back after 10 s). The
 *       {@link Authenticator} runs on the container's request thread; the
 *       {@link dev.callstream.transport.Handshake#remoteAddress()} it sees is null without the filter
 *       (the WebSocket handshake API does not expose it) and its path is {@link #path()}.
 *   <li><b>Messages</b> arrive through the container, in parts: the size limit is still ours, in
 *       UTF-8 bytes as the standalone server counts it; a close the container decides itself (a
 *       frame over its own limits, invalid UTF-8, a protocol error) ends the call with
 *       {@code ERROR} as there. The standalone server's zero-copy frame path is not used.
 *   <li><b>Threads:</b> {@link Builder#build()} starts one timer thread (idle timeouts), dispatch
 *       threads start on demand; {@link #drain} and {@link #close()} stop them. Call one of them
 *       before the container stops (for example in {@code ServletContextListener.contextDestroyed}).
 * </ul>
 *
 * <p>Thread-safe. Deploy the config of one endpoint in one container; {@link #close()} is
 * idempotent and the endpoint cannot be restarted (build a new one).
 */
public final class CallStreamEndpoint implements AutoCloseable {
  private final PortableEndpoint runtime;
  private final String path;

  private CallStreamEndpoint(Builder config) {
    this.path = config.path;
    StreamCodec codec = config.codec != null ? config.codec : new StreamCodec();
    ReceiverOptions options = config.shared();
    this.runtime = new PortableEndpoint(new PortableSettings(config.path, options.listenerFactory(),
        options.authenticator(), codec, options.admissionOrLimit(), options.maxMessageBytes(),
        options.idleTimeout(), options.shutdownTimeout(), options.reorderWindow(), config.queueCapacity,
        options.dispatchThreads()), options.meterRegistry());
  }

  /** A builder with the defaults listed on each setter. */
  public static Builder builder() {
    return new Builder();
  }

  /** The path the endpoint is deployed at, for example {@code /} or {@code /callstream}. */
  public String path() {
    return path;
  }

  /**
   * The config to deploy: {@code serverContainer.addEndpoint(endpoint.endpointConfig())}. Its
   * configurator authenticates and admits each upgrade (refusals become 1008 / 1013 closes, see the
   * class comment) and hands every session the endpoint instance of this object. The same config
   * each time.
   */
  public ServerEndpointConfig endpointConfig() {
    return runtime.endpointConfig();
  }

  /**
   * An optional servlet filter to map to {@link #path()} in front of the endpoint: it answers an
   * upgrade request with HTTP 401 when the authenticator refuses it and HTTP 503 (with
   * {@code Retry-After: 1}) when no call slot is free or the endpoint drains, as the standalone
   * server does; an admitted upgrade it performs itself with
   * {@code ServerContainer.upgradeHttpToWebSocket}. Other requests pass through. Needs the servlet
   * API (every servlet container provides it). The same filter each time.
   */
  public jakarta.servlet.Filter handshakeFilter() {
    return runtime.handshakeFilter();
  }

  /** Calls admitted and not yet ended (including upgrades being completed). */
  public int activeCalls() {
    return runtime.activeCalls();
  }

  /**
   * Whether new calls are refused because {@link #drain} or {@link #close()} has begun. A readiness
   * check should fail from then on.
   */
  public boolean draining() {
    return runtime.draining();
  }

  /**
   * Drains gracefully and returns at once: new upgrades are refused from now on (503 through the
   * filter, else 1013), open calls run on until they end by themselves; when all have ended or
   * {@code timeout} has passed, the rest end with {@link dev.callstream.core.EndReason#SHUTDOWN}
   * (closed with 1001) and the endpoint waits up to {@link Builder#shutdownTimeout} for their
   * terminal callbacks, then stops its threads. A second call, or {@link #close()}, can only bring
   * the deadline forward.
   *
   * @param timeout how long open calls may run on; zero ends them at once
   * @return completed once every call has ended and the endpoint's threads have stopped
   */
  public CompletableFuture<Void> drain(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout < 0: " + timeout);
    }
    return runtime.drain(timeout).copy();
  }

  /**
   * A drain of zero that waits: ends every open call with {@code SHUTDOWN} ({@code onEnd} for each),
   * waits up to {@link Builder#shutdownTimeout} for their terminal callbacks and stops the
   * endpoint's threads. Idempotent. The container itself is not stopped.
   */
  @Override
  public void close() {
    drain(Duration.ZERO).exceptionally(error -> null).join();
  }

  @Override
  public String toString() {
    return "CallStreamEndpoint[" + path + (draining() ? ", draining" : "") + "]";
  }

  /**
   * Configures a {@link CallStreamEndpoint}. Every setter validates its argument at once and throws
   * {@link IllegalArgumentException} naming the value. The settings every receiver shares are
   * described on {@link CallStreamReceiverBuilder}.
   */
  public static final class Builder extends CallStreamReceiverBuilder<Builder> {
    private String path = "/";
    private StreamCodec codec;
    private int queueCapacity = 1000;

    private Builder() {}

    /** The shared settings, for the enclosing class (options() is only visible in here). */
    private ReceiverOptions shared() {
      return options();
    }

    /**
     * The path to deploy at, starting with {@code /}, without query or wildcard (a URI template is
     * not supported); default {@code /}.
     */
    public Builder path(String path) {
      Objects.requireNonNull(path, "path");
      if (!path.startsWith("/") || path.contains("?") || path.contains("*") || path.contains("{")
          || path.contains("#") || path.chars().anyMatch(c -> c <= ' ')) {
        throw new IllegalArgumentException("path must start with / and hold no query, wildcard, template"
            + " or blank: " + path);
      }
      this.path = path;
      return this;
    }

    /** The codec; default a new {@link StreamCodec}. */
    public Builder codec(StreamCodec codec) {
      this.codec = Objects.requireNonNull(codec, "codec");
      return this;
    }

    /**
     * Events queued per call for its listener; a listener that falls this far behind ends its call
     * ({@code ERROR}, 1011; see the class comment). Default 1,000 (about 10 s of audio).
     */
    public Builder queueCapacity(int queueCapacity) {
      this.queueCapacity = BuilderChecks.atLeast("queueCapacity", queueCapacity, 16);
      return this;
    }

    /**
     * An endpoint with this configuration; starts its timer thread (dispatch threads start on demand).
     *
     * @throws IllegalStateException when no listener factory was given
     */
    public CallStreamEndpoint build() {
      options().requireComplete();
      return new CallStreamEndpoint(this);
    }
  }
}
