package dev.callstream.testkit.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callstream.core.CallStreamListener;
import dev.callstream.server.CallStreamServer;
import dev.callstream.testkit.CallResult;
import dev.callstream.testkit.CallScript;
import dev.callstream.testkit.FakeEngageVoice;
import dev.callstream.testkit.Pacing;
import dev.callstream.transport.Tls;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code insecure(true)} skips host name verification on the sender's own client (no JVM-wide
 * property): against a certificate issued to another name, a sender that trusts the certificate
 * but verifies names fails, and an insecure one connects.
 */
class InsecureHostnameTest {
  @TempDir Path dir;

  @Test
  void insecureAcceptsACertificateForAnotherHostName() throws Exception {
    Path keystore = dir.resolve("other-name.p12");
    Process keytool = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "server", "-keyalg", "EC", "-dname", "CN=example.invalid",
        "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
        "-storepass", "changeit", "-keypass", "changeit")
        .redirectErrorStream(true).start();
    assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue()).as(new String(keytool.getInputStream().readAllBytes())).isZero();

    try (CallStreamServer server = CallStreamServer.builder().host("127.0.0.1").port(0)
        .tls(Tls.pkcs12(keystore, "changeit"))
        .listenerFactory(CallStreamListener.Factory.NONE)
        .build().start()) {
      CallScript script = CallScript.builder().maxDuration(Duration.ofMillis(200)).build();
      try (FakeEngageVoice verifying = FakeEngageVoice.builder(server.uri())
          .sslContext(server.tls().clientContext()).pacing(Pacing.FLOOD).build()) {
        CallResult result = verifying.play(script);
        assertThat(result.failed()).isTrue();
        assertThat(result.failure()).hasMessageContaining("cannot connect");
      }
      try (FakeEngageVoice insecure = FakeEngageVoice.builder(server.uri())
          .insecure(true).pacing(Pacing.FLOOD).build()) {
        CallResult result = insecure.play(script);
        assertThat(result.completed()).as("%s", result.failure()).isTrue();
      }
    }
  }
}
