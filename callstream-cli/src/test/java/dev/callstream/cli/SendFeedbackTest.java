package dev.callstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code send} shows progress on a long run and says plainly why a call failed. */
class SendFeedbackTest {
  private static final Pattern PROGRESS = Pattern.compile(
      "progress (\\d+\\.\\d) s: calls (\\d+) active, (\\d+) done, (\\d+) failed; frames (\\d+) sent,"
          + " (\\d+)/s");

  @TempDir Path dir;
  private final MockWebServer server = new MockWebServer();
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private RecordServer recorder;

  @BeforeEach
  void start() throws Exception {
    server.start(InetAddress.getLoopbackAddress(), 0);
  }

  @AfterEach
  void stop() {
    server.close();
    if (recorder != null) {
      recorder.close();
    }
  }

  private String url() {
    return "ws://127.0.0.1:" + server.getPort() + "/";
  }

  private void acceptCalls(int calls) {
    for (int i = 0; i < calls; i++) {
      server.enqueue(new MockResponse.Builder().webSocketUpgrade(new WebSocketListener() {
        @Override
        public void onClosing(WebSocket webSocket, int code, String reason) {
          webSocket.close(1000, null);
        }

        @Override
        public void onOpen(WebSocket webSocket, Response response) {}
      }).build());
    }
  }

  /** Runs {@code send} with a short progress interval and an injected environment. */
  private int send(Duration progressEvery, Map<String, String> environment, String... args) {
    CommandLine commandLine =
        Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true));
    SendCommand command = (SendCommand) commandLine.getSubcommands().get("send").getCommand();
    command.progressEvery = progressEvery;
    command.environment = environment;
    String[] all = new String[args.length + 1];
    all[0] = "send";
    System.arraycopy(args, 0, all, 1, args.length);
    return commandLine.execute(all);
  }

  @Test
  void aRunPrintsProgressLinesWithCallsFramesAndRate() {
    acceptCalls(2);

    int exit = send(Duration.ofMillis(300), Map.of(), "--url", url(), "--calls", "2",
        "--duration", "2");

    assertThat(exit).as(err.toString()).isZero();
    List<Matcher> lines = err.toString().lines().map(PROGRESS::matcher).filter(Matcher::matches)
        .toList();
    assertThat(lines).as(err.toString()).hasSizeGreaterThanOrEqualTo(3);
    for (Matcher line : lines) {
      int active = Integer.parseInt(line.group(2));
      int done = Integer.parseInt(line.group(3));
      int failed = Integer.parseInt(line.group(4));
      assertThat(active + done + failed).isEqualTo(2);
      assertThat(failed).isZero();
    }
    long lastFrames = Long.parseLong(lines.get(lines.size() - 1).group(5));
    // Two calls of 2 s, both sides: 400 frames in all by the end; progress never overcounts.
    assertThat(lastFrames).isPositive().isLessThanOrEqualTo(400);
    assertThat(lines.stream().mapToLong(line -> Long.parseLong(line.group(6))).max().orElse(0))
        .as("some line reports a rate").isPositive();
    assertThat(out.toString().strip()).endsWith("}").contains("\"mediaSent\": 400");
  }

  @Test
  void quietPrintsNoProgressAndNoBanner() {
    acceptCalls(1);

    int exit = send(Duration.ofMillis(100), Map.of(), "--url", url(), "--duration", "1",
        "--quiet");

    assertThat(exit).isZero();
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void aRefusedConnectionSaysSoAndNamesTheCallOnce() throws Exception {
    int port;
    try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = closed.getLocalPort();
    }

    int exit = send(Duration.ofSeconds(5), Map.of(), "--url", "ws://127.0.0.1:" + port + "/",
        "--duration", "1");

    assertThat(exit).isEqualTo(1);
    List<String> failures = err.toString().lines().filter(line -> line.contains("failed:")).toList();
    assertThat(failures).containsExactly(
        "call call-1-0 failed: connection refused by 127.0.0.1:" + port);
    assertThat(err.toString().split("call-1-0", -1)).hasSize(2);
    assertThat(err.toString()).doesNotContain("ConnectException");
  }

  @Test
  void aSelfSignedServerWithoutInsecureGetsTheHint() throws Exception {
    CommandLine.ParseResult parsed = Main.commandLine(new PrintWriter(new StringWriter()),
        new PrintWriter(new StringWriter())).parseArgs("record", "--port", "0", "--recordings",
        dir.toString());
    recorder = RecordServer.start(
        ((RecordCommand) parsed.subcommand().commandSpec().userObject()).settings(),
        new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));

    int exit = send(Duration.ofSeconds(5), Map.of(), "--url", recorder.uri().toString(),
        "--duration", "1");

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString()).contains("call call-1-0 failed: the TLS certificate of 127.0.0.1:")
        .contains("add --insecure").doesNotContain("PKIX path building failed");
  }

  @Test
  void aWavInTheWrongFormatSaysWhatIsNeededAndHowToConvertIt() throws Exception {
    Path wav = dir.resolve("call 44k.wav");
    Files.write(wav, wav(44_100, 2, new byte[4_000]));

    int exit = send(Duration.ofSeconds(5), Map.of(), "--url", url(), "--agent", wav.toString());

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString().lines()).hasSize(1).first().asString()
        .startsWith("error: --agent: " + wav)
        .contains("44100 Hz")
        .contains("8000 Hz mono 16-bit")
        .contains("sox '" + wav + "' -r 8000 -c 1 -b 16 -e signed-integer '"
            + dir.resolve("call 44k-8k.wav") + "'");
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void theSecretComesFromAFileOrTheEnvironment() throws Exception {
    acceptCalls(2);
    Path file = Files.writeString(dir.resolve("secret"), "file-secret-7\n");

    assertThat(send(Duration.ofSeconds(5), Map.of("CALLSTREAM_SECRET", "env-secret-7"),
        "--url", url(), "--duration", "0.1", "--flood", "--secret-file", file.toString()))
        .as(err.toString()).isZero();
    assertThat(send(Duration.ofSeconds(5), Map.of("CALLSTREAM_SECRET", "env-secret-7"),
        "--url", url(), "--duration", "0.1", "--flood")).as(err.toString()).isZero();

    assertThat(authorization()).isEqualTo("Bearer file-secret-7");
    assertThat(authorization()).isEqualTo("Bearer env-secret-7");
    assertThat(out.toString() + err.toString()).doesNotContain("secret-7");
  }

  @Test
  void aSecretFlagAndFileTogetherAreAUsageError() throws Exception {
    Path file = Files.writeString(dir.resolve("secret"), "file-secret-7\n");

    assertThat(send(Duration.ofSeconds(5), Map.of(), "--url", url(), "--secret", "x-secret-7",
        "--secret-file", file.toString())).isEqualTo(2);

    assertThat(err.toString().strip())
        .isEqualTo("error: give --secret or --secret-file, not both (see --help)");
  }

  private String authorization() throws InterruptedException {
    RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(request).as("upgrade request").isNotNull();
    return request.getHeaders().get("Authorization");
  }

  /** A minimal 16-bit PCM WAV file. */
  private static byte[] wav(int rate, int channels, byte[] data) {
    ByteBuffer header = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
    header.put("RIFF".getBytes()).putInt(36 + data.length).put("WAVE".getBytes());
    header.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) channels)
        .putInt(rate).putInt(rate * channels * 2).putShort((short) (channels * 2))
        .putShort((short) 16);
    header.put("data".getBytes()).putInt(data.length);
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    file.writeBytes(header.array());
    file.writeBytes(data);
    return file.toByteArray();
  }
}
