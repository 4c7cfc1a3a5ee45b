package dev.callstream.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.callstream.testsupport.WebSocketPeer;
import dev.callstream.core.CallStreamException;
import dev.callstream.core.EndReason;
import dev.callstream.transport.Tls;
import dev.callstream.transport.TlsInfo;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsTest extends ServerTestSupport {
  @TempDir Path dir;

  private static HeldCertificate certificate(boolean rsa) {
    HeldCertificate.Builder builder = new HeldCertificate.Builder().commonName("test").addSubjectAlternativeName("127.0.0.1");
    return (rsa ? builder.rsa2048() : builder.ecdsa256()).build();
  }

  private static boolean run(Path dir, String... command) throws Exception {
    try {
      Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      process.getInputStream().readAllBytes();
      return process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0;
    } catch (java.io.IOException noOpenssl) {
      return false;
    }
  }

  /** A full call over the server's TLS, trusting only the certificate the server reports. */
  private void aCallWorks(CallStreamServer server, X509Certificate expected) throws Exception {
    assertThat(server.uri().getScheme()).isEqualTo("wss");
    assertThat(server.tls().certificate()).isEqualTo(expected);
    WebSocketPeer peer = Peers.connect(server, "callId=tls");
    playCall(peer, "tls", 2);
    assertThat(RecordingCallListener.take(created).awaitEnd()).isEqualTo(EndReason.STOPPED);
    assertThat(peer.awaitCloseCode(30)).isEqualTo(1000);
  }

  @Test
  void selfSignedCertificatesNameLocalhostAndExposeTheirFingerprint() throws Exception {
    for (Tls.KeyType type : Tls.KeyType.values()) {
      CallStreamServer server = start(builder -> builder.tls(Tls.selfSigned(type)));
      TlsInfo info = server.tls();
      assertThat(info.secure()).isTrue();
      assertThat(info.selfSigned()).isTrue();
      assertThat(info.certificate().getPublicKey().getAlgorithm()).isEqualTo(type == Tls.KeyType.RSA_2048 ? "RSA" : "EC");
      assertThat(info.certificate().getSubjectAlternativeNames())
          .extracting(entry -> (Object) entry.get(1)).contains("localhost", "127.0.0.1");
      assertThat(info.sha256Fingerprint()).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}")
          .isEqualTo(TlsInfo.fingerprint(info.certificate()));
      aCallWorks(server, info.certificate());
    }
  }

  @Test
  void aPkcs12KeystoreServesTls() throws Exception {
    HeldCertificate held = certificate(true);
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("server", held.keyPair().getPrivate(), "pw".toCharArray(), new Certificate[] {held.certificate()});
    Path file = dir.resolve("server.p12");
    try (OutputStream out = Files.newOutputStream(file)) {
      store.store(out, "pw".toCharArray());
    }
    CallStreamServer server = start(builder -> builder.tls(Tls.pkcs12(file, "pw")));
    assertThat(server.tls().selfSigned()).isFalse();
    aCallWorks(server, held.certificate());
  }

  @Test
  void pemFilesWithPkcs8OrPkcs1KeysServeTls() throws Exception {
    String[][] cases = {{"EC", "pkcs8"}, {"RSA", "pkcs8"}, {"RSA", "pkcs1"}};
    for (String[] c : cases) {
      HeldCertificate held = certificate(c[0].equals("RSA"));
      Path cert = Files.writeString(dir.resolve(c[0] + c[1] + "-cert.pem"), held.certificatePem());
      Path key = Files.writeString(dir.resolve(c[0] + c[1] + "-key.pem"),
          c[1].equals("pkcs8") ? held.privateKeyPkcs8Pem() : held.privateKeyPkcs1Pem());
      assertThat(Files.readString(key)).contains(c[1].equals("pkcs8") ? "BEGIN PRIVATE KEY" : "BEGIN RSA PRIVATE KEY");
      CallStreamServer server = start(builder -> builder.tls(Tls.pem(cert, key)));
      aCallWorks(server, held.certificate());
    }
  }

  @Test
  void pemFilesFromOpensslWithASec1KeyServeTls() throws Exception {
    Path key = dir.resolve("ec-key.pem");
    Path cert = dir.resolve("ec-cert.pem");
    assumeTrue(run(dir, "openssl", "ecparam", "-genkey", "-name", "prime256v1", "-out", key.toString()),
        "no openssl on this machine");
    assertThat(run(dir, "openssl", "req", "-x509", "-new", "-key", key.toString(), "-subj", "/CN=test",
        "-addext", "subjectAltName=IP:127.0.0.1", "-days", "1", "-out", cert.toString())).isTrue();
    assertThat(Files.readString(key)).contains("BEGIN EC PRIVATE KEY");
    X509Certificate expected = (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
        .generateCertificate(Files.newInputStream(cert));
    CallStreamServer server = start(builder -> builder.tls(Tls.pem(cert, key)));
    aCallWorks(server, expected);
  }

  @Test
  void aPemKeyThatDoesNotMatchItsCertificateFailsStart() throws Exception {
    Path cert = Files.writeString(dir.resolve("cert.pem"), certificate(false).certificatePem());
    Path key = Files.writeString(dir.resolve("key.pem"), certificate(false).privateKeyPkcs8Pem());
    assertThatThrownBy(() -> start(builder -> builder.tls(Tls.pem(cert, key))))
        .isInstanceOf(CallStreamException.class).hasMessageContaining("key does not match certificate");
  }

  @Test
  void aServerWithoutATlsChoiceDoesNotBuild() {
    assertThatThrownBy(() -> CallStreamServer.builder().listenerFactory(info -> new RecordingCallListener(info)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("tls is required").hasMessageContaining("Tls.selfSigned()").hasMessageContaining("Tls.none()");
  }

  @Test
  void bothTls12And13AreServed() throws Exception {
    CallStreamServer server = start();
    javax.net.ssl.SSLContext client = server.tls().clientContext();
    for (String protocol : new String[] {"TLSv1.2", "TLSv1.3"}) {
      try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", server.port())) {
        socket.setEnabledProtocols(new String[] {protocol});
        socket.startHandshake();
        assertThat(socket.getSession().getProtocol()).isEqualTo(protocol);
        assertThat(socket.getSession().getPeerCertificates()[0]).isEqualTo(server.tls().certificate());
      }
    }
  }

  @Test
  void onlyTls12And13AreOffered() throws Exception {
    CallStreamServer server = start();
    javax.net.ssl.SSLContext client = server.tls().clientContext();
    try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", server.port())) {
      socket.setEnabledProtocols(new String[] {"TLSv1.1"});
      assertThatThrownBy(socket::startHandshake).isInstanceOf(javax.net.ssl.SSLException.class);
    } catch (IllegalArgumentException unsupportedByThisJdk) {
      // TLS 1.1 cannot even be enabled on the client: nothing to test.
    }
    try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", server.port())) {
      socket.startHandshake();
      assertThat(socket.getSession().getProtocol()).isIn("TLSv1.2", "TLSv1.3");
    }
  }

  @Test
  void plainWebSocketsOnlyWhenAskedFor() throws Exception {
    CallStreamServer plain = start(builder -> builder.tls(Tls.none()));
    assertThat(plain.tls().secure()).isFalse();
    WebSocketPeer peer = Peers.connect(plain, "callId=plain");
    playCall(peer, "plain", 1);
    assertThat(RecordingCallListener.take(created).awaitEnd()).isEqualTo(EndReason.STOPPED);

    CallStreamServer secure = start();
    java.net.URI plainUri = java.net.URI.create("ws://127.0.0.1:" + secure.port() + "/");
    assertThatThrownBy(() -> Peers.connect(HttpClient.newHttpClient(), plainUri, "callId=x", Map.of()))
        .isInstanceOf(RuntimeException.class);
  }

  @Test
  void unreadableTlsFilesFailStartNamingTheFile() {
    Path missing = dir.resolve("missing.p12");
    assertThatThrownBy(() -> start(builder -> builder.tls(Tls.pkcs12(missing, "pw"))))
        .isInstanceOf(CallStreamException.class).hasMessageContaining("missing.p12");
    assertThatThrownBy(() -> start(builder -> builder.tls(Tls.pem(missing, missing))))
        .isInstanceOf(CallStreamException.class).hasMessageContaining("missing.p12");
  }
}
