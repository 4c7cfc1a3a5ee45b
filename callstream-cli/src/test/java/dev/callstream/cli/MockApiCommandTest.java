package dev.callstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import picocli.CommandLine;

/**
 * What the tests of the API commands ({@code profile}, {@code stream}) share: a MockWebServer on
 * loopback as the RingCX API, and the command line run through the real entry point with its
 * stdout and stderr captured.
 */
abstract class MockApiCommandTest {
  final ObjectMapper mapper = new ObjectMapper();
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();
  MockWebServer server;

  @BeforeEach
  void startServer() throws IOException {
    server = new MockWebServer();
    server.start(InetAddress.getLoopbackAddress(), 0);
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  /** The server's URL without the trailing slash, as {@code --base-url} takes it. */
  String baseUrl() {
    String url = server.url("/").toString();
    return url.substring(0, url.length() - 1);
  }

  /** Runs through the real entry point; the environment is whatever the JVM has. */
  int main(String... args) {
    return Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  /** The real command line, writing to {@link #out} and {@link #err}, for a test to adjust and execute. */
  CommandLine commandLine() {
    return Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true));
  }

  /** The next request the server received, within 5 s. */
  RecordedRequest take() throws InterruptedException {
    RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(request).as("request").isNotNull();
    return request;
  }

  static MockResponse json(int code, String body) {
    return new MockResponse.Builder()
        .code(code)
        .setHeader("Content-Type", "application/json")
        .body(body)
        .build();
  }
}
