package dev.callstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
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

/** {@code callstream send} against OkHttp's MockWebServer as an independent WebSocket receiver. */
class SendCommandTest {
  private final ObjectMapper json = new ObjectMapper();
  private final MockWebServer server = new MockWebServer();
  private final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
  /** Text messages received, per connection (1, 2...). */
  private final Map<Integer, List<String>> received = new ConcurrentHashMap<>();
  private final List<Integer> closeCodes = new CopyOnWriteArrayList<>();
  @TempDir Path dir;

  @BeforeEach
  void start() throws Exception {
    server.start(InetAddress.getLoopbackAddress(), 0);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private String url() {
    return "ws://127.0.0.1:" + server.getPort() + "/";
  }

  private void acceptCalls(int calls) {
    for (int i = 0; i < calls; i++) {
      server.enqueue(new MockResponse.Builder().webSocketUpgrade(new WebSocketListener() {
        private List<String> messages;

        @Override
        public void onOpen(WebSocket webSocket, Response response) {
          messages = new CopyOnWriteArrayList<>();
          received.put(connections.incrementAndGet(), messages);
        }

        @Override
        public void onMessage(WebSocket webSocket, String text) {
          messages.add(text);
        }

        @Override
        public void onClosing(WebSocket webSocket, int code, String reason) {
          closeCodes.add(code);
          webSocket.close(1000, null);
        }
      }).build());
    }
  }

  private record Run(int exit, String out, String err) {
    String lastLine() {
      String[] lines = out.strip().split("\n");
      return lines[lines.length - 1];
    }
  }

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.run(args, new PrintWriter(out), new PrintWriter(err));
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void sendsThreeCallsAndPrintsTheSummaryAsTheLastLine() throws Exception {
    acceptCalls(3);
    Run run = run("send", "--url", url(), "--calls", "3", "--flood", "--duration", "1");

    assertThat(run.exit()).as(run.err()).isZero();
    JsonNode summary = json.readTree(run.lastLine());
    assertThat(summary.get("calls").asInt()).isEqualTo(3);
    assertThat(summary.get("failedCalls").asInt()).isZero();
    assertThat(summary.get("mediaSent").asLong()).isEqualTo(300);
    assertThat(summary.get("seconds").isNumber()).isTrue();
    assertThat(summary.get("mediaPerSecond").asDouble()).isPositive();

    List<String> queries = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      RecordedRequest request = server.takeRequest();
      queries.add(request.getUrl().queryParameter("callId") + "/" + request.getUrl().queryParameter("sessionId"));
      assertThat(request.getUrl().queryParameterNames()).containsExactlyInAnyOrder(
          "callId", "sessionId", "ani", "dnis", "accountId", "subaccountId", "rcAccountId", "agentId",
          "productType", "productId");
    }
    assertThat(queries).doesNotHaveDuplicates();
    assertThat(received).hasSize(3);
    for (List<String> messages : received.values()) {
      assertThat(json.readTree(messages.get(0)).get("event").asText()).isEqualTo("Connected");
      assertThat(json.readTree(messages.get(1)).get("event").asText()).isEqualTo("Start");
      assertThat(messages).hasSize(2 + 100 + 2);
      assertThat(json.readTree(messages.get(messages.size() - 1)).get("event").asText()).isEqualTo("Stop");
    }
    assertThat(closeCodes).containsExactly(1000, 1000, 1000);
  }

  @Test
  void sendsTheSecretAndPerConnectionSequenceIds() throws Exception {
    acceptCalls(1);
    Run run = run("send", "--url", url(), "--flood", "--duration", "0.1", "--secret", "hunter2",
        "--sequence", "per-connection");

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(server.takeRequest().getHeaders().get("Authorization")).isEqualTo("Bearer hunter2");
    List<String> sequences = new ArrayList<>();
    for (String message : received.values().iterator().next()) {
      JsonNode node = json.readTree(message);
      if (node.get("event").asText().equals("Media")) {
        sequences.add(node.get("perspective").asText().charAt(0) + node.get("sequenceId").asText());
      }
    }
    assertThat(sequences).containsExactly("P1", "C2", "P3", "C4", "P5", "C6", "P7", "C8", "P9", "C10");
    assertThat(run.out()).doesNotContain("hunter2");
    assertThat(run.err()).doesNotContain("hunter2");
  }

  @Test
  void playsAWavFileAndCountsAnAbortedCallAsCompleted() throws Exception {
    acceptCalls(1);
    Path ul = dir.resolve("agent.ul");
    Files.write(ul, new byte[160 * 50]);
    Run run = run("send", "--url", url(), "--flood", "--agent", ul.toString(), "--fault", "abort", "--seed", "3");

    assertThat(run.exit()).as(run.err()).isZero();
    JsonNode summary = json.readTree(run.lastLine());
    assertThat(summary.get("failedCalls").asInt()).isZero();
    assertThat(summary.get("mediaSent").asLong()).isBetween(2 * 12L, 2 * 38L);
  }

  @Test
  void aRefusedCallExitsOne() throws Exception {
    server.enqueue(new MockResponse.Builder().code(401).build());
    Run run = run("send", "--url", url(), "--flood", "--duration", "0.2");

    assertThat(run.exit()).isEqualTo(1);
    JsonNode summary = json.readTree(run.lastLine());
    assertThat(summary.get("calls").asInt()).isEqualTo(1);
    assertThat(summary.get("failedCalls").asInt()).isEqualTo(1);
    assertThat(run.err()).contains("HTTP 401");
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void retriesA503() throws Exception {
    server.enqueue(new MockResponse.Builder().code(503).build());
    acceptCalls(1);
    Run run = run("send", "--url", url(), "--flood", "--duration", "0.2");

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void usageErrorsExitTwoWithOneLineOnStderr() throws Exception {
    Path notAudio = dir.resolve("notes.txt");
    Files.writeString(notAudio, "hello");
    String[][] bad = {
      {"send", "--url", url(), "--bogus"},
      {"send"},
      {"send", "--url", url(), "--realtime", "--flood"},
      {"send", "--url", url(), "--fault", "drop,explode"},
      {"send", "--url", url(), "--sequence", "sideways"},
      {"send", "--url", "http://127.0.0.1:1/"},
      {"send", "--url", url(), "--calls", "0"},
      {"send", "--url", url(), "--agent", notAudio.toString()},
    };
    for (String[] args : bad) {
      Run run = run(args);
      assertThat(run.exit()).as(String.join(" ", args)).isEqualTo(2);
      assertThat(run.err().strip().lines().count()).as(run.err()).isEqualTo(1);
      assertThat(run.out()).isEmpty();
    }
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void helpExplainsWhatCountsAsCompleted() {
    Run run = run("send", "--help");
    assertThat(run.exit()).isZero();
    assertThat(run.out()).contains("--fault", "--sequence", "--insecure", "abort", "Exit 0 when every call completed");
  }
}
