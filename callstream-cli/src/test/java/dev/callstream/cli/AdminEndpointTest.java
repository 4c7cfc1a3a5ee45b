package dev.callstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.callstream.testkit.AudioSource;
import dev.callstream.testkit.CallResult;
import dev.callstream.testkit.CallScript;
import dev.callstream.testkit.FakeEngageVoice;
import dev.callstream.testkit.Pacing;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code callstream record --admin-port} in-process (CONTRACTS.md section 6): the {@code admin on}
 * line, {@code /healthz}, {@code /readyz} flipping at {@code --max-calls} and at a drain, and
 * {@code /metrics} as strict Prometheus text with the contract's series counting a real call.
 */
class AdminEndpointTest {
  private static final Pattern ADMIN = Pattern.compile("admin on (http://127\\.0\\.0\\.1:\\d+/)");
  /** For what must happen (a call's end, its metrics): generous for a loaded CI host; awaits return early. */
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;
  private final StringWriter outText = new StringWriter();
  private final PrintWriter out = new PrintWriter(outText, true);
  private final PrintWriter err = new PrintWriter(new StringWriter(), true);
  private final HttpClient http = HttpClient.newHttpClient();
  private RecordServer server;
  private FakeEngageVoice platform;
  private URI admin;

  @AfterEach
  void stop() {
    if (platform != null) {
      platform.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private void start(String... flags) throws Exception {
    List<String> args = new ArrayList<>(List.of("record", "--port", "0", "--tls", "none", "--admin-port", "0",
        "--recordings", dir.toString()));
    args.addAll(List.of(flags));
    CommandLine.ParseResult parsed = Main.commandLine(out, err).parseArgs(args.toArray(String[]::new));
    RecordCommand command = (RecordCommand) parsed.subcommand().commandSpec().userObject();
    server = RecordServer.start(command.settings(), out, err);
    List<String> lines = outText.toString().lines().toList();
    assertThat(lines.get(0)).matches("listening on ws://127\\.0\\.0\\.1:\\d+/");
    Matcher matcher = ADMIN.matcher(lines.get(1));
    assertThat(matcher.matches()).as("second stdout line %s", lines.get(1)).isTrue();
    admin = URI.create(matcher.group(1));
    assertThat(server.adminUri()).isEqualTo(admin);
    platform = FakeEngageVoice.builder(server.uri()).pacing(Pacing.REALTIME).retryBackoff(Duration.ofMillis(20)).build();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(admin.resolve(path)).timeout(WAIT).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private PrometheusText scrape() throws Exception {
    HttpResponse<String> response = get("/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue(AdminServer.PROMETHEUS_TEXT);
    return PrometheusText.parse(response.body());
  }

  private static CallScript call(int index, Duration length) {
    return CallScript.numbered(3, index)
        .agent(AudioSource.speechLike(index).limit(length))
        .conference(AudioSource.speechLike(50 + index).limit(length))
        .build();
  }

  @Test
  void servesHealthReadinessAndTheContractsMetricsAsPrometheusText() throws Exception {
    start();
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
    assertThat(get("/readyz").statusCode()).isEqualTo(200);
    assertThat(get("/nothing-here").statusCode()).isEqualTo(404);
    HttpResponse<String> post = http.send(HttpRequest.newBuilder(admin.resolve("/readyz"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);

    PrometheusText before = scrape();
    assertThat(before.types).containsEntry("callstream_calls_active", "gauge")
        .containsEntry("callstream_calls_started_total", "counter")
        .containsEntry("callstream_calls_ended_total", "counter")
        .containsEntry("callstream_frames_total", "counter")
        .containsEntry("callstream_gaps_total", "counter")
        .containsEntry("callstream_handshakes_rejected_total", "counter")
        .containsKey("jvm_memory_used_bytes")
        .containsKey("jvm_threads_live_threads")
        .containsKey("process_cpu_usage");
    assertThat(before.value("callstream_calls_active", "transport", "wss")).isZero();
    for (String reason : List.of("unauthorized", "capacity", "draining")) {
      assertThat(before.value("callstream_handshakes_rejected_total", "transport", "wss", "reason", reason)).isZero();
    }

    CallResult played = platform.play(call(1, Duration.ofMillis(1200)));
    assertThat(played.completed()).isTrue();
    await().atMost(WAIT).until(() -> outText.toString().contains("call ended "));

    // The metrics count a call's end right after its listener's onEnd (which prints the line), on
    // the call's own thread: wait for the scrape to show it rather than race that thread.
    PrometheusText after = await().atMost(WAIT).until(this::scrape,
        text -> text.value("callstream_calls_ended_total", "transport", "wss", "reason", "stopped") == 1
            && text.value("callstream_calls_active", "transport", "wss") == 0);
    assertThat(after.value("callstream_calls_started_total", "transport", "wss")).isEqualTo(1);
    assertThat(after.value("callstream_frames_total", "transport", "wss", "channel", "agent"))
        .isEqualTo(played.agent().framesSent());
    assertThat(after.value("callstream_frames_total", "transport", "wss", "channel", "conference"))
        .isEqualTo(played.conference().framesSent());
    assertThat(after.value("callstream_gaps_total", "transport", "wss", "channel", "agent")).isZero();
    // three files of 1.2 s of 16-bit audio (agent, conference, stereo) and call.json
    assertThat(after.value("callstream_recording_bytes_total", "transport", "wss"))
        .isGreaterThan(4 * 1.2 * 8000 * 2);
  }

  @Test
  void readinessTurns503AtMaxCallsAndWhileDrainingWhileHealthStays200() throws Exception {
    start("--max-calls", "1");
    // long enough to be still open when the drain below counts it, however long a loaded host
    // takes between the call's admission and that line
    CompletableFuture<CallResult> open = platform.start(call(1, Duration.ofSeconds(5)));
    await().atMost(WAIT).until(() -> get("/readyz").statusCode() == 503);
    assertThat(get("/readyz").body()).contains("max-calls");

    CompletableFuture<Void> drained = server.drain(Duration.ofSeconds(30));

    assertThat(outText.toString().lines()).contains("draining 1 calls");
    HttpResponse<String> readyz = get("/readyz");
    assertThat(readyz.statusCode()).isEqualTo(503);
    assertThat(readyz.body()).isEqualTo("draining\n");
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
    CallResult ran = open.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(ran.completed()).as("the open call ran to its end: %s, stdout %s", ran.failure(), outText).isTrue();
    drained.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(outText.toString()).containsPattern("call ended call-3-1-\\S+ stopped complete=true");
    assertThat(scrape().value("callstream_calls_ended_total", "transport", "wss", "reason", "stopped")).isEqualTo(1);
  }
}
