package dev.callstream.server.internal;

import dev.callstream.core.metrics.CallStreamMetrics;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.nio.DefaultSelectorHandler;
import org.glassfish.grizzly.nio.SelectorRunner;
import org.glassfish.grizzly.nio.transport.TCPNIOTransport;
import org.glassfish.grizzly.nio.transport.TCPNIOTransportBuilder;
import org.glassfish.grizzly.ssl.SSLEngineConfigurator;
import org.glassfish.grizzly.strategies.SameThreadIOStrategy;
import org.glassfish.grizzly.threadpool.ThreadPoolConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running server: Grizzly's HTTP server with our {@link UpgradeFilter} in its chain, Tyrus's
 * engine behind it, one selector-thread I/O strategy (messages are decoded on the read thread, which
 * is cheap, and handed to the calls' lanes), the shared dispatch pool and a timer for handshake and
 * idle timeouts.
 */
public final class ServerRuntime {
  private static final Logger log = LoggerFactory.getLogger(ServerRuntime.class);
  private static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
  /** The most one read of a connection takes off its socket. */
  static final int READ_BUFFER_BYTES = 64 * 1024;
  /**
   * How long a message read for a pool-dispatched call may wait before a dispatch thread is woken for
   * it. At real-time pace each read holds one message; waking a thread per message cost a context
   * switch per message. One millisecond batches about 20 wake-ups into one at 200 calls and is small
   * next to the 20 ms a frame of audio lasts.
   */
  static final long DISPATCH_LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  private final ServerSettings settings;
  private final CallHub hub;
  private final DispatchPool dispatchPool;
  private final TyrusContainer container;
  private final HttpServer http;
  private final NetworkListener listener;

  private ServerRuntime(ServerSettings settings, Consumer<CallStreamMetrics.Rejection> rejections) {
    this.settings = settings;
    this.hub = new CallHub(settings, CallHub.Transport.SELECTOR, rejections, () -> {}, this::stopNetwork);
    this.dispatchPool = hub.dispatchPool();
    // Tyrus's buffer holds at most one partial frame (<= maxMessageBytes + header) plus one fed slice.
    this.container = new TyrusContainer(settings.maxMessageBytes() + FrameReader.TYRUS_SLICE + 1024);
    // Idle timeouts are ours (one sweep); a Tyrus session timeout would schedule a task per message.
    this.container.setDefaultMaxSessionIdleTimeout(-1);
    this.http = new HttpServer();
    this.listener = new NetworkListener("callstream", settings.host(), settings.port());
  }

  /** Binds and starts serving. */
  public static ServerRuntime start(ServerSettings settings) throws IOException {
    return start(settings, reason -> {});
  }

  /**
   * Binds and starts serving.
   *
   * @param rejections told of every refused handshake (any thread; must not block)
   */
  public static ServerRuntime start(ServerSettings settings, Consumer<CallStreamMetrics.Rejection> rejections)
      throws IOException {
    ServerRuntime runtime = new ServerRuntime(settings, rejections);
    try {
      runtime.startServing();
      return runtime;
    } catch (IOException | RuntimeException e) {
      runtime.hub.stopEverything();
      throw e;
    }
  }

  private void startServing() throws IOException {
    CallEndpoint endpoint = new CallEndpoint(hub);
    ServerEndpointConfig config = ServerEndpointConfig.Builder.create(CallEndpoint.class, "/")
        .configurator(new ServerEndpointConfig.Configurator() {
          @Override
          public <T> T getEndpointInstance(Class<T> endpointClass) {
            return endpointClass.cast(endpoint);
          }
        })
        .build();
    try {
      container.register(config);
    } catch (DeploymentException e) {
      throw new IllegalStateException("cannot deploy the call endpoint", e);
    }
    int io = settings.ioThreads();
    TCPNIOTransport transport = TCPNIOTransportBuilder.newInstance()
        .setIOStrategy(SameThreadIOStrategy.getInstance())
        .setSelectorHandler(new FlushingSelectorHandler(dispatchPool))
        .setSelectorRunnersCount(io)
        .setSelectorThreadPoolConfig(ThreadPoolConfig.defaultConfig()
            .setPoolName("callstream-io").setCorePoolSize(io).setMaxPoolSize(io))
        .setTcpNoDelay(true)
        .setReadBufferSize(READ_BUFFER_BYTES)
        .setReuseAddress(true)
        .build();
    listener.setTransport(transport);
    listener.getKeepAlive().setIdleTimeoutInSeconds(-1);
    SSLContext ssl = settings.sslContext();
    if (ssl != null) {
      List<String> supported = Arrays.asList(ssl.getSupportedSSLParameters().getProtocols());
      List<String> enabled = new ArrayList<>(PROTOCOLS);
      enabled.retainAll(supported);
      listener.setSecure(true);
      listener.setSSLEngineConfig(new SSLEngineConfigurator(ssl, false, false, false)
          .setEnabledProtocols(enabled.toArray(new String[0])));
    }
    listener.registerAddOn(new UpgradeFilter(hub, container.getWebSocketEngine(), ssl != null).addOn());
    http.getServerConfiguration().setJmxEnabled(false);
    http.addListener(listener);
    http.start();
    hub.startSweeping();
    log.info("listening on {}://{}:{}/", ssl != null ? "wss" : "ws", settings.host(), port());
  }

  /** The bound port. */
  public int port() {
    return listener.getPort();
  }

  /** The calls' shared state: slots, open calls, dispatch, drain. */
  public CallHub hub() {
    return hub;
  }

  /** Calls admitted and not yet ended. */
  public int activeCalls() {
    return hub.activeCalls();
  }

  /** Whether new calls are refused: a drain or shutdown has begun. */
  public boolean draining() {
    return hub.draining();
  }

  /** Events read and not yet handed to listeners, over all open calls. */
  public int queuedEvents() {
    return hub.queuedEvents();
  }

  /** The most events waiting for any one call's listener. */
  public int maxQueuedEvents() {
    return hub.maxQueuedEvents();
  }

  /** See {@link CallHub#drain}: the network stops once the calls have ended. */
  public CompletableFuture<Void> drain(Duration timeout) {
    return hub.drain(timeout);
  }

  /** See {@link CallHub#awaitTermination}. */
  public void awaitTermination() throws InterruptedException {
    hub.awaitTermination();
  }

  /** See {@link CallHub#shutdown}. Idempotent. */
  public void shutdown() {
    hub.shutdown();
  }

  private void stopNetwork() {
    try {
      http.shutdownNow();
    } catch (RuntimeException e) {
      log.debug("Grizzly shutdown: {}", e.toString());
    }
    try {
      container.stop();
    } catch (RuntimeException e) {
      log.debug("Tyrus shutdown: {}", e.toString());
    }
  }

  /**
   * Wakes the dispatch threads for the messages a selector deferred, at most {@link #DISPATCH_LINGER_NANOS}
   * after the oldest of them: the selector's wait is cut short to that moment instead of blocking
   * until the next read.
   */
  private static final class FlushingSelectorHandler extends DefaultSelectorHandler {
    private final DispatchPool pool;

    FlushingSelectorHandler(DispatchPool pool) {
      this.pool = pool;
    }

    @Override
    public boolean preSelect(SelectorRunner runner) throws IOException {
      boolean result = super.preSelect(runner);
      flushIfDue();
      return result;
    }

    @Override
    public Set<SelectionKey> select(SelectorRunner runner) throws IOException {
      Selector selector = runner.getSelector();
      if (!runner.getPostponedTasks().isEmpty()) {
        selector.selectNow();
      } else {
        long left = pool.deferredWaitLeft(DISPATCH_LINGER_NANOS);
        if (left < 0) {
          selector.select(selectTimeout);
        } else if (left == 0) {
          pool.flushDeferred();
          selector.select(selectTimeout);
        } else {
          selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
      }
      return selector.selectedKeys();
    }

    @Override
    public void postSelect(SelectorRunner runner) throws IOException {
      flushIfDue();
      super.postSelect(runner);
    }

    private void flushIfDue() {
      if (pool.deferredWaitLeft(DISPATCH_LINGER_NANOS) == 0) {
        pool.flushDeferred();
      }
    }
  }
}
