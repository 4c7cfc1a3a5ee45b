package dev.callstream.server.reliability;

import dev.callstream.testsupport.Wav;
import dev.callstream.testsupport.PlatformJson;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callstream.core.CallSession;
import dev.callstream.core.EndReason;
import dev.callstream.core.recording.CallRecorder;
import dev.callstream.server.CallStreamServer;
import dev.callstream.transport.Tls;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The soak run behind {@code scripts/soak.sh} (not a CI test): a {@link CallStreamServer} with a
 * {@link CallRecorder} and, in the same JVM, a churn of real-time calls of random length arriving
 * so that on average {@code concurrency} are open, 1 % of them faulty (cut without Stop, or garbage
 * mid-call). Every 10 s it prints heap after GC, threads, open fds and open calls; every ended call's
 * recording is checked (valid WAV headers, frames = frames sent and no gaps for clean calls) and then
 * deleted to bound disk use. The last line is a JSON summary. Arguments:
 * {@code durationSeconds concurrency minCallSeconds maxCallSeconds seed}.
 */
public final class SoakDriver {
  private final long durationNanos;
  private final int concurrency;
  private final int minFrames;
  private final int maxFrames;
  private final Random random;
  private final Path recordings;
  private final HttpClient client = HttpClient.newHttpClient();
  private final ScheduledExecutorService ticker = Executors.newScheduledThreadPool(2);
  private final Map<String, Call> open = new ConcurrentHashMap<>();
  private final Map<String, Call> ending = new ConcurrentHashMap<>();
  private final AtomicLong started = new AtomicLong();
  private final AtomicLong cleanChecked = new AtomicLong();
  private final AtomicLong faultyChecked = new AtomicLong();
  private final AtomicLong framesLost = new AtomicLong();
  private final AtomicLong senderSkips = new AtomicLong();
  private final AtomicLong invalidRecordings = new AtomicLong();
  private final AtomicLong connectFailures = new AtomicLong();
  private final List<String> problems = new CopyOnWriteArrayList<>();
  private final ObjectMapper mapper = new ObjectMapper();
  private final byte[] frame = new byte[160];

  private final class Call {
    final String id;
    final int frames;
    final boolean faulty;
    final int faultAt;
    volatile WebSocket socket;
    volatile boolean finishNow;
    int next;
    CompletableFuture<?> inFlight = CompletableFuture.completedFuture(null);

    Call(String id, int frames, boolean faulty, int faultAt) {
      this.id = id;
      this.frames = frames;
      this.faulty = faulty;
      this.faultAt = faultAt;
    }
  }

  private SoakDriver(String[] args) throws IOException {
    durationNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(args[0]));
    concurrency = Integer.parseInt(args[1]);
    minFrames = Integer.parseInt(args[2]) * 50;
    maxFrames = Integer.parseInt(args[3]) * 50;
    random = new Random(Long.parseLong(args[4]));
    recordings = Files.createTempDirectory("callstream-soak");
    new Random(1).nextBytes(frame);
  }

  public static void main(String[] args) throws Exception {
    new SoakDriver(args.length == 5 ? args : new String[] {"1800", "300", "5", "300", "1"}).run();
  }

  private void run() throws Exception {
    CallRecorder recorder = CallRecorder.builder(recordings).events(new CallRecorder.Events() {
      @Override
      public void finished(CallSession session, Path folder, EndReason reason, boolean complete) {
        Call call = ending.remove(session.callId());
        check(call, folder, reason);
      }
    }).build();
    try (CallStreamServer server = CallStreamServer.builder().host("127.0.0.1").port(0).tls(Tls.none())
        .maxCalls(Math.max(500, concurrency * 2)).listenerFactory(recorder).build().start()) {
      URI uri = server.uri();
      String media = Base64.getEncoder().encodeToString(frame);
      ticker.scheduleAtFixedRate(() -> tick(media), 20, 20, TimeUnit.MILLISECONDS);
      long start = System.nanoTime();
      long nextReport = start;
      double meanFrames = (minFrames + maxFrames) / 2.0;
      // Poisson arrivals at concurrency / mean call length: Little's law keeps `concurrency` open on average
      double arrivalsPerSecond = concurrency / (meanFrames / 50.0);
      long nextArrival = start;
      System.out.printf("soak: %d s, %d concurrent on average, calls %d-%d s, recordings in %s%n",
          TimeUnit.NANOSECONDS.toSeconds(durationNanos), concurrency, minFrames / 50, maxFrames / 50, recordings);
      System.out.println("t_s,open_calls,heap_after_gc_mb,threads,fds,calls_started,clean_checked,frames_lost");
      // ramp: reach the target concurrency within about 10 s; hundreds of simultaneous TLS-less
      // handshakes from one client still queue past its connect timeout on 2 shared cores
      for (int i = 0; i < concurrency; i++) {
        startCall(uri, true);
        TimeUnit.MILLISECONDS.sleep(10_000L / concurrency); // pacing of arrivals, not synchronisation
      }
      while (System.nanoTime() - start < durationNanos) {
        long now = System.nanoTime();
        while (nextArrival <= now) {
          startCall(uri, false);
          nextArrival += (long) (-Math.log(1 - random.nextDouble()) / arrivalsPerSecond * 1e9);
        }
        if (now >= nextReport) {
          report(start, server);
          nextReport += TimeUnit.SECONDS.toNanos(10);
        }
        TimeUnit.MILLISECONDS.sleep(20); // pacing of arrivals, not synchronisation
      }
      // stop arrivals; let open calls finish early: they send their Stops at the next tick
      open.values().forEach(call -> call.finishNow = true);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while ((!open.isEmpty() || !ending.isEmpty()) && System.nanoTime() < deadline) {
        TimeUnit.MILLISECONDS.sleep(100);
      }
      report(start, server);
      ticker.shutdownNow();
    }
    System.out.printf("{\"callsStarted\": %d, \"cleanChecked\": %d, \"faultyChecked\": %d, \"framesLostOnCleanCalls\": %d,"
        + " \"senderSkippedTicks\": %d, \"invalidRecordings\": %d, \"connectFailures\": %d, \"unfinished\": %d,"
        + " \"problems\": %s}%n", started.get(), cleanChecked.get(), faultyChecked.get(), framesLost.get(),
        senderSkips.get(), invalidRecordings.get(), connectFailures.get(), open.size() + ending.size(),
        mapper.writeValueAsString(problems.subList(0, Math.min(10, problems.size()))));
    deleteTree(recordings);
  }

  private void startCall(URI uri, boolean ramp) {
    int frames = minFrames + random.nextInt(maxFrames - minFrames + 1);
    if (ramp) {
      frames = minFrames + random.nextInt(Math.max(1, frames - minFrames + 1)); // stagger the first ends
    }
    boolean faulty = random.nextInt(100) == 0;
    Call call = new Call("soak" + started.incrementAndGet(), frames, faulty, random.nextInt(frames));
    client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
        .buildAsync(URI.create(uri + "?callId=" + call.id + "&sessionId=1"), new WebSocket.Listener() {})
        .thenCompose(ws -> {
          call.socket = ws;
          return ws.sendText(PlatformJson.connected(), true).thenCompose(w -> w.sendText(PlatformJson.start(call.id, "1"), true));
        })
        .whenComplete((ws, error) -> {
          if (error != null) {
            connectFailures.incrementAndGet();
            problems.add(call.id + ": connect " + error);
          } else {
            open.put(call.id, call);
          }
        });
  }

  private void tick(String media) {
    for (Call call : open.values()) {
      if (!call.inFlight.isDone()) {
        senderSkips.incrementAndGet();
        continue;
      }
      if (call.faulty && call.next == call.faultAt) {
        open.remove(call.id);
        ending.put(call.id, call);
        if (call.faultAt % 2 == 0) {
          call.socket.abort(); // cut without Stop
        } else {
          call.inFlight = call.socket.sendText("{\"event\":\"Media\",\"media\":", true)
              .thenCompose(w -> w.sendText("\u0000garbage", true))
              .thenCompose(w -> w.sendClose(WebSocket.NORMAL_CLOSURE, "bye"));
        }
        continue;
      }
      if (call.next >= call.frames || call.finishNow) {
        open.remove(call.id);
        ending.put(call.id, call);
        call.inFlight = call.socket.sendText(PlatformJson.stop("Participant"), true)
            .thenCompose(w -> w.sendText(PlatformJson.stop("Conference"), true));
        continue;
      }
      int n = call.next++;
      call.inFlight = call.socket
          .sendText(mediaJson("Participant", n, media), true)
          .thenCompose(w -> w.sendText(mediaJson("Conference", n, media), true));
    }
  }

  private static String mediaJson(String perspective, int sequence, String media) {
    return "{\"event\":\"Media\",\"perspective\":\"" + perspective + "\",\"sequenceId\":\"" + sequence
        + "\",\"media\":\"" + media + "\"}";
  }

  private void check(Call call, Path folder, EndReason reason) {
    try {
      if (call == null) {
        problems.add(folder.getFileName() + ": ended (" + reason.label() + ") while still sending");
        invalidRecordings.incrementAndGet();
        return;
      }
      JsonNode json = mapper.readTree(folder.resolve("call.json").toFile());
      long agentFrames = json.path("channels").path("agent").path("frames").asLong();
      long conferenceFrames = json.path("channels").path("conference").path("frames").asLong();
      for (String track : List.of("agent.wav", "conference.wav", "stereo.wav")) {
        Wav wav = Wav.read(folder.resolve(track));
        long expectedSamples = Math.max(agentFrames, conferenceFrames) * 160 * wav.channels();
        if (!call.faulty && wav.samples().length != expectedSamples) {
          throw new AssertionError(track + " holds " + wav.samples().length + " samples, expected " + expectedSamples);
        }
      }
      if (call.faulty) {
        faultyChecked.incrementAndGet();
      } else {
        long lost = 2L * call.next - agentFrames - conferenceFrames
            + json.path("channels").path("agent").path("gaps").asLong()
            + json.path("channels").path("conference").path("gaps").asLong();
        framesLost.addAndGet(lost);
        if (lost != 0 || !json.path("complete").asBoolean() || reason != EndReason.STOPPED) {
          problems.add(call.id + ": lost " + lost + ", complete " + json.path("complete") + ", " + reason.label());
        }
        cleanChecked.incrementAndGet();
      }
    } catch (IOException | AssertionError e) {
      invalidRecordings.incrementAndGet();
      problems.add(folder.getFileName() + ": " + e.getMessage());
    } finally {
      deleteTree(folder);
    }
  }

  private void report(long start, CallStreamServer server) {
    System.gc();
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    String[] fds = new File("/proc/self/fd").list();
    System.out.printf("%d,%d,%.1f,%d,%d,%d,%d,%d%n", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start),
        server.activeCalls(), heap / 1048576.0, ManagementFactory.getThreadMXBean().getThreadCount(),
        fds == null ? -1 : fds.length, started.get(), cleanChecked.get(), framesLost.get());
  }

  private static void deleteTree(Path path) {
    try (Stream<Path> files = Files.walk(path)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a temp folder
    }
  }
}
