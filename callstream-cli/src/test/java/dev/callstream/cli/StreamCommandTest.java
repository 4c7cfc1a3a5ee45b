package dev.callstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class StreamCommandTest extends MockApiCommandTest {
  private static final String DIALOG_PATH =
      "/voice/api/cx/integration/v1/accounts/37439510/sub-accounts/99990001/dialogs/dlg-1";
  private static final String RECEIVER_TOKEN = "receiver-auth-token-7f3a";

  private int withEnvironment(Map<String, String> environment, String... args) {
    CommandLine commandLine = commandLine();
    ((StreamCommand) commandLine.getSubcommands().get("stream").getCommand()).environment =
        environment;
    return commandLine.execute(args);
  }

  private String[] args(String verb, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "stream",
                verb,
                "--base-url",
                baseUrl(),
                "--rc-account",
                "37439510",
                "--sub-account",
                "99990001",
                "--dialog",
                "dlg-1",
                "--stream-id",
                "crm-case-4472"));
    if (verb.equals("start")) {
      args.addAll(List.of("--url", "wss://media.example.com/ringcx/audio"));
    }
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  private static MockResponse ok() {
    return new MockResponse.Builder().code(200).build();
  }

  private void assertNoTokenPrinted() {
    assertThat(out.toString() + err.toString())
        .doesNotContain(RECEIVER_TOKEN)
        .doesNotContain("cx-token-")
        .doesNotContain("rc-token-");
  }

  @Test
  void startOfADialogPostsTheBodyAndPrintsStarted() throws Exception {
    server.enqueue(ok());

    int exit =
        main(
            args(
                "start",
                "--token",
                "cx-token-1",
                "--receiver-token",
                RECEIVER_TOKEN,
                "--encoding",
                "PCMU",
                "--rate",
                "8000",
                "--ptime",
                "20"));

    assertThat(exit).as(err.toString()).isZero();
    assertThat(out.toString()).isEqualTo("stream crm-case-4472 started" + System.lineSeparator());
    assertThat(err.toString()).isEmpty();
    RecordedRequest request = take();
    assertThat(request.getMethod()).isEqualTo("POST");
    assertThat(request.getTarget()).isEqualTo(DIALOG_PATH + "/streams");
    assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer cx-token-1");
    assertThat(mapper.readTree(request.getBody().utf8()))
        .isEqualTo(
            mapper.readTree(
                "{\"url\":\"wss://media.example.com/ringcx/audio\",\"streamId\":\"crm-case-4472\","
                    + "\"token\":\"" + RECEIVER_TOKEN + "\","
                    + "\"properties\":{\"encoding\":\"PCMU\",\"rate\":8000,\"ptime\":20}}"));
    assertNoTokenPrinted();
  }

  @Test
  void startOfASegmentWithoutOptionsSendsOnlyUrlAndStreamId() throws Exception {
    server.enqueue(ok());

    int exit =
        withEnvironment(
            Map.of("RINGCX_TOKEN", "cx-token-env"), args("start", "--segment", "seg-agent-2"));

    assertThat(exit).as(err.toString()).isZero();
    RecordedRequest request = take();
    assertThat(request.getTarget()).isEqualTo(DIALOG_PATH + "/segments/seg-agent-2/streams");
    assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer cx-token-env");
    assertThat(mapper.readTree(request.getBody().utf8()))
        .isEqualTo(
            mapper.readTree(
                "{\"url\":\"wss://media.example.com/ringcx/audio\","
                    + "\"streamId\":\"crm-case-4472\"}"));
    assertThat(out.toString().strip()).isEqualTo("stream crm-case-4472 started");
  }

  @Test
  void stopOfADialogAndOfASegmentDeleteTheStreamAndPrintStopped() throws Exception {
    server.enqueue(ok());
    server.enqueue(ok());

    assertThat(main(args("stop", "--token", "cx-token-1"))).isZero();
    assertThat(main(args("stop", "--token", "cx-token-1", "--segment", "seg-agent-2"))).isZero();

    RecordedRequest dialog = take();
    assertThat(dialog.getMethod()).isEqualTo("DELETE");
    assertThat(dialog.getTarget()).isEqualTo(DIALOG_PATH + "/streams/crm-case-4472");
    RecordedRequest segment = take();
    assertThat(segment.getMethod()).isEqualTo("DELETE");
    assertThat(segment.getTarget())
        .isEqualTo(DIALOG_PATH + "/segments/seg-agent-2/streams/crm-case-4472");
    assertThat(out.toString().lines())
        .containsExactly("stream crm-case-4472 stopped", "stream crm-case-4472 stopped");
  }

  @Test
  void anRcTokenIsExchangedFirst() throws Exception {
    server.enqueue(json(200, "{\"accessToken\":\"cx-token-x\"}"));
    server.enqueue(ok());

    int exit = withEnvironment(Map.of("RC_ACCESS_TOKEN", "rc-token-env"), args("stop"));

    assertThat(exit).as(err.toString()).isZero();
    assertThat(take().getBody().utf8()).contains("rcAccessToken=rc-token-env");
    assertThat(take().getHeaders().get("Authorization")).isEqualTo("Bearer cx-token-x");
    assertNoTokenPrinted();
  }

  @ParameterizedTest
  @CsvSource({
    "400, Bad Request, url is required",
    "403, Forbidden, You do not have permission to access this resource",
    "404, Not Found, Dialog not found",
    "409, Conflict, Stream already exists"
  })
  void anHttpErrorPrintsStatusReasonAndMessageAndExits1(int status, String reason, String message)
      throws Exception {
    server.enqueue(
        new MockResponse.Builder()
            .status("HTTP/1.1 " + status + " " + reason)
            .setHeader("Content-Type", "application/json")
            .body(
                "{\"errorCode\":\"x\",\"generalMessage\":\"" + message + "\",\"timestamp\":1}")
            .build());

    int exit = main(args("start", "--token", "cx-token-1"));

    assertThat(exit).isEqualTo(1);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString().lines())
        .containsExactly("error: HTTP " + status + " " + reason, message);
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aStopErrorIsReportedTheSameWay() {
    server.enqueue(
        new MockResponse.Builder()
            .status("HTTP/1.1 404 Not Found")
            .body("{\"message\":\"Segment not found\"}")
            .build());

    assertThat(main(args("stop", "--token", "cx-token-1", "--segment", "s"))).isEqualTo(1);
    assertThat(err.toString().lines())
        .containsExactly("error: HTTP 404 Not Found", "Segment not found");
  }

  @Test
  void aStartAnswered5xxIsNotRetriedAndSaysTheOutcomeIsUncertain() throws Exception {
    server.enqueue(
        new MockResponse.Builder()
            .status("HTTP/1.1 503 Service Unavailable")
            .setHeader("Retry-After", "0")
            .body("{\"message\":\"try later\"}")
            .build());
    server.enqueue(ok());

    int exit = main(args("start", "--token", "cx-token-1"));

    assertThat(exit).isEqualTo(1);
    assertThat(out.toString()).isEmpty();
    List<String> lines = err.toString().lines().toList();
    assertThat(lines.get(0)).isEqualTo("error: HTTP 503 Service Unavailable");
    assertThat(lines.get(lines.size() - 1))
        .contains("may or may not have started")
        .contains("crm-case-4472");
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void theReceiverTokenIsNeverPrintedEvenWhenTheServerEchoesIt() {
    server.enqueue(
        json(400, "{\"message\":\"bad token " + RECEIVER_TOKEN + "\",\"token\":\"x\"}"));
    server.enqueue(
        json(500, "{\"request\":{\"token\":\"" + RECEIVER_TOKEN + "\",\"auth\":\"cx-token-1\"}}"));

    assertThat(main(args("start", "--token", "cx-token-1", "--receiver-token", RECEIVER_TOKEN)))
        .isEqualTo(1);
    assertThat(main(args("start", "--token", "cx-token-1", "--receiver-token", RECEIVER_TOKEN)))
        .isEqualTo(1);

    assertThat(err.toString()).contains("***");
    assertNoTokenPrinted();
  }

  @Test
  void theReceiverTokenComesFromAFileOrTheEnvironmentToo() throws Exception {
    server.enqueue(ok());
    server.enqueue(ok());
    java.nio.file.Path file = java.nio.file.Files.createTempFile("receiver", ".token");
    try {
      java.nio.file.Files.writeString(file, RECEIVER_TOKEN + "-file\n");

      assertThat(withEnvironment(Map.of("RINGCX_TOKEN", "cx-token-1"),
          args("start", "--receiver-token-file", file.toString()))).as(err.toString()).isZero();
      assertThat(withEnvironment(
          Map.of("RINGCX_TOKEN", "cx-token-1", "RINGCX_RECEIVER_TOKEN", RECEIVER_TOKEN + "-env"),
          args("start"))).as(err.toString()).isZero();
    } finally {
      java.nio.file.Files.delete(file);
    }

    assertThat(mapper.readTree(take().getBody().utf8()).get("token").asText())
        .isEqualTo(RECEIVER_TOKEN + "-file");
    assertThat(mapper.readTree(take().getBody().utf8()).get("token").asText())
        .isEqualTo(RECEIVER_TOKEN + "-env");
    assertNoTokenPrinted();
  }

  @Test
  void usageErrorsExit2WithOneLineAndNoRequest() {
    assertThat(main("stream")).isEqualTo(2);
    assertThat(main(args("start", "--token", "cx-token-1", "--rate", "x"))).isEqualTo(2);
    assertThat(main(args("start", "--token", "cx-token-1", "--rate", "0"))).isEqualTo(2);
    assertThat(main("stream", "stop", "--base-url", baseUrl(), "--token", "cx-1", "--dialog", "d"))
        .isEqualTo(2);
    assertThat(main(args("stop", "--token", "cx-token-1", "--segment", ".."))).isEqualTo(2);
    assertThat(withEnvironment(Map.of(), args("stop"))).isEqualTo(2);
    assertThat(main(args("stop", "--token", "cx-token-1", "--rc-token", "rc-token-2")))
        .isEqualTo(2);
    assertThat(
            main(
                "stream", "start", "--base-url", baseUrl(), "--token", "cx-token-1",
                "--rc-account", "1",
                "--sub-account", "2", "--dialog", "3", "--stream-id", "4", "--url",
                "not a url?token=" + RECEIVER_TOKEN))
        .isEqualTo(2);
    assertThat(main(args("start", "--token", "cx-token-1", "--receiver-tokn", RECEIVER_TOKEN)))
        .isEqualTo(2);

    assertThat(err.toString().lines()).hasSize(9).allMatch(line -> line.startsWith("error: "));
    assertThat(err.toString()).contains("--rc-account").contains("no token");
    assertThat(server.getRequestCount()).isZero();
    assertNoTokenPrinted();
  }

  @Test
  void helpNamesBothSubcommandsAndTheNoRetryRule() {
    assertThat(main("stream", "--help")).isZero();
    assertThat(out.toString()).contains("start").contains("stop").contains("120 requests");
    assertThat(main("stream", "start", "--help")).isZero();
    assertThat(out.toString()).contains("--receiver-token").contains("Never sent twice");
    assertThat(main("--help")).isZero();
    assertThat(out.toString()).contains("stream");
  }
}
