package dev.callstream.bench;

import dev.callstream.core.recording.CallRecorder;
import dev.callstream.grpc.CallStreamGrpcServer;
import dev.callstream.server.CallStreamServer;
import dev.callstream.server.Dispatch;
import dev.callstream.transport.Tls;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.websocket.OnMessage;
import jakarta.websocket.server.ServerEndpoint;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.glassfish.grizzly.threadpool.ThreadPoolConfig;
import org.glassfish.tyrus.container.grizzly.server.GrizzlyServerContainer;
import org.glassfish.tyrus.server.Server;

/**
 * The process under test in end-to-end runs (started by {@link LoadRun}, one per measurement):
 * <ul>
 *   <li>{@code --mode noop}: our {@link CallStreamServer} with a listener that only measures (count,
 *       latency of probe frames) and does nothing else;
 *   <li>{@code --mode record}: the same measuring listener in front of {@link CallRecorder} (WAV files
 *       and call.json under {@code --recordings});
 *   <li>{@code --metrics prometheus} with either: the Micrometer call and recorder metrics on a
 *       Prometheus registry, scraped every 5 s (default {@code off}: no registry);
 *   <li>{@code --dispatch IO_THREAD} with {@code noop}: listener callbacks on the I/O thread (default
 *       {@code POOL}; the server refuses it with {@code record}, since {@link CallRecorder} blocks);
 *   <li>{@code --transport grpc} with {@code noop} or {@code record}: the same listeners behind our
 *       {@link CallStreamGrpcServer} (RingCX gRPC, plaintext HTTP/2), which prints
 *       {@code listening on grpc://127.0.0.1:PORT};
 *   <li>{@code --mode tyrus}: the floor of our stack: the stock {@code org.glassfish.tyrus.server.Server}
 *       (Grizzly) with an endpoint that counts Media messages and does nothing else, with the same
 *       selector and worker thread counts as ours.
 * </ul>
 * Prints {@code listening on ws://127.0.0.1:PORT/}, then answers commands on stdin, one JSON line each:
 * {@code stats}, {@code reset} (starts a measurement window), {@code heap} (two full GCs, then heap
 * used), {@code quit}. Plain ws on loopback only.
 */
public final class BenchServer {
  private BenchServer() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = parse(args);
    String mode = options.getOrDefault("mode", "noop");
    int port = Integer.parseInt(options.getOrDefault("port", "0"));
    int ioThreads = Integer.parseInt(options.getOrDefault("io-threads", "1"));
    int dispatchThreads = Integer.parseInt(options.getOrDefault("dispatch-threads", "4"));
    int maxCalls = Integer.parseInt(options.getOrDefault("max-calls", "5000"));
    Probe probe = new Probe();
    AutoCloseable server;
    int boundPort;
    boolean grpc = options.getOrDefault("transport", "wss").equals("grpc");
    switch (mode) {
      case "noop", "record" -> {
        CallRecorder recorder = null;
        // --metrics prometheus: the call and recorder metrics on a Prometheus registry, scraped
        // every 5 s as a Prometheus server would (15 s is usual; 5 s makes the scrape cost visible).
        PrometheusMeterRegistry registry = options.getOrDefault("metrics", "off").equals("prometheus")
            ? new PrometheusMeterRegistry(PrometheusConfig.DEFAULT) : null;
        if (mode.equals("record")) {
          Path recordings = Path.of(options.getOrDefault("recordings", "recordings"));
          Files.createDirectories(recordings);
          CallRecorder.Builder recorderBuilder = CallRecorder.builder(recordings);
          if (registry != null) {
            recorderBuilder.meterRegistry(registry);
          }
          recorder = recorderBuilder.build();
        }
        if (registry != null) {
          Thread scraper = new Thread(() -> {
            try {
              while (true) {
                Thread.sleep(5000);
                registry.scrape();
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }, "bench-scraper");
          scraper.setDaemon(true);
          scraper.start();
        }
        CallStreamServer.Builder serverBuilder = CallStreamServer.builder();
        if (registry != null) {
          serverBuilder.meterRegistry(registry);
        }
        CallRecorder delegateFactory = recorder;
        if (grpc) {
          CallStreamGrpcServer ours = CallStreamGrpcServer.builder()
              .host("127.0.0.1")
              .port(port)
              .tls(Tls.none())
              .maxCalls(maxCalls)
              .idleTimeout(Duration.ofMinutes(10))
              .dispatchThreads(dispatchThreads)
              .listenerFactory(info -> probe.listener(delegateFactory == null ? null : delegateFactory.create(info)))
              .build()
              .start();
          server = ours;
          boundPort = ours.port();
          break;
        }
        CallStreamServer ours = serverBuilder
            .host("127.0.0.1")
            .port(port)
            .tls(Tls.none())
            .maxCalls(maxCalls)
            .idleTimeout(Duration.ofMinutes(10))
            .ioThreads(ioThreads)
            .dispatchThreads(dispatchThreads)
            .dispatch(Dispatch.valueOf(options.getOrDefault("dispatch", "POOL")))
            .listenerFactory(info -> probe.listener(delegateFactory == null ? null : delegateFactory.create(info)))
            .build()
            .start();
        server = ours;
        boundPort = ours.port();
      }
      case "tyrus" -> {
        if (port == 0) {
          throw new IllegalArgumentException("--mode tyrus needs an explicit --port");
        }
        Map<String, Object> properties = new HashMap<>();
        properties.put(GrizzlyServerContainer.SELECTOR_THREAD_POOL_CONFIG,
            ThreadPoolConfig.defaultConfig().setPoolName("tyrus-selector").setCorePoolSize(ioThreads).setMaxPoolSize(ioThreads));
        properties.put(GrizzlyServerContainer.WORKER_THREAD_POOL_CONFIG,
            ThreadPoolConfig.defaultConfig().setPoolName("tyrus-worker").setCorePoolSize(dispatchThreads).setMaxPoolSize(dispatchThreads));
        Server tyrus = new Server("127.0.0.1", port, "/", properties, CountingEndpoint.class);
        tyrus.start();
        server = tyrus::stop;
        boundPort = port;
        probe.started.add(0);
      }
      default -> throw new IllegalArgumentException("unknown --mode " + mode);
    }
    System.out.println(grpc ? "listening on grpc://127.0.0.1:" + boundPort : "listening on ws://127.0.0.1:" + boundPort + "/");
    System.out.flush();
    commandLoop(mode, probe);
    server.close();
    System.exit(0);
  }

  private static void commandLoop(String mode, Probe probe) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      String command = line.trim();
      String answer;
      switch (command) {
        case "stats" -> answer = mode.equals("tyrus") ? CountingEndpoint.statsJson() : probe.statsJson();
        case "reset" -> {
          probe.resetWindow();
          CountingEndpoint.WINDOW_MEDIA.reset();
          answer = "{\"ok\":true}";
        }
        case "heap" -> {
          System.gc();
          System.gc();
          answer = "{\"heapUsed\":" + ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() + "}";
        }
        case "quit" -> {
          return;
        }
        default -> answer = "{\"error\":\"unknown command\"}";
      }
      System.out.println(answer);
      System.out.flush();
    }
  }

  static Map<String, String> parse(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + args[i]);
      }
      String name = args[i].substring(2);
      if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        options.put(name, args[++i]);
      } else {
        options.put(name, "true");
      }
    }
    return options;
  }

  /**
   * The bare Tyrus endpoint: counts Media text messages, nothing else. Tyrus instantiates annotated
   * endpoints itself, so the counters are static: one endpoint per benchmark process.
   */
  @ServerEndpoint("/")
  public static final class CountingEndpoint {
    static final LongAdder MEDIA = new LongAdder();
    static final LongAdder WINDOW_MEDIA = new LongAdder();
    static final LongAdder SESSIONS = new LongAdder();

    public CountingEndpoint() {}

    @jakarta.websocket.OnOpen
    public void onOpen() {
      SESSIONS.increment();
    }

    @OnMessage
    public void onMessage(String message) {
      if (message.startsWith("{\"event\":\"Media\"")) {
        MEDIA.increment();
        WINDOW_MEDIA.increment();
      }
    }

    static String statsJson() {
      return "{\"frames\":" + MEDIA.sum() + ",\"windowFrames\":" + WINDOW_MEDIA.sum() + ",\"started\":" + SESSIONS.sum()
          + ",\"gaps\":0,\"latency\":{\"count\":0,\"p50us\":null,\"p99us\":null,\"p999us\":null,\"maxus\":null}}";
    }
  }
}
