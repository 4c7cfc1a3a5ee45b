package dev.callstream.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callstream.testsupport.ExpectedPcm;
import dev.callstream.testsupport.Wav;
import dev.callstream.testkit.AudioSource;
import dev.callstream.testkit.CallResult;
import dev.callstream.testkit.CallScript;
import dev.callstream.testkit.ChannelReport;
import dev.callstream.testkit.FakeEngageVoice;
import dev.callstream.testkit.Fault;
import dev.callstream.testkit.HandshakeFailedException;
import dev.callstream.testkit.LoadResult;
import dev.callstream.testkit.Pacing;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CONTRACTS.md section 9 against the built jar, run as {@code java -jar callstream-spring-example.jar
 * --server.port=N --callstream.recordings=DIR --callstream.secrets=S} in a child process: Engage
 * Voice streams at {@code ws://127.0.0.1:N/} recorded bit-exact in the layout of section 2, a wrong
 * secret refused with 401, {@code /actuator/health} 200 with the {@code callstream} component,
 * {@code /actuator/prometheus} with {@code callstream_calls_active}.
 */
class SpringExampleJarIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final Pattern STARTED = Pattern.compile("Tomcat started on port (\\d+)");

  @TempDir
  Path dir;

  private Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final List<String> output = new CopyOnWriteArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stop() throws Exception {
    if (process != null && process.isAlive()) {
      process.destroy(); // SIGTERM: Boot's graceful shutdown
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  @Test
  void theJarRecordsCallsChecksSecretsAndServesHealthAndMetrics() throws Exception {
    Path recordings = dir.resolve("recordings");
    int port = start("--server.port=0", "--callstream.recordings=" + recordings, "--callstream.secrets=s3cret,next");
    URI uri = URI.create("ws://127.0.0.1:" + port + "/");

    HttpResponse<String> health = get(port, "/actuator/health");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(new ObjectMapper().readTree(health.body()).path("components").path("callstream").path("status").asText())
        .isEqualTo("UP");

    LoadResult load;
    try (FakeEngageVoice platform = FakeEngageVoice.builder(uri).secret("next").pacing(Pacing.FLOOD)
        .faults(Fault.DROP, Fault.DUPLICATE, Fault.REORDER).faultRate(0.03).seed(9).build()) {
      load = platform.run(3, SpringExampleJarIT::call);
    }
    assertThat(load.failedCalls()).as("%s", load.results()).isZero();
    for (CallResult call : load.results()) {
      Path folder = recordings.resolve(call.callId() + "-" + call.sessionId());
      await().atMost(TIMEOUT).ignoreExceptions().until(() -> json(folder).hasNonNull("endReason"));
      assertThat(json(folder).get("complete").asBoolean()).isTrue();
      assertThat(json(folder).get("endReason").asText()).isEqualTo("stopped");
      CallScript script = call(call.index());
      assertThat(Wav.monoPcm(folder.resolve("agent.wav"), 8000)).isEqualTo(expected(script.agent(), call.agent()));
      assertThat(Wav.monoPcm(folder.resolve("conference.wav"), 8000))
          .isEqualTo(expected(script.conference(), call.conference()));
      assertThat(folder.resolve("stereo.wav")).isNotEmptyFile();
    }
    // the example's own listener bean saw the calls too
    await().atMost(TIMEOUT).until(() -> output.stream().filter(line -> line.contains("call ended ")).count() == 3);

    try (FakeEngageVoice platform = FakeEngageVoice.builder(uri).secret("wrong").pacing(Pacing.FLOOD).build()) {
      CallResult refused = platform.play(CallScript.builder().callId("intruder").maxDuration(Duration.ofMillis(200)).build());
      assertThat(((HandshakeFailedException) refused.failure()).status()).isEqualTo(401);
    }
    assertThat(recordings.resolve("intruder-1")).doesNotExist();

    HttpResponse<String> metrics = get(port, "/actuator/prometheus");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains("callstream_calls_active")
        .containsPattern("callstream_calls_started_total\\{[^}]*\\} 3");
    assertThat(String.join("\n", output)).doesNotContain("s3cret").doesNotContain("next,");
  }

  private static CallScript call(int index) {
    return CallScript.builder().index(index).callId("example" + index).sessionId("1")
        .agent(AudioSource.speechLike(50 + 2 * index).limit(Duration.ofSeconds(2)))
        .conference(AudioSource.speechLike(51 + 2 * index).limit(Duration.ofSeconds(2)))
        .build();
  }

  /** Starts the jar and returns the port Tomcat took. */
  private int start(String... args) throws Exception {
    Path jar = Path.of(System.getProperty("example.jar", "target/callstream-spring-example.jar"));
    assertThat(jar).as("run mvn package first").isRegularFile();
    List<String> command = new java.util.ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
    command.addAll(List.of(args));
    process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          output.add(line);
          lines.add(line);
        }
      } catch (IOException ignored) {
        // the process ended
      }
    }, "example-output");
    reader.setDaemon(true);
    reader.start();
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      String line = lines.poll(1, TimeUnit.SECONDS);
      if (line != null) {
        Matcher matcher = STARTED.matcher(line);
        if (matcher.find()) {
          return Integer.parseInt(matcher.group(1));
        }
      } else if (!process.isAlive()) {
        break;
      }
    }
    throw new AssertionError("the example did not start:\n" + String.join("\n", output));
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(Path folder) throws IOException {
    return new ObjectMapper().readTree(Files.readAllBytes(folder.resolve("call.json")));
  }

  /** Frames decoded with the SoX reference table; dropped ones silence, none after the last one sent. */
  private static byte[] expected(AudioSource source, ChannelReport sent) {
    return ExpectedPcm.of(source::readFrame, AudioSource.FRAME_BYTES, sent.framesPlanned(), sent.dropped());
  }
}
