package dev.callstream.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callstream.testsupport.WebSocketPeer;
import dev.callstream.testsupport.PlatformJson;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets and audio never reach the logs: a server in a child JVM logging at DEBUG (slf4j-simple on
 * stderr) sees right and wrong secrets in every place they are accepted, garbage, malformed Media
 * whose broken media value is audio, and clean Media; its whole stderr is then searched.
 */
class LogSecrecyTest {
  private static final String SECRET = "s3cr3t-Kx7Qp2Zr9Lm4";
  private static final String WRONG_SECRET = "wr0ng-Yt5Vb8Nc1Hj6";
  /** Credentials under names other than {@code secret}, which the one rule of Secrets also hides. */
  private static final List<String> NAMED = List.of("Qak-7Hd2Pw", "Qat-3Kx9Zm", "Scs-5Rt1Uv", "Sap-8Nb4Cq",
      "Spw-2Ly6Ej", "Srt-6Gf3Wa", "Uau-4Ts8Bd");

  @TempDir
  Path recordings;

  @Test
  void noSecretAndNoAudioPayloadEverAppearsInTheLogs() throws Exception {
    byte[] audio = new byte[160];
    new Random(99).nextBytes(audio);
    String base64 = Base64.getEncoder().encodeToString(audio);
    Path stderr = recordings.resolveSibling(recordings.getFileName() + "-stderr.log");
    Process server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=debug", "-cp", System.getProperty("java.class.path"),
        LogProbeServer.class.getName(), recordings.toString(), SECRET)
        .redirectError(stderr.toFile())
        .start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      assertThat(line).startsWith("listening on ws://");
      URI uri = URI.create(line.substring("listening on ".length()));
      HttpClient client = WebSocketPeer.client();
      String media = PlatformJson.media("Participant", 0, audio);

      // wrong secrets at the upgrade: header, query, both
      assertThat(WebSocketPeer.refusedStatus(client, uri, "callId=a&sessionId=1", Map.of("Authorization", "Bearer " + WRONG_SECRET)))
          .isEqualTo(401);
      assertThat(WebSocketPeer.refusedStatus(client, uri, "callId=b&sessionId=1&secret=" + WRONG_SECRET, Map.of())).isEqualTo(401);
      assertThat(WebSocketPeer.refusedStatus(client, uri, "callId=c&sessionId=1&secret=" + SECRET,
          Map.of("Authorization", "Bearer " + WRONG_SECRET))).isEqualTo(401);

      // a wrong and a right secret in Start
      WebSocketPeer wrongStart = WebSocketPeer.connect(client, uri, "callId=d&sessionId=1", Map.of());
      wrongStart.send(PlatformJson.connected()).send(PlatformJson.start("\"d\"", "1", ",\"secret\":\"" + WRONG_SECRET + "\""));
      assertThat(wrongStart.awaitCloseCode(10)).isEqualTo(1008);
      WebSocketPeer rightStart = WebSocketPeer.connect(client, uri, "callId=e&sessionId=1", Map.of());
      rightStart.send(PlatformJson.connected()).send(PlatformJson.start("\"e\"", "1", ",\"secret\":\"" + SECRET + "\""))
          .send(media).send(PlatformJson.stop("Participant")).send(PlatformJson.stop("Conference"));
      assertThat(rightStart.awaitCloseCode(10)).isEqualTo(1000);

      // the right secret in the query, then garbage, malformed Media quoting audio, and clean Media
      WebSocketPeer noisy = WebSocketPeer.connect(client, uri, "callId=f&sessionId=1&secret=" + URLEncoder.encode(SECRET,
          StandardCharsets.UTF_8), Map.of());
      noisy.send(PlatformJson.connected()).send(PlatformJson.start("f", "1"));
      List<String> garbage = new ArrayList<>(List.of(
          "{\"event\":\"Media\",\"perspective\":\"Participant\",\"media\":" + base64 + "}",
          "{\"event\":\"Media\",\"perspective\":\"Participant\",\"media\":" + base64,
          "{\"event\":\"Media\",\"perspective\":\"Participant\",\"media\":\"" + base64,
          "{\"event\":\"Media\",\"perspective\":\"Participant\",\"media\":\"" + base64 + "!?\"}",
          "{\"event\":\"Media\",\"perspective\":\"" + base64 + "\",\"media\":\"" + base64 + "\"}",
          "{\"event\":\"Media\",\"perspective\":\"Participant\",\"media\":[\"" + base64 + "\"]}",
          base64, "[" + base64 + "]", "{\"" + base64 + "\":1", "{\"event\":\"" + SECRET + "\"",
          "{\"event\":\"Surprise\",\"payload\":\"" + base64 + "\"}",
          "{\"event\":\"Start\",\"metadata\":{\"secret\":\"" + WRONG_SECRET + "\"}}"));
      for (int i = 0; i < garbage.size(); i++) {
        noisy.send(garbage.get(i)).send(PlatformJson.media("Conference", i, audio));
      }
      noisy.send(PlatformJson.stop("Participant")).send(PlatformJson.stop("Conference"));
      assertThat(noisy.awaitCloseCode(10)).isEqualTo(1000);
      // credentials under other names: query, Start, an unknown event, Stop
      WebSocketPeer named = WebSocketPeer.connect(client, uri, "callId=h&sessionId=1&api_key=" + NAMED.get(0) + "&X-Auth-Token="
          + NAMED.get(1), Map.of("Authorization", "Bearer " + SECRET));
      named.send(PlatformJson.connected()).send(PlatformJson.start("\"h\"", "1", ",\"clientSecret\":\"" + NAMED.get(2)
          + "\",\"apiKey\":\"" + NAMED.get(3) + "\",\"credentials\":{\"password\":\"" + NAMED.get(4) + "\"}"))
          .send("{\"event\":\"Surprise\",\"authorization\":\"" + NAMED.get(6) + "\"}")
          .send(media)
          .send("{\"event\":\"Stop\",\"perspective\":\"Participant\",\"metadata\":{\"refresh_token\":\""
              + NAMED.get(5) + "\"}}")
          .send(PlatformJson.stop("Conference"));
      assertThat(named.awaitCloseCode(10)).isEqualTo(1000);
      // a call cut mid-stream and a binary frame of audio
      WebSocketPeer binary = WebSocketPeer.connect(client, uri, "callId=g&sessionId=1", Map.of("Authorization", "Bearer " + SECRET));
      binary.send(PlatformJson.start("g", "1")).sendBinary(base64.getBytes(StandardCharsets.US_ASCII));
      assertThat(binary.awaitCloseCode(10)).isEqualTo(1003);

      server.getOutputStream().close();
      assertThat(server.waitFor(30, TimeUnit.SECONDS)).as("server exits when its stdin closes").isTrue();
    } finally {
      server.destroyForcibly();
    }

    String log = Files.readString(stderr, StandardCharsets.UTF_8);
    assertThat(log).as("the probe really logged at DEBUG and WARN")
        .contains("DEBUG").contains("malformed").contains("401");
    assertThat(log).doesNotContain(SECRET).doesNotContain(WRONG_SECRET)
        .doesNotContain(SECRET.substring(0, 8)).doesNotContain(WRONG_SECRET.substring(0, 8));
    for (String value : NAMED) {
      assertThat(log).doesNotContain(value);
    }
    String callJson = Files.readString(recordings.resolve("h-1").resolve("call.json"), StandardCharsets.UTF_8);
    assertThat(callJson).contains("\"agentId\" : 123").doesNotContain(SECRET).doesNotContain("apiKey");
    for (String value : NAMED) {
      assertThat(callJson).doesNotContain(value);
    }
    for (int at = 0; at + 12 <= base64.length(); at += 6) {
      assertThat(log).as("no 12-character slice of the audio's base64").doesNotContain(base64.substring(at, at + 12));
    }
  }
}
