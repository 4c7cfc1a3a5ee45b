package dev.callstream.server.internal;

import dev.callstream.core.CallInfo;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.Secrets;
import dev.callstream.core.metrics.CallStreamMetrics;
import dev.callstream.server.Dispatch;
import dev.callstream.transport.Authenticator.Decision;
import dev.callstream.transport.Handshake;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime behind {@code CallStreamEndpoint}: a {@link CallHub} (the same calls, lanes, dispatch
 * pool, sequencing and drain as the standalone server) fed by any Jakarta WebSocket container.
 *
 * <p>The handshake decision is taken once per upgrade: by the {@link PortableHandshakeFilter} when it
 * is mapped in front (real 401/503 answers), else by the configurator's {@code modifyHandshake}
 * (which cannot refuse: the decision is carried to {@code onOpen}, which closes the session with
 * 1008 or 1013). Either way the admission travels in the per-session copy of the config's user
 * properties that Jakarta WebSocket containers hand to {@code modifyHandshake} and {@code onOpen}.
 *
 * <p>Loads no Tyrus or Grizzly class; the servlet API only when {@link #handshakeFilter()} is called.
 */
public final class PortableEndpoint {
  private static final Logger log = LoggerFactory.getLogger(PortableEndpoint.class);
  /** User-property key of an upgrade's {@link Admission}. */
  static final String ADMISSION = PortableEndpoint.class.getName() + ".admission";
  /** How long an admitted upgrade may take to reach {@code onOpen} before its slot is given back. */
  static final Duration OPEN_TIMEOUT = Duration.ofSeconds(10);

  /** What the handshake decided, for {@code onOpen}: a call to open, or a refusal to close with. */
  sealed interface Admission permits Admitted, Refused {}

  record Admitted(PendingCall call) implements Admission {}

  /** A refused upgrade the configurator could not answer with a status: the session is closed at once. */
  record Refused(int closeCode, String phrase, String logId, String why) implements Admission {}

  private final PortableSettings settings;
  private final CallHub hub;
  private final ServerEndpointConfig config;
  private final Admitter admitter = new Admitter();
  private final Object filterLock = new Object();
  private Object filter;

  public PortableEndpoint(PortableSettings settings, Object meterRegistry) {
    this.settings = settings;
    // Only a given registry loads the metrics classes (Micrometer is an optional dependency).
    ServerMetrics metrics = meterRegistry == null ? null : ServerMetrics.create(meterRegistry);
    CallStreamListener.Factory factory = metrics == null ? settings.listenerFactory()
        : metrics.instrument(settings.listenerFactory());
    // The network fields are the container's: unused here.
    ServerSettings callSettings = new ServerSettings(null, 0, null, factory, settings.authenticator(),
        settings.codec(), settings.admission(), settings.maxMessageBytes(), settings.idleTimeout(),
        OPEN_TIMEOUT, settings.shutdownTimeout(), settings.reorderWindow(), settings.queueCapacity(),
        settings.dispatchThreads(), 1, Dispatch.POOL);
    Consumer<CallStreamMetrics.Rejection> rejections = metrics == null ? reason -> {} : metrics.rejections();
    Runnable overflows = metrics == null ? () -> {} : metrics.overflows();
    this.hub = new CallHub(callSettings, CallHub.Transport.CONTAINER, rejections, overflows, () -> {});
    if (metrics != null) {
      metrics.bind(hub);
    }
    this.config = ServerEndpointConfig.Builder.create(PortableCallEndpoint.class, settings.path())
        .configurator(admitter)
        .build();
    hub.startSweeping();
  }

  public ServerEndpointConfig endpointConfig() {
    return config;
  }

  /** The filter, created on first use (only then is the servlet API loaded). */
  public jakarta.servlet.Filter handshakeFilter() {
    synchronized (filterLock) {
      if (filter == null) {
        filter = new PortableHandshakeFilter(this);
      }
      return (jakarta.servlet.Filter) filter;
    }
  }

  public int activeCalls() {
    return hub.activeCalls();
  }

  public boolean draining() {
    return hub.draining();
  }

  public CompletableFuture<Void> drain(Duration timeout) {
    return hub.drain(timeout);
  }

  /** A config for one upgrade the filter admitted: the same endpoint, carrying the admission. */
  ServerEndpointConfig admittedConfig(Admission admission) {
    ServerEndpointConfig admitted = ServerEndpointConfig.Builder.create(PortableCallEndpoint.class, settings.path())
        .configurator(admitter)
        .build();
    admitted.getUserProperties().put(ADMISSION, admission);
    return admitted;
  }

  PortableSettings settings() {
    return settings;
  }

  CallHub hub() {
    return hub;
  }

  /** The outcome of the authenticator and the slot reservation for one upgrade request. */
  record Decided(Admission admission, int status, String logId) {}

  /**
   * Authenticates an upgrade and reserves its call slot (refusals counted and logged as the
   * standalone server does); {@code status} is what an HTTP answer would be: 101 when admitted, else
   * 401, 503 or 500.
   *
   * @param remoteAddress the peer's address, or null when the caller cannot know it
   */
  Decided decide(String rawQuery, Map<String, List<String>> headers, String remoteAddress) {
    String from = remoteAddress == null ? "" : " from " + remoteAddress;
    CallInfo info;
    Decision decision;
    try {
      info = QueryParser.parse(rawQuery);
      decision = settings.authenticator().onHandshake(
          new Handshake(settings.path(), rawQuery, info, headers, remoteAddress));
    } catch (RuntimeException e) {
      log.error("upgrade{} failed in the handshake check", from, e);
      return new Decided(new Refused(1011, "handshake check failed", "?", "the handshake check failed"), 500, "?");
    }
    String logId = hub.logId(info.callId());
    if (decision == null || decision == Decision.REJECT) {
      log.warn("call {}: upgrade{} not authorized", logId, from);
      hub.rejected(CallStreamMetrics.Rejection.UNAUTHORIZED);
      return new Decided(new Refused(1008, "unauthorized", logId, "not authorized"), 401, logId);
    }
    if (!hub.registry().tryReserve()) {
      boolean draining = hub.registry().closing();
      String why = draining ? "endpoint draining" : "all " + settings.admission().maxCalls() + " call slots taken";
      log.warn("call {}: upgrade{} refused: {}", logId, from, why);
      hub.rejected(draining ? CallStreamMetrics.Rejection.DRAINING : CallStreamMetrics.Rejection.CAPACITY);
      return new Decided(new Refused(1013, draining ? "shutting down" : "at capacity", logId, why), 503, logId);
    }
    PendingCall pending = hub.newPending(withoutSecret(info), decision == Decision.VERIFY_AT_START, logId);
    return new Decided(new Admitted(pending), 101, logId);
  }

  /** Gives back the slot of an admission that will never open (its upgrade failed). */
  void abandon(Admission admission) {
    if (admission instanceof Admitted admitted && admitted.call().claim()) {
      hub.forget(admitted.call());
      hub.registry().release();
    }
  }

  /** The listener's call info: secret-named query parameters ({@link Secrets}) are credentials, not call data. */
  private static CallInfo withoutSecret(CallInfo info) {
    Map<String, String> query = Secrets.withoutSecretParameters(info.parameters());
    return query == info.parameters() ? info : QueryParser.fromParameters(query);
  }

  /**
   * Decides each upgrade the container performs (unless the filter already did) and gives every
   * session its own endpoint instance.
   */
  private final class Admitter extends ServerEndpointConfig.Configurator {
    @Override
    public void modifyHandshake(ServerEndpointConfig sec, HandshakeRequest request, HandshakeResponse response) {
      Map<String, Object> properties = sec.getUserProperties();
      if (properties.get(ADMISSION) != null) {
        return;   // decided by the filter
      }
      if (sec == config) {
        // A container that does not copy the config per upgrade would mix calls up: refuse loudly.
        log.error("the container passed the shared endpoint config to modifyHandshake (no per-session copy);"
            + " refusing the upgrade");
        return;
      }
      Map<String, List<String>> headers = new LinkedHashMap<>();
      request.getHeaders().forEach((name, values) -> headers.put(name, new ArrayList<>(values)));
      properties.put(ADMISSION, decide(request.getQueryString(), headers, null).admission());
    }

    @Override
    public <T> T getEndpointInstance(Class<T> endpointClass) {
      return endpointClass.cast(new PortableCallEndpoint(PortableEndpoint.this));
    }
  }
}
