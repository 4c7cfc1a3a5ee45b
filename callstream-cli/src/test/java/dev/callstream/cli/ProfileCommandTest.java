package dev.callstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class ProfileCommandTest extends MockApiCommandTest {
  private static final String PROFILE_JSON =
      "{\"subAccountId\":\"99990001\",\"mainAccountId\":\"99990000\",\"productType\":\"QUEUE\","
          + "\"productId\":1234,\"rcAccountId\":\"37439510\",\"streamingUrl\":\"wss://a.example\","
          + "\"secret\":\"s3cr3t-value\",\"extra\":\"kept\"}";

  /** Runs the same command line with an injected environment. */
  private int withEnvironment(Map<String, String> environment, String... args) {
    CommandLine commandLine = commandLine();
    ((ProfileCommand) commandLine.getSubcommands().get("profile").getCommand()).environment =
        environment;
    return commandLine.execute(args);
  }

  private String[] createArgs(String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "profile",
                "create",
                "--base-url",
                baseUrl(),
                "--product-type",
                "queue",
                "--product-id",
                "1234",
                "--sub-account",
                "99990001",
                "--main-account",
                "99990000",
                "--rc-account",
                "37439510",
                "--streaming-url",
                "wss://a.example:8443",
                "--secret",
                "s3cr3t-value"));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  private String[] keyArgs(String verb, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "profile",
                verb,
                "--base-url",
                baseUrl(),
                "--product-type",
                "CAMPAIGN",
                "--product-id",
                "42",
                "--sub-account",
                "99990001"));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  private void assertNothingSecretPrinted() {
    assertThat(out.toString() + err.toString())
        .doesNotContain("s3cr3t-value")
        .doesNotContain("cx-token")
        .doesNotContain("rc-token");
  }

  @Test
  void createPostsTheProfileAndPrintsTheResponseWithTheSecretMasked() throws Exception {
    server.enqueue(json(200, PROFILE_JSON));

    int exit = main(createArgs("--token", "cx-token-1"));

    assertThat(exit).isZero();
    assertThat(err.toString()).isEmpty();
    JsonNode printed = mapper.readTree(out.toString());
    JsonNode expected = mapper.readTree(PROFILE_JSON);
    ((com.fasterxml.jackson.databind.node.ObjectNode) expected).put("secret", "***");
    assertThat(printed).isEqualTo(expected);
    assertThat(out.toString().trim()).doesNotContain("\n");

    RecordedRequest request = take();
    assertThat(request.getMethod()).isEqualTo("POST");
    assertThat(request.getTarget()).isEqualTo("/platform/api/media/product");
    assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer cx-token-1");
    assertThat(mapper.readTree(request.getBody().utf8()))
        .isEqualTo(
            mapper.readTree(
                "{\"productType\":\"QUEUE\",\"productId\":1234,\"subAccountId\":\"99990001\","
                    + "\"mainAccountId\":\"99990000\",\"rcAccountId\":\"37439510\","
                    + "\"streamingUrl\":\"wss://a.example:8443\",\"secret\":\"s3cr3t-value\"}"));
    assertNothingSecretPrinted();
  }

  @Test
  void updatePutsOnlyTheGivenFields() throws Exception {
    server.enqueue(json(200, PROFILE_JSON));

    int exit =
        main(
            keyArgs("update", "--streaming-url", "wss://1.2.3.4:8443", "--token", "cx-token-1"));

    assertThat(exit).isZero();
    RecordedRequest request = take();
    assertThat(request.getMethod()).isEqualTo("PUT");
    assertThat(request.getTarget()).isEqualTo("/platform/api/media/product");
    assertThat(mapper.readTree(request.getBody().utf8()))
        .isEqualTo(
            mapper.readTree(
                "{\"productType\":\"CAMPAIGN\",\"productId\":42,\"subAccountId\":\"99990001\","
                    + "\"streamingUrl\":\"wss://1.2.3.4:8443\"}"));
    assertThat(mapper.readTree(out.toString()).get("secret").asText()).isEqualTo("***");
  }

  @Test
  void getUsesTheKeyPathAndTheTokenFromTheEnvironment() throws Exception {
    server.enqueue(json(200, PROFILE_JSON));

    int exit = withEnvironment(Map.of("RINGCX_TOKEN", "cx-token-env"), keyArgs("get"));

    assertThat(exit).isZero();
    RecordedRequest request = take();
    assertThat(request.getMethod()).isEqualTo("GET");
    assertThat(request.getTarget())
        .isEqualTo("/platform/api/media/product/account/99990001/type/CAMPAIGN/id/42");
    assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer cx-token-env");
    assertThat(mapper.readTree(out.toString()).get("extra").asText()).isEqualTo("kept");
    assertNothingSecretPrinted();
  }

  @Test
  void responseFieldsNamedAsAnySecretArePrintedMasked() throws Exception {
    server.enqueue(json(200, "{\"productId\":42,\"secret\":\"v-secret-1\",\"apiKey\":\"v-apikey-2\","
        + "\"nested\":{\"access_token\":\"v-token-3\",\"X-Client-Password\":\"v-pw-4\"},\"streamingUrl\":\"wss://a\"}"));

    int exit = withEnvironment(Map.of("RINGCX_TOKEN", "cx-token-env"), keyArgs("get"));

    assertThat(exit).isZero();
    var printed = mapper.readTree(out.toString());
    assertThat(printed.get("productId").asInt()).isEqualTo(42);
    assertThat(printed.get("streamingUrl").asText()).isEqualTo("wss://a");
    assertThat(printed.get("apiKey").asText()).isEqualTo("***");
    assertThat(printed.at("/nested/access_token").asText()).isEqualTo("***");
    assertThat(out.toString() + err.toString()).doesNotContain("v-secret-1", "v-apikey-2", "v-token-3", "v-pw-4");
  }

  @Test
  void anHttpErrorNamingSecretsInItsBodyDoesNotPrintThem() throws Exception {
    server.enqueue(json(400, "{\"error\":{\"code\":7,\"client_secret\":\"v-cs-5\",\"Api-Key\":\"v-ak-6\"}}"));

    int exit = main(createArgs("--token", "cx-token-1"));

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString()).startsWith("error: HTTP 400 ").contains("\"code\":7").doesNotContain("v-cs-5", "v-ak-6");
    assertNothingSecretPrinted();
  }

  @Test
  void aTokenFlagWinsOverTheEnvironment() throws Exception {
    server.enqueue(json(200, PROFILE_JSON));

    withEnvironment(
        Map.of("RINGCX_TOKEN", "cx-token-env", "RC_ACCESS_TOKEN", "rc-token-env"),
        keyArgs("get", "--token", "cx-token-flag"));

    assertThat(take().getHeaders().get("Authorization")).isEqualTo("Bearer cx-token-flag");
  }

  @Test
  void anRcTokenIsExchangedAtTheSameBaseUrlFirst() throws Exception {
    server.enqueue(json(200, "{\"accessToken\":\"cx-token-x\",\"refreshToken\":\"r-1\"}"));
    server.enqueue(json(200, PROFILE_JSON));

    int exit = withEnvironment(Map.of(), keyArgs("get", "--rc-token", "rc-token-1"));

    assertThat(exit).isZero();
    RecordedRequest exchange = take();
    assertThat(exchange.getMethod()).isEqualTo("POST");
    assertThat(exchange.getTarget())
        .isEqualTo("/api/auth/login/rc/accesstoken?includeRefresh=true");
    assertThat(exchange.getBody().utf8())
        .isEqualTo("rcAccessToken=rc-token-1&rcTokenType=Bearer");
    assertThat(take().getHeaders().get("Authorization")).isEqualTo("Bearer cx-token-x");
    assertNothingSecretPrinted();
  }

  @Test
  void anRcTokenFromTheEnvironmentIsExchanged() throws Exception {
    server.enqueue(json(200, "{\"accessToken\":\"cx-token-y\"}"));
    server.enqueue(json(200, PROFILE_JSON));

    int exit = withEnvironment(Map.of("RC_ACCESS_TOKEN", "rc-token-env"), keyArgs("get"));

    assertThat(exit).isZero();
    assertThat(take().getBody().utf8()).contains("rcAccessToken=rc-token-env");
    assertThat(take().getHeaders().get("Authorization")).isEqualTo("Bearer cx-token-y");
  }

  @Test
  void anHttpErrorPrintsStatusReasonAndServerMessageAndExits1() throws Exception {
    server.enqueue(
        new MockResponse.Builder()
            .status("HTTP/1.1 404 Not Found")
            .setHeader("Content-Type", "application/json")
            .body("{\"message\":\"Product not found\"}")
            .build());

    int exit = main(keyArgs("get", "--token", "cx-token-1"));

    assertThat(exit).isEqualTo(1);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString().lines())
        .containsExactly("error: HTTP 404 Not Found", "Product not found");
  }

  @Test
  void anHttpErrorEchoingTheTokenOrSecretDoesNotPrintThem() throws Exception {
    server.enqueue(
        json(400, "{\"message\":\"bad request: secret s3cr3t-value, auth cx-token-1\"}"));

    int exit = main(createArgs("--token", "cx-token-1"));

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString()).startsWith("error: HTTP 400 ").contains("***");
    assertNothingSecretPrinted();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"ws://a.example", "https://a.example", "wss://host/path", "wss://host:99999", ""})
  void aStreamingUrlThatIsNotWssHostPortIsRefusedWithExit2AndNoRequest(String url) {
    int exit =
        withEnvironment(
            Map.of(),
            keyArgs("update", "--streaming-url", url, "--rc-token", "rc-token-1"));

    assertThat(exit).as(err.toString()).isEqualTo(2);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString().lines()).hasSize(1).first().asString().startsWith("error: ");
    assertThat(err.toString()).contains("streamingUrl");
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void aMissingRequiredFlagExits2WithoutARequest() {
    String[] args = createArgs("--token", "cx-token-1");
    List<String> withoutRcAccount = new ArrayList<>(List.of(args));
    int index = withoutRcAccount.indexOf("--rc-account");
    withoutRcAccount.remove(index + 1);
    withoutRcAccount.remove(index);

    assertThat(main(withoutRcAccount.toArray(String[]::new))).isEqualTo(2);
    assertThat(main("profile", "get", "--base-url", baseUrl(), "--token", "t")).isEqualTo(2);
    assertThat(main(keyArgs("create", "--token", "t"))).isEqualTo(2);

    assertThat(err.toString().lines()).hasSize(3).allMatch(line -> line.startsWith("error: "));
    assertThat(err.toString()).contains("--rc-account").contains("--product-type");
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void noTokenAnywhereExits2() {
    int exit = withEnvironment(Map.of("RINGCX_TOKEN", " "), keyArgs("get"));

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).startsWith("error: no token").contains("RINGCX_TOKEN");
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void bothTokenFlagsExit2() {
    assertThat(main(keyArgs("get", "--token", "a", "--rc-token", "b"))).isEqualTo(2);
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void unknownFlagsAndBadValuesAreOneLineUsageErrors() {
    assertThat(main(keyArgs("get", "--token", "t", "--nope"))).isEqualTo(2);
    assertThat(main(keyArgs("get", "--token", "t", "--product-type", "CHAT"))).isEqualTo(2);
    assertThat(main(keyArgs("get", "--token", "t", "--product-id", "x"))).isEqualTo(2);
    assertThat(main(keyArgs("get", "--token", "t", "--secret", "s"))).isEqualTo(2);
    assertThat(main("profile")).isEqualTo(2);

    assertThat(err.toString().lines()).hasSize(5).allMatch(line -> line.startsWith("error: "));
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void aMistypedFlagDoesNotEchoTheTokenThatFollowsIt() {
    assertThat(main(keyArgs("get", "--tokn", "cx-token-typo"))).isEqualTo(2);
    assertThat(main(keyArgs("get", "--token", "t", "--secrte=s3cr3t-value"))).isEqualTo(2);
    assertThat(main(keyArgs("get", "--token", "t", "rc-token-stray"))).isEqualTo(2);
    assertThat(main("profile", "--tokn", "cx-token-typo", "get")).isEqualTo(2);

    assertThat(err.toString().lines())
        .hasSize(4)
        .allMatch(line -> line.startsWith("error: "))
        .anyMatch(line -> line.contains("'--tokn'"))
        .anyMatch(line -> line.contains("'--secrte'"));
    assertNothingSecretPrinted();
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void deletePrintsASummaryWhenTheResponseIsNotJson() throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).body("Product deleted").build());

    int exit = main(keyArgs("delete", "--token", "cx-token-1"));

    assertThat(exit).isZero();
    RecordedRequest request = take();
    assertThat(request.getMethod()).isEqualTo("DELETE");
    assertThat(request.getTarget())
        .isEqualTo("/platform/api/media/product/account/99990001/type/CAMPAIGN/id/42");
    assertThat(mapper.readTree(out.toString()))
        .isEqualTo(
            mapper.readTree(
                "{\"deleted\":true,\"subAccountId\":\"99990001\",\"productType\":\"CAMPAIGN\","
                    + "\"productId\":42,\"message\":\"Product deleted\"}"));
  }

  @Test
  void deletePrintsAJsonResponseAsItIs() throws Exception {
    server.enqueue(json(200, "{\"id\":42,\"success\":true}"));

    assertThat(main(keyArgs("delete", "--token", "cx-token-1"))).isZero();

    assertThat(mapper.readTree(out.toString()))
        .isEqualTo(mapper.readTree("{\"id\":42,\"success\":true}"));
  }

  @Test
  void aTransportErrorExits1WithOneErrorLine() throws Exception {
    MockWebServer closed = new MockWebServer();
    closed.start(InetAddress.getLoopbackAddress(), 0);
    String url = closed.url("/").toString();
    closed.close();

    int exit = main("profile", "get", "--base-url", url, "--token", "cx-token-1",
        "--product-type", "QUEUE", "--product-id", "1", "--sub-account", "1");

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString().lines()).hasSize(1).first().asString().startsWith("error: GET ");
    assertNothingSecretPrinted();
  }

  @Test
  void helpDescribesTheDeleteOutput() {
    assertThat(main("profile", "delete", "--help")).isZero();
    assertThat(out.toString()).contains("\"deleted\": true");
  }
}
