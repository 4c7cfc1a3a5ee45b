package dev.callstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callstream.testkit.CallScript;
import dev.callstream.testkit.FakeEngageVoice;
import dev.callstream.testkit.FakeRingCx;
import dev.callstream.testkit.Pacing;
import dev.callstream.testkit.RingCxScript;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * One end-to-end measurement: starts a server ({@link ServerProcess}: ours, or a peer) pinned to one
 * core, drives it from this process with the testkit's {@link FakeEngageVoice} and writes one JSON
 * line of results.
 *
 * <pre>
 * java -cp benchmarks.jar dev.callstream.bench.LoadRun --server ours-record --scenario realtime \
 *     --calls 200 --warmup 5 --window 10 --out results.jsonl [--server-cpu 0] [--jfr server.jfr]
 *     [--dispatch-threads N] [--server-jvm-args "-Xmx1g"]
 * </pre>
 *
 * Scenarios: {@code realtime} (one frame per side every 20 ms per call, calls last warmup + window +
 * 3 s and end with Stops, then loss is counted), {@code flood} (as fast as the server reads; the calls
 * are aborted after the window), {@code idle} (calls that send Connected and Start and then nothing,
 * to measure memory per open call).
 *
 * <p>Method: after the warm-up (JIT) the server's window counters are reset and its process CPU time
 * (utime + stime from /proc/PID/stat) is sampled; at the end of the window both are sampled again.
 * CPU per frame = CPU time delta / frames delivered to listeners in the window. Latency = the
 * listener's System.nanoTime at callback entry minus the timestamp the generator wrote into the
 * frame just before encoding and sending it (see {@link ProbeAudio}); both are CLOCK_MONOTONIC on
 * Linux, so the two processes share the clock.
 */
public final class LoadRun {
  private static final ObjectMapper JSON = new ObjectMapper();

  private LoadRun() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = BenchServer.parse(args);
    String kind = require(o, "server");
    String scenario = o.getOrDefault("scenario", "realtime");
    int calls = Integer.parseInt(o.getOrDefault("calls", "100"));
    int warmup = Integer.parseInt(o.getOrDefault("warmup", "5"));
    int window = Integer.parseInt(o.getOrDefault("window", "10"));
    Path out = Path.of(o.getOrDefault("out", "results.jsonl"));
    ServerProcess.Settings settings = new ServerProcess.Settings(
        Path.of(o.getOrDefault("jar", "callstream-bench/target/benchmarks.jar")),
        o.getOrDefault("python", "/usr/bin/python3"),
        Path.of(o.getOrDefault("python-dir", "callstream-bench/src/main/python")),
        o.get("server-cpu"),
        o.getOrDefault("server-jvm-args", "-Xms256m -Xmx1g"),
        o.get("jfr") == null ? null : Path.of(o.get("jfr")),
        Path.of(o.getOrDefault("work", "target/bench-work")),
        o.get("dispatch-threads"));

    Map<String, Object> result = new LinkedHashMap<>();
    result.put("label", o.getOrDefault("label", kind + " " + scenario + " " + calls));
    result.put("server", kind);
    result.put("scenario", scenario);
    result.put("calls", calls);
    result.put("warmupSeconds", warmup);
    result.put("windowSeconds", window);
    if (o.containsKey("dispatch-threads")) {
      result.put("dispatchThreads", Integer.parseInt(o.get("dispatch-threads")));
    }
    result.put("loadAtStart", loadAverage());
    try (ServerProcess server = ServerProcess.start(kind, settings)) {
      result.put("serverPid", server.pid());
      result.put("idleRssKb", server.rssKb());
      switch (scenario) {
        case "realtime", "flood" -> load(server, scenario.equals("flood") ? Pacing.FLOOD : Pacing.REALTIME, calls, warmup, window, result);
        case "idle" -> idle(server, calls, warmup, result);
        default -> throw new IllegalArgumentException("unknown --scenario " + scenario);
      }
    } catch (RuntimeException | IOException e) {
      result.put("error", e.toString());
    }
    result.put("loadAtEnd", loadAverage());
    String line = JSON.writeValueAsString(result);
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    System.out.println(line);
    System.exit(0);
  }

  /**
   * What a load generator reports at the end of a call: whether it failed (and why: a gRPC status code,
   * or the failure's class), and the media messages it sent.
   */
  private record Outcome(boolean failed, long mediaSent, String reason) {}

  private static void load(ServerProcess server, Pacing pacing, int calls, int warmup, int window, Map<String, Object> result)
      throws Exception {
    boolean realtime = pacing == Pacing.REALTIME;
    long framesPerSide = realtime ? (warmup + window + 3) * 50L : 100_000_000L;
    ProbeAudio agent = new ProbeAudio(framesPerSide);
    ProbeAudio conference = new ProbeAudio(framesPerSide);
    result.put("pacing", pacing.name().toLowerCase());
    if (server.grpc()) {
      // RingCX: one 100 ms chunk (5 probe frames, stamped when the chunk is built) per segment every 100 ms
      result.put("transport", "grpc");
      try (FakeRingCx ringCx = FakeRingCx.builder(server.uri()).pacing(pacing).build()) {
        List<CompletableFuture<Outcome>> futures = new ArrayList<>(calls);
        long started = System.nanoTime();
        for (int i = 0; i < calls; i++) {
          futures.add(ringCx.start(RingCxScript.numbered(1, i).agentAudio(agent).otherAudio(conference)
                  .maxDuration(Duration.ofMillis(framesPerSide * 20)).build())
              .thenApply(r -> new Outcome(r.failed(), r.mediaSent(), !r.failed() ? null
                  : r.status() != null ? r.status().name() : r.failure().getClass().getSimpleName())));
        }
        measure(server, () -> (agent.handedOut() + conference.handedOut()) / 5, calls * 20, realtime, warmup, window,
            started, framesPerSide, futures, ringCx::close, result);
      }
      return;
    }
    try (FakeEngageVoice platform = FakeEngageVoice.builder(server.uri())
        .pacing(pacing)
        .connectTimeout(Duration.ofSeconds(30))
        .closeTimeout(Duration.ofSeconds(30))
        .build()) {
      List<CompletableFuture<Outcome>> futures = new ArrayList<>(calls);
      long started = System.nanoTime();
      for (int i = 0; i < calls; i++) {
        futures.add(platform.start(CallScript.numbered(1, i).agent(agent).conference(conference).build())
            .thenApply(r -> new Outcome(r.failed(), r.mediaSent(),
                r.failed() ? r.failure().getClass().getSimpleName() : null)));
      }
      measure(server, () -> agent.handedOut() + conference.handedOut(), calls * 100, realtime, warmup, window,
          started, framesPerSide, futures, platform::close, result);
    }
  }

  /**
   * The measurement window of a load run, whatever the transport: {@code sent} counts media messages
   * handed to the generator so far, {@code expectedPerSecond} is the real-time rate.
   */
  private static void measure(
      ServerProcess server, LongSupplier sentCounter, int expectedPerSecond, boolean realtime, int warmup, int window,
      long started, long framesPerSide, List<CompletableFuture<Outcome>> futures, Runnable stopGenerator,
      Map<String, Object> result) throws Exception {
    int calls = futures.size();
    TimeUnit.SECONDS.sleep(warmup);

    server.command("reset");
    long[] cpu0 = server.userAndSystemMicros();
    long switches0 = server.contextSwitches();
    long jit0 = server.compilerMicros();
    long sent0 = sentCounter.getAsLong();
    long t0 = System.nanoTime();
    TimeUnit.SECONDS.sleep(window);
    long[] cpu1 = server.userAndSystemMicros();
    long switches1 = server.contextSwitches();
    long jit1 = server.compilerMicros();
    long sent1 = sentCounter.getAsLong();
    long t1 = System.nanoTime();
    JsonNode stats = server.command("stats");
    result.put("rssKb", server.rssKb());
    result.put("loadInWindow", loadAverage());

    double seconds = (t1 - t0) / 1e9;
    long sent = sent1 - sent0;
    long delivered = stats != null ? stats.path("windowFrames").asLong() : -1;
    long cpuMicros = (cpu1[0] + cpu1[1]) - (cpu0[0] + cpu0[1]);
    long sysMicros = cpu1[1] - cpu0[1];
    result.put("seconds", round(seconds, 2));
    result.put("sentFrames", sent);
    result.put("sentPerSecond", round(sent / seconds, 0));
    if (realtime) {
      result.put("expectedPerSecond", expectedPerSecond);
      result.put("generatorKeptUp", sent / seconds >= 0.97 * expectedPerSecond);
    }
    result.put("serverCpuMicros", cpuMicros);
    result.put("serverCpuPercent", round(100.0 * cpuMicros / (seconds * 1e6), 1));
    result.put("serverSysPercent", round(100.0 * sysMicros / (seconds * 1e6), 1));
    if (delivered >= 0) {
      result.put("deliveredFrames", delivered);
      result.put("deliveredPerSecond", round(delivered / seconds, 0));
      result.put("cpuMicrosPerFrame", delivered > 0 ? round((double) cpuMicros / delivered, 3) : null);
      if (jit0 >= 0 && jit1 >= jit0 && delivered > 0) {
        // JIT compiler threads' share of the window (a JVM still warming up): included in the CPU above
        result.put("jitCpuMicros", jit1 - jit0);
        result.put("jitMicrosPerFrame", round((double) (jit1 - jit0) / delivered, 3));
      }
      result.put("latency", stats.path("latency"));
      if (switches0 >= 0 && switches1 >= 0 && delivered > 0) {
        // threads that end in the window drop out of the sum: an estimate, good to a few percent
        result.put("contextSwitchesPerFrame", round((double) (switches1 - switches0) / delivered, 3));
      }
    } else {
      // a peer we cannot ask: frames sent in the window stand in for frames received
      result.put("cpuMicrosPerFrame", sent > 0 ? round((double) cpuMicros / sent, 3) : null);
      result.put("cpuPerFrameBasis", "sent");
    }
    Long heap = server.heapUsed();
    if (heap != null) {
      result.put("heapUsedAfterGc", heap);
    }

    if (realtime) {
      long remaining = framesPerSide * 20L - (System.nanoTime() - started) / 1_000_000L;
      Map<String, Integer> reasons = new java.util.TreeMap<>();
      long[] load = collect(futures, Duration.ofMillis(Math.max(0, remaining)).plusSeconds(60), reasons);
      result.put("failedCalls", load[0]);
      result.put("mediaSentTotal", load[1]);
      if (!reasons.isEmpty()) {
        result.put("failureReasons", reasons);
      }
      JsonNode end = server.awaitCallsEnded(calls, Duration.ofSeconds(20));
      if (end != null) {
        long total = end.path("frames").asLong();
        result.put("deliveredTotal", total);
        result.put("lostFrames", load[1] - total);
        result.put("gapFrames", end.path("gaps").asLong());
      }
    } else {
      stopGenerator.run();
      if (stats != null) {
        result.put("gapFrames", stats.path("gaps").asLong());
      }
    }
  }

  /** {failed calls (unfinished ones included), media sent} of the calls that finished within the timeout. */
  private static long[] collect(List<CompletableFuture<Outcome>> futures, Duration timeout, Map<String, Integer> reasons)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long failed = 0;
    long media = 0;
    for (CompletableFuture<Outcome> future : futures) {
      try {
        Outcome outcome = future.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        failed += outcome.failed() ? 1 : 0;
        media += outcome.mediaSent();
        if (outcome.failed()) {
          reasons.merge(outcome.reason(), 1, Integer::sum);
        }
      } catch (TimeoutException | ExecutionException e) {
        failed++;
        reasons.merge("unfinished after the run", 1, Integer::sum);
      }
    }
    return new long[] {failed, media};
  }

  /**
   * Opens calls that send Connected and Start, then nothing. Memory is measured at 10% of the calls
   * (after warm-up: classes loaded, pools started) and at all of them; per call = difference / the
   * calls added in between.
   */
  private static void idle(ServerProcess server, int calls, int settleSeconds, Map<String, Object> result) throws Exception {
    int first = Math.max(1, calls / 10);
    HttpClient client = HttpClient.newHttpClient();
    List<WebSocket> sockets = new ArrayList<>(calls);
    try {
      open(client, server.uri(), 0, first, sockets);
      TimeUnit.SECONDS.sleep(settleSeconds);
      long rssA = server.rssKb();
      Long heapA = server.heapUsed();
      open(client, server.uri(), first, calls, sockets);
      TimeUnit.SECONDS.sleep(settleSeconds);
      long rssB = server.rssKb();
      Long heapB = server.heapUsed();
      JsonNode stats = server.command("stats");
      int added = calls - first;
      result.put("openCalls", sockets.size());
      if (stats != null && stats.has("calls")) {
        result.put("serverOpenCalls", stats.path("calls").asLong());
      }
      result.put("rssKb", rssB);
      result.put("rssPerCallKb", round((double) (rssB - rssA) / added, 2));
      if (heapA != null && heapB != null) {
        result.put("heapUsedAfterGc", heapB);
        result.put("heapPerCallBytes", (heapB - heapA) / added);
      }
    } finally {
      for (WebSocket socket : sockets) {
        socket.abort();
      }
    }
  }

  private static void open(HttpClient client, URI base, int from, int to, List<WebSocket> sockets) throws Exception {
    for (int batch = from; batch < to; batch += 100) {
      List<CompletableFuture<WebSocket>> pending = new ArrayList<>();
      for (int i = batch; i < Math.min(to, batch + 100); i++) {
        URI uri = base.resolve("/?callId=idle-" + i + "&sessionId=1&ani=1&dnis=2&accountId=3&subaccountId=4"
            + "&rcAccountId=5&agentId=6&productType=Queue&productId=7");
        pending.add(client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30))
            .buildAsync(uri, new WebSocket.Listener() {
              @Override
              public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                webSocket.request(1);
                return null;
              }
            }));
      }
      for (CompletableFuture<WebSocket> future : pending) {
        WebSocket socket = future.get(60, TimeUnit.SECONDS);
        int i = sockets.size();
        socket.sendText("{\"event\":\"Connected\",\"protocol\":\"AgentSession\",\"version\":\"1.0.0\"}", true).get(30, TimeUnit.SECONDS);
        socket.sendText("{\"event\":\"Start\",\"metadata\":{\"callId\":\"idle-" + i + "\",\"sessionId\":\"1\",\"ani\":\"2223334444\","
            + "\"dnis\":\"2223334444\",\"accountId\":\"99990000\",\"subaccountId\":\"99990001\",\"rcAccountId\":\"123456789\","
            + "\"agentId\":\"123\",\"productType\":\"Queue\",\"productId\":\"1234\",\"contentType\":\"audio/x-mulaw\","
            + "\"sampleRateHertz\":8000}}", true).get(30, TimeUnit.SECONDS);
        sockets.add(socket);
      }
    }
  }

  static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static double round(double value, int digits) {
    double scale = Math.pow(10, digits);
    return Math.round(value * scale) / scale;
  }

  private static String require(Map<String, String> options, String name) {
    String value = options.get(name);
    if (value == null) {
      throw new IllegalArgumentException("--" + name + " is required");
    }
    return value;
  }
}
