package dev.callstream.cli;

import static dev.callstream.cli.RecordTestAudio.decode;
import static dev.callstream.cli.RecordTestAudio.speech;
import static dev.callstream.cli.RecordTestSupport.assertRecording;
import static dev.callstream.cli.RecordTestSupport.callJson;
import static dev.callstream.cli.RecordTestSupport.folderOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.callstream.testkit.AudioSource;
import dev.callstream.testkit.CallResult;
import dev.callstream.testkit.CallScript;
import dev.callstream.testkit.FakeEngageVoice;
import dev.callstream.testkit.Pacing;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rolling restart of issue 14 with real processes: Debian's {@code haproxy}, started by the
 * test with the repository's {@code docs/haproxy/callstream.cfg}, in front of two
 * {@code callstream record} child processes; real-time calls in progress through the proxy; SIGTERM
 * to one receiver. Every call completes with all its audio (bit-exact, on whichever receiver took
 * it), new calls during the drain land on the other receiver, the drained one exits 0, and the
 * metrics scraped before and after count it all. Skipped, with a message, only when haproxy is not
 * installed.
 */
class HaproxyRollingRestartTest {
  private static final Pattern ADMIN = Pattern.compile("admin on (http://127\\.0\\.0\\.1:\\d+/)");
  private static final Path CONFIG = Path.of("..", "docs", "haproxy", "callstream.cfg");
  private static final int FIRST_CALLS = 12;
  private static final int FIRST_FRAMES = 350;   // 7 s
  private static final int LATER_CALLS = 6;
  private static final int LATER_FRAMES = 100;   // 2 s

  @TempDir Path dir;
  private final List<RecordTestProcess> receivers = new ArrayList<>();
  private final Map<RecordTestProcess, List<String>> seen = new HashMap<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private Process haproxy;
  private FakeEngageVoice platform;

  @AfterEach
  void stopAll() throws Exception {
    if (platform != null) {
      platform.close();
    }
    for (RecordTestProcess receiver : receivers) {
      receiver.destroyIfAlive();
    }
    if (haproxy != null) {
      haproxy.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static String haproxyBinary() {
    for (String candidate : List.of("/usr/sbin/haproxy", "/usr/bin/haproxy", "/usr/local/sbin/haproxy")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String entry : path.split(File.pathSeparator)) {
        Path candidate = Path.of(entry, "haproxy");
        if (Files.isExecutable(candidate)) {
          return candidate.toString();
        }
      }
    }
    return null;
  }

  /** A receiver child process; returns its stream port and admin URI. */
  private RecordTestProcess receiver(String name) throws Exception {
    RecordTestProcess child = RecordTestProcess.start("--port", "0", "--tls", "none", "--admin-port", "0",
        "--drain-timeout", "30", "--recordings", dir.resolve(name).toString());
    receivers.add(child);
    seen.put(child, new CopyOnWriteArrayList<>());
    return child;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** Every stdout line of a receiver so far (the process's queue drained into our list). */
  private List<String> lines(RecordTestProcess child) {
    List<String> all = seen.get(child);
    List<String> fresh = new ArrayList<>();
    child.stdout.drainTo(fresh);
    all.addAll(fresh);
    return all;
  }

  private long count(RecordTestProcess child, String prefix) {
    return lines(child).stream().filter(line -> line.startsWith(prefix)).count();
  }

  private PrometheusText scrape(URI admin) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(admin.resolve("/metrics"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return PrometheusText.parse(response.body());
  }

  private int status(URI admin, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(admin.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static double wss(PrometheusText metrics, String name, String... labels) {
    String[] all = new String[labels.length + 2];
    all[0] = "transport";
    all[1] = "wss";
    System.arraycopy(labels, 0, all, 2, labels.length);
    return metrics.value(name, all);
  }

  private static byte[] agentAudio(int index, int frames) {
    return speech(1000 + index, frames);
  }

  private static byte[] conferenceAudio(int index, int frames) {
    return speech(2000 + index, frames);
  }

  private static CallScript script(int index, int frames) {
    return CallScript.numbered(14, index)
        .agent(AudioSource.ofMulaw(agentAudio(index, frames)))
        .conference(AudioSource.ofMulaw(conferenceAudio(index, frames)))
        .build();
  }

  @Test
  void aReceiverDrainedBehindHaproxyLosesNoCallAndNoFrame() throws Exception {
    String binary = haproxyBinary();
    assumeTrue(binary != null, "haproxy is not installed (apt-get install -y haproxy; .ci/run does it):"
        + " skipping the rolling-restart test behind a real HAProxy");
    assertThat(CONFIG).as("the repository's HAProxy config").isRegularFile();

    RecordTestProcess first = receiver("r1");
    RecordTestProcess second = receiver("r2");
    int[] ports = {first.awaitListening(), second.awaitListening()};
    URI[] admins = new URI[2];
    for (int i = 0; i < 2; i++) {
      RecordTestProcess child = receivers.get(i);
      Matcher admin = ADMIN.matcher(child.nextLine());
      assertThat(admin.matches()).as("admin line; stderr:%n%s", child.stderr).isTrue();
      admins[i] = URI.create(admin.group(1));
    }

    int front = freePort();
    ProcessBuilder proxy = new ProcessBuilder(binary, "-db", "-f", CONFIG.toString())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("haproxy.log").toFile());
    proxy.environment().put("CALLSTREAM_BIND", "127.0.0.1:" + front);
    proxy.environment().put("CALLSTREAM_R1", "127.0.0.1:" + ports[0]);
    proxy.environment().put("CALLSTREAM_R2", "127.0.0.1:" + ports[1]);
    proxy.environment().put("CALLSTREAM_R1_ADMIN", Integer.toString(admins[0].getPort()));
    proxy.environment().put("CALLSTREAM_R2_ADMIN", Integer.toString(admins[1].getPort()));
    haproxy = proxy.start();
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
      assertThat(haproxy.isAlive()).as("haproxy running; log:%n%s", Files.readString(dir.resolve("haproxy.log"))).isTrue();
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", front), 200);
        return true;
      } catch (IOException e) {
        return false;
      }
    });

    platform = FakeEngageVoice.builder(URI.create("ws://127.0.0.1:" + front + "/"))
        .pacing(Pacing.REALTIME)
        .retryBackoff(Duration.ofMillis(100))
        .build();
    List<CompletableFuture<CallResult>> calls = new ArrayList<>();
    for (int i = 0; i < FIRST_CALLS; i++) {
      calls.add(platform.start(script(i, FIRST_FRAMES)));
    }
    await().atMost(Duration.ofSeconds(15)).until(
        () -> count(first, "call started ") + count(second, "call started ") == FIRST_CALLS);
    long onFirst = count(first, "call started ");
    assertThat(onFirst).as("HAProxy spread the calls over both receivers").isBetween(1L, FIRST_CALLS - 1L);

    PrometheusText firstBefore = scrape(admins[0]);
    PrometheusText secondBefore = scrape(admins[1]);
    assertThat(wss(firstBefore, "callstream_calls_active")).isEqualTo(onFirst);
    assertThat(wss(secondBefore, "callstream_calls_active")).isEqualTo(FIRST_CALLS - onFirst);
    assertThat(wss(firstBefore, "callstream_calls_started_total")).isEqualTo(onFirst);

    // The rolling restart: SIGTERM to the first receiver while its calls are in progress.
    assertThat(first.process.toHandle().destroy()).as("SIGTERM sent").isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> count(first, "draining ") == 1);
    assertThat(lines(first)).contains("draining " + onFirst + " calls");
    assertThat(status(admins[0], "/readyz")).as("readiness of the draining receiver").isEqualTo(503);
    assertThat(status(admins[0], "/healthz")).isEqualTo(200);

    // New calls while it drains: all must land on the second receiver.
    for (int i = FIRST_CALLS; i < FIRST_CALLS + LATER_CALLS; i++) {
      calls.add(platform.start(script(i, LATER_FRAMES)));
    }
    await().atMost(Duration.ofSeconds(15)).until(
        () -> count(second, "call started ") == FIRST_CALLS - onFirst + LATER_CALLS);
    PrometheusText firstDraining = scrape(admins[0]);
    assertThat(wss(firstDraining, "callstream_calls_started_total")).as("no new call on the draining receiver")
        .isEqualTo(onFirst);

    List<CallResult> results = new ArrayList<>();
    for (CompletableFuture<CallResult> call : calls) {
      results.add(call.get(40, TimeUnit.SECONDS));
    }
    assertThat(results).allSatisfy(result ->
        assertThat(result.completed()).as("call %s: %s", result.callId(), result.failure()).isTrue());
    assertThat(first.process.waitFor(30, TimeUnit.SECONDS)).as("drained receiver exits").isTrue();
    assertThat(first.process.exitValue()).as("exit code; stderr:%n%s", first.stderr).isZero();
    seen.get(first).addAll(first.remainingLines());
    assertThat(count(first, "call ended ")).as("every call of the drained receiver ended").isEqualTo(onFirst);

    // Every call recorded once, complete, with all its audio, bit-exact.
    Map<String, String> endedLines = new HashMap<>();
    for (RecordTestProcess child : receivers) {
      for (String line : lines(child)) {
        if (line.startsWith("call ended ")) {
          String name = line.split(" ")[2];
          assertThat(endedLines.put(name, line)).as("call %s recorded once", name).isNull();
        }
      }
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> count(second, "call ended ") == FIRST_CALLS - onFirst + LATER_CALLS);
    for (RecordTestProcess child : receivers) {
      for (String line : lines(child)) {
        if (line.startsWith("call ended ")) {
          endedLines.putIfAbsent(line.split(" ")[2], line);
        }
      }
    }
    assertThat(endedLines).hasSize(FIRST_CALLS + LATER_CALLS);
    long secondFrames = 0;
    for (CallResult result : results) {
      String name = result.callId() + "-" + result.sessionId();
      String line = endedLines.get(name);
      assertThat(line).as("call ended line of %s", name).isNotNull().contains(" stopped complete=true ");
      Path folder = folderOf(line);
      boolean later = result.index() >= FIRST_CALLS;
      int frames = later ? LATER_FRAMES : FIRST_FRAMES;
      if (later) {
        assertThat(folder.getParent()).as("a call started during the drain").isEqualTo(dir.resolve("r2").toAbsolutePath());
      }
      if (folder.getParent().equals(dir.resolve("r2").toAbsolutePath())) {
        secondFrames += frames;
      }
      assertRecording(folder, decode(agentAudio(result.index(), frames)), decode(conferenceAudio(result.index(), frames)));
      assertThat(callJson(folder).get("endReason").asText()).isEqualTo("stopped");
    }

    PrometheusText secondAfter = scrape(admins[1]);
    long onSecond = FIRST_CALLS - onFirst + LATER_CALLS;
    assertThat(wss(secondAfter, "callstream_calls_started_total")).isEqualTo(onSecond);
    assertThat(wss(secondAfter, "callstream_calls_ended_total", "reason", "stopped")).isEqualTo(onSecond);
    assertThat(wss(secondAfter, "callstream_calls_ended_total", "reason", "shutdown")).isZero();
    assertThat(wss(secondAfter, "callstream_calls_active")).isZero();
    assertThat(wss(secondAfter, "callstream_frames_total", "channel", "agent")).isEqualTo(secondFrames);
    assertThat(wss(secondAfter, "callstream_frames_total", "channel", "conference")).isEqualTo(secondFrames);
    assertThat(wss(secondAfter, "callstream_gaps_total", "channel", "agent")).isZero();
    assertThat(wss(secondAfter, "callstream_handshakes_rejected_total", "reason", "draining")).isZero();
  }
}
