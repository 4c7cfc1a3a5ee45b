package dev.callstream.cli;

import static dev.callstream.cli.RecordTestAudio.speech;
import static dev.callstream.cli.RecordTestSupport.callJson;
import static dev.callstream.cli.RecordTestSupport.folderOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.callstream.testsupport.Wav;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code callstream record} as a real process, as scripts and service managers run it: the first
 * stdout line, the per-call lines, and SIGTERM / SIGINT finishing every open recording with exit 0.
 */
class RecordProcessTest {
  private static final Pattern LISTENING = RecordTestProcess.LISTENING;
  private static final Pattern FINGERPRINT =
      Pattern.compile("tls: self-signed certificate sha256 ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})");

  @TempDir Path dir;
  private RecordTestProcess child;

  @AfterEach
  void killLeftovers() {
    if (child != null) {
      child.process.destroyForcibly();
    }
  }

  @Test
  void printsTheListeningLineFirstThenOneLinePerCallStartAndEnd() throws Exception {
    child = RecordTestProcess.start("--port", "0", "--recordings", dir.toString());
    Matcher listening = LISTENING.matcher(child.nextLine());
    assertThat(listening.matches()).as("first stdout line").isTrue();
    assertThat(listening.group(1)).isEqualTo("wss");
    assertThat(Integer.parseInt(listening.group(2))).isPositive();

    // the project's own sender, as a user would run it against the recorder
    StringWriter sendOut = new StringWriter();
    StringWriter sendErr = new StringWriter();
    int sent = Main.run(new String[] {"send", "--url", "wss://127.0.0.1:" + listening.group(2) + "/",
        "--insecure", "--calls", "3", "--flood", "--duration", "1", "--seed", "5"},
        new PrintWriter(sendOut, true), new PrintWriter(sendErr, true));
    assertThat(sent).as("send exit code; stderr: %s", sendErr).isZero();

    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      lines.add(child.nextLine());
    }
    assertThat(lines.stream().filter(line -> line.startsWith("call started "))).hasSize(3);
    List<String> ended = lines.stream().filter(line -> line.startsWith("call ended ")).toList();
    assertThat(ended).hasSize(3).allMatch(line -> line.matches("call ended \\S+ stopped complete=true \\S+"));
    for (String line : ended) {
      Path folder = folderOf(line);
      assertThat(folder.getParent()).isEqualTo(dir.toAbsolutePath());
      for (String file : List.of("agent.wav", "conference.wav", "stereo.wav")) {
        assertThat(Wav.read(folder.resolve(file)).seconds()).as("%s/%s", folder, file).isEqualTo(1.0);
      }
      assertThat(callJson(folder).get("endReason").asText()).isEqualTo("stopped");
    }
    assertThat(child.terminate()).isZero();
  }

  @Test
  void sigtermFinishesEveryOpenRecordingAndExitsZero() throws Exception {
    // A drain of zero: open calls end with shutdown at once (the drain itself: RecordDrainProcessTest)
    child = RecordTestProcess.start("--port", "0", "--recordings", dir.toString(), "--drain-timeout", "0");
    Matcher listening = LISTENING.matcher(child.nextLine());
    assertThat(listening.matches()).isTrue();
    String fingerprint = child.awaitStderr(FINGERPRINT).group(1);
    HttpClient client = RecordTestCall.client(pinned(fingerprint));
    URI uri = URI.create("wss://127.0.0.1:" + listening.group(2) + "/");

    int calls = 3;
    int frames = 50;
    List<RecordTestCall> open = new ArrayList<>();
    for (int c = 0; c < calls; c++) {
      RecordTestCall call = RecordTestCall.open(client, uri, "term" + c, "1").connected().start();
      byte[] agent = speech(300 + 2 * c, frames);
      byte[] conference = speech(301 + 2 * c, frames);
      open.add(call.mediaBoth(agent, conference));
    }
    for (int c = 0; c < calls; c++) {
      assertThat(child.nextLine()).startsWith("call started term");
    }

    assertThat(child.terminate()).as("exit code after SIGTERM; stderr: %s", child.stderr).isZero();

    for (RecordTestCall call : open) {
      assertThat(call.awaitCloseCode(10)).isEqualTo(1001);
    }
    List<String> rest = child.remainingLines();
    assertThat(rest).as("stdout after SIGTERM; stderr: %s", child.stderr).first().isEqualTo("draining " + calls + " calls");
    rest = rest.subList(1, rest.size());
    assertThat(rest).as("stdout after SIGTERM; stderr: %s", child.stderr).hasSize(calls).allMatch(line -> line.matches("call ended term\\d-1 shutdown complete=false \\S+"));
    for (int c = 0; c < calls; c++) {
      Path folder = dir.toAbsolutePath().resolve("term" + c + "-1");
      assertThat(RecordTestSupport.assertRecordedPrefix(folder, speech(300 + 2 * c, frames), speech(301 + 2 * c, frames)))
          .isBetween(1, frames);
      assertThat(callJson(folder).get("endReason").asText()).isEqualTo("shutdown");
      assertThat(callJson(folder).get("complete").asBoolean()).isFalse();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      assertThat(files.filter(file -> file.getFileName().toString().endsWith(".tmp"))).isEmpty();
    }
  }

  @Test
  void sigintAlsoFinishesTheRecordingAndExitsZero() throws Exception {
    assumeFalse(sigintIgnoredHere(), "SIGINT is ignored by this test process (a background job of a"
        + " non-interactive shell), so the recorder it starts inherits that and the JVM installs no"
        + " handler for it: nothing to test here");
    child = RecordTestProcess.start("--port", "0", "--recordings", dir.toString(), "--tls", "none",
        "--drain-timeout", "0");
    Matcher listening = LISTENING.matcher(child.nextLine());
    assertThat(listening.matches()).isTrue();
    assertThat(listening.group(1)).isEqualTo("ws");
    URI uri = URI.create("ws://127.0.0.1:" + listening.group(2) + "/");
    byte[] agent = speech(400, 20);
    RecordTestCall call = RecordTestCall.open(RecordTestCall.client(null), uri, "int", "1").connected().start()
        .mediaBoth(agent, agent);
    assertThat(child.nextLine()).startsWith("call started int-1 ");

    Process kill = new ProcessBuilder("kill", "-INT", Long.toString(child.process.pid())).inheritIO().start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();

    assertThat(child.process.waitFor(30, TimeUnit.SECONDS)).as("exited after SIGINT").isTrue();
    assertThat(child.process.exitValue()).as("exit code; stderr: %s", child.stderr).isZero();
    List<String> rest = child.remainingLines();
    assertThat(rest).hasSize(2).first().isEqualTo("draining 1 calls");
    assertThat(rest.get(1)).startsWith("call ended int-1 shutdown complete=false ");
    assertThat(callJson(dir.resolve("int-1")).get("endReason").asText()).isEqualTo("shutdown");
  }

  /** Whether SIGINT is ignored in this process, which a child inherits (Linux: /proc/self/status). */
  private static boolean sigintIgnoredHere() throws java.io.IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.isReadable(status)) {
      return false;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("SigIgn:")) {
        long ignored = Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16);
        return (ignored & (1L << (2 - 1))) != 0; // bit n-1 for signal n; SIGINT is 2
      }
    }
    return false;
  }

  /** Trusts exactly the certificate whose SHA-256 fingerprint the recorder printed. */
  private static SSLContext pinned(String fingerprint) throws Exception {
    byte[] expected = HexFormat.ofDelimiter(":").parseHex(fingerprint);
    X509TrustManager trust = new X509TrustManager() {
      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType)
          throws java.security.cert.CertificateException {
        try {
          byte[] actual = MessageDigest.getInstance("SHA-256").digest(chain[0].getEncoded());
          if (!MessageDigest.isEqual(expected, actual)) {
            throw new java.security.cert.CertificateException("not the printed certificate");
          }
        } catch (java.security.NoSuchAlgorithmException e) {
          throw new java.security.cert.CertificateException(e);
        }
      }

      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType)
          throws java.security.cert.CertificateException {
        throw new java.security.cert.CertificateException("client side only");
      }

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {trust}, null);
    return context;
  }
}
