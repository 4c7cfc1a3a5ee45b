package dev.callstream.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The admin endpoint of {@code callstream record --admin-port} (CONTRACTS.md section 6): plain HTTP
 * with {@code GET /healthz} (200 while the process serves), {@code GET /readyz} (200 while new
 * calls are admitted, 503 while draining or at {@code --max-calls}) and {@code GET /metrics}
 * (Prometheus text format 0.0.4: the call metrics and the JVM's own). {@code HEAD} works as
 * {@code GET} without a body; other methods get 405, other paths 404.
 *
 * <p>One daemon thread serves the requests; a scrape renders the registry on it. Thread-safe.
 */
final class AdminServer implements AutoCloseable {
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  /** What {@code /readyz} reports. */
  interface Readiness {
    /** Null when ready, else the reason (one word or a short phrase) given in the 503 body. */
    String notReadyBecause();
  }

  private final HttpServer http;
  private final ExecutorService executor;
  private final PrometheusMeterRegistry registry;
  private final JvmGcMetrics gc;
  private final String host;

  private AdminServer(HttpServer http, ExecutorService executor, PrometheusMeterRegistry registry, JvmGcMetrics gc,
      String host) {
    this.http = http;
    this.executor = executor;
    this.registry = registry;
    this.gc = gc;
    this.host = host;
  }

  /** A Prometheus registry with the JVM and process binders the contract promises ("the JVM's own metrics"). */
  static PrometheusMeterRegistry newRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /**
   * Binds {@code host:port} (0 for a free port) and serves; the JVM binders are added to
   * {@code registry} here.
   *
   * @throws IOException when the address cannot be bound
   */
  static AdminServer start(String host, int port, PrometheusMeterRegistry registry, Readiness readiness)
      throws IOException {
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    HttpServer http = HttpServer.create(new InetSocketAddress(host, port), 16);
    ExecutorService executor = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "callstream-admin");
      thread.setDaemon(true);
      return thread;
    });
    http.setExecutor(executor);
    http.createContext("/", exchange -> handle(exchange, registry, readiness));
    http.start();
    return new AdminServer(http, executor, registry, gc, host);
  }

  /** The bound port. */
  int port() {
    return http.getAddress().getPort();
  }

  /** {@code http://HOST:PORT/} (IPv6 hosts in brackets). */
  URI uri() {
    String shown = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    return URI.create("http://" + shown + ":" + port() + "/");
  }

  PrometheusMeterRegistry registry() {
    return registry;
  }

  private static void handle(HttpExchange exchange, PrometheusMeterRegistry registry, Readiness readiness)
      throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getPath();
      boolean known = path.equals("/healthz") || path.equals("/readyz") || path.equals("/metrics");
      if (!known) {
        respond(exchange, 404, "text/plain; charset=utf-8", "not found\n");
        return;
      }
      if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        respond(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n");
        return;
      }
      switch (path) {
        case "/healthz":
          respond(exchange, 200, "text/plain; charset=utf-8", "ok\n");
          break;
        case "/readyz":
          String why = readiness.notReadyBecause();
          if (why == null) {
            respond(exchange, 200, "text/plain; charset=utf-8", "ready\n");
          } else {
            respond(exchange, 503, "text/plain; charset=utf-8", why + "\n");
          }
          break;
        default:
          respond(exchange, 200, PROMETHEUS_TEXT, registry.scrape(PROMETHEUS_TEXT));
          break;
      }
    }
  }

  private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  /** Stops serving at once (health checks then fail to connect, as for a stopped process). */
  @Override
  public void close() {
    http.stop(0);
    executor.shutdownNow();
    gc.close();
  }
}
