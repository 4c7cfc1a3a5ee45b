package dev.callstream.cli;

import static dev.callstream.cli.RecordTestAudio.speech;
import static dev.callstream.cli.RecordTestSupport.assertRecordedWhole;
import static dev.callstream.cli.RecordTestSupport.folderOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.callstream.transport.TlsInfo;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --tls keystore} and {@code --tls pem}: the recorder serves the operator's certificate. */
class RecordTlsTest {
  @TempDir Path dir;

  private final StringWriter outText = new StringWriter();
  private final StringWriter errText = new StringWriter();
  private RecordServer server;
  private KeyPair keys;
  private X509Certificate certificate;

  @BeforeEach
  void makeCertificate() {
    HeldCertificate held = new HeldCertificate.Builder().commonName("recorder.test")
        .addSubjectAlternativeName("127.0.0.1").ecdsa256().build();
    keys = held.keyPair();
    certificate = held.certificate();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void servesAPkcs12Keystore() throws Exception {
    KeyStore keystore = KeyStore.getInstance("PKCS12");
    keystore.load(null, null);
    keystore.setKeyEntry("server", keys.getPrivate(), "store-pass-5e1".toCharArray(),
        new java.security.cert.Certificate[] {certificate});
    Path file = dir.resolve("server.p12");
    try (var stream = Files.newOutputStream(file)) {
      keystore.store(stream, "store-pass-5e1".toCharArray());
    }

    start("--tls", "keystore", "--keystore", file.toString(), "--keystore-password", "store-pass-5e1");

    recordsACallTrustingOnlyTheGivenCertificate();
    assertThat(outText.toString() + errText.toString()).doesNotContain("store-pass-5e1");
  }

  @Test
  void servesPemFiles() throws Exception {
    Path cert = Files.writeString(dir.resolve("cert.pem"), pem("CERTIFICATE", certificate.getEncoded()));
    Path key = Files.writeString(dir.resolve("key.pem"), pem("PRIVATE KEY", keys.getPrivate().getEncoded()));

    start("--tls", "pem", "--cert", cert.toString(), "--key", key.toString());

    recordsACallTrustingOnlyTheGivenCertificate();
  }

  @Test
  void aPemKeyThatDoesNotMatchItsCertificateExitsOneWithOneLine() throws Exception {
    Path cert = Files.writeString(dir.resolve("cert.pem"), pem("CERTIFICATE", certificate.getEncoded()));
    HeldCertificate other = new HeldCertificate.Builder().ecdsa256().build();
    Path key = Files.writeString(dir.resolve("other-key.pem"), other.privateKeyPkcs8Pem());

    int exit = Main.run(new String[] {"record", "--port", "0", "--recordings", dir.resolve("recordings").toString(),
        "--tls", "pem", "--cert", cert.toString(), "--key", key.toString()},
        new PrintWriter(outText, true), new PrintWriter(errText, true));

    assertThat(exit).isEqualTo(1);
    assertThat(outText.toString()).isEmpty();
    assertThat(errText.toString().lines().toList()).singleElement().asString()
        .startsWith("error: ").contains("key does not match certificate");
  }

  private void start(String... flags) throws Exception {
    PrintWriter out = new PrintWriter(outText, true);
    PrintWriter err = new PrintWriter(errText, true);
    List<String> args = new java.util.ArrayList<>(List.of("record", "--port", "0", "--recordings",
        dir.resolve("recordings").toString()));
    args.addAll(List.of(flags));
    CommandLine.ParseResult parsed = Main.commandLine(out, err).parseArgs(args.toArray(String[]::new));
    server = RecordServer.start(((RecordCommand) parsed.subcommand().commandSpec().userObject()).settings(), out, err);
  }

  private void recordsACallTrustingOnlyTheGivenCertificate() throws Exception {
    assertThat(outText.toString().lines().findFirst()).hasValueSatisfying(
        line -> assertThat(line).matches("listening on wss://127\\.0\\.0\\.1:\\d+/"));
    assertThat(errText.toString()).contains("tls: certificate sha256 " + TlsInfo.fingerprint(certificate));
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("server", certificate);
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    byte[] agent = speech(500, 25);
    byte[] conference = speech(501, 25);

    RecordTestCall.open(RecordTestCall.client(context), server.uri(), "tls", "1").streamWhole(agent, conference);

    await().atMost(Duration.ofSeconds(20)).until(() -> outText.toString().contains("call ended tls-1 "));
    String ended = outText.toString().lines().filter(line -> line.startsWith("call ended tls-1 ")).findFirst().orElseThrow();
    assertThat(ended).contains(" stopped complete=true ");
    assertRecordedWhole(folderOf(ended), agent, conference);
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
