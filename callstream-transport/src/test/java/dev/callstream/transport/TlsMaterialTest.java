package dev.callstream.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.callstream.core.CallStreamException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsMaterialTest {
  @TempDir Path dir;

  /**
   * Serves one TLS connection with the material's context (TLS 1.2 and 1.3 enabled, as servers do)
   * to a client that trusts only the reported certificate and speaks only {@code protocol}; the
   * server echoes one byte. Returns the certificate the client saw.
   */
  private static X509Certificate handshake(TlsMaterial material, String protocol) throws Exception {
    try (SSLServerSocket server = (SSLServerSocket) material.sslContext().getServerSocketFactory()
        .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      server.setEnabledProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
      CompletableFuture<Void> serving = CompletableFuture.runAsync(() -> {
        try (SSLSocket socket = (SSLSocket) server.accept()) {
          socket.setSoTimeout(10_000);
          socket.getOutputStream().write(socket.getInputStream().read());
          socket.getOutputStream().flush();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      X509Certificate seen;
      try (SSLSocket client = (SSLSocket) material.info().clientContext().getSocketFactory()
          .createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
        client.setSoTimeout(10_000);
        client.setEnabledProtocols(new String[] {protocol});
        client.startHandshake();
        assertThat(client.getSession().getProtocol()).isEqualTo(protocol);
        OutputStream out = client.getOutputStream();
        out.write(42);
        out.flush();
        InputStream in = client.getInputStream();
        assertThat(in.read()).isEqualTo(42);
        seen = (X509Certificate) client.getSession().getPeerCertificates()[0];
      }
      // After the client closed: the server's close waits for the client's close_notify.
      serving.get(10, TimeUnit.SECONDS);
      return seen;
    }
  }

  private static void servesBothProtocols(TlsMaterial material) throws Exception {
    for (String protocol : List.of("TLSv1.2", "TLSv1.3")) {
      assertThat(handshake(material, protocol)).isEqualTo(material.info().certificate());
    }
  }

  /** What a gRPC server on Netty takes: key managers, or the key with its chain. */
  private static void offersKeyAndChain(TlsMaterial material, X509Certificate leaf) {
    assertThat(material.keyManagerFactory()).isNotNull();
    assertThat(material.keyManagerFactory().getKeyManagers()).isNotEmpty();
    assertThat(material.privateKey()).isNotNull();
    assertThat(material.certificateChain()).first().isEqualTo(leaf);
    assertThat(material.info().sha256Fingerprint()).isEqualTo(TlsInfo.fingerprint(leaf));
    assertThat(material.toString()).contains(material.info().sha256Fingerprint());
  }

  @Test
  void selfSignedCertificatesOfEitherKeyTypeNameLocalhostAndTheBindHost() throws Exception {
    for (Tls.KeyType type : Tls.KeyType.values()) {
      TlsMaterial material = Tls.selfSigned(type).load("10.1.2.3");
      X509Certificate certificate = material.info().certificate();
      assertThat(material.info().secure()).isTrue();
      assertThat(material.info().selfSigned()).isTrue();
      assertThat(certificate.getPublicKey().getAlgorithm()).isEqualTo(type == Tls.KeyType.RSA_2048 ? "RSA" : "EC");
      assertThat(certificate.getSubjectAlternativeNames())
          .extracting(entry -> (Object) entry.get(1)).contains("localhost", "127.0.0.1", "10.1.2.3");
      assertThat(certificate.getSubjectX500Principal()).isEqualTo(certificate.getIssuerX500Principal());
      assertThat(certificate.getNotAfter().getTime() - System.currentTimeMillis())
          .isGreaterThan(TimeUnit.DAYS.toMillis(364));
      assertThat(material.info().sha256Fingerprint()).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
      offersKeyAndChain(material, certificate);
      servesBothProtocols(material);
    }
    assertThat(Tls.selfSigned().load("0.0.0.0").info().certificate().getSubjectAlternativeNames())
        .extracting(entry -> (Object) entry.get(1)).containsExactly("localhost", "127.0.0.1");
    assertThat(Tls.selfSigned().load("[::1]").info().certificate().getSubjectAlternativeNames()).hasSize(3);
  }

  @Test
  void aPkcs12KeystoreServesItsKeyAndChain() throws Exception {
    HeldCertificate held = TestKeys.certificate(true);
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("server", held.keyPair().getPrivate(), "pw".toCharArray(), new Certificate[] {held.certificate()});
    Path file = dir.resolve("server.p12");
    try (OutputStream out = Files.newOutputStream(file)) {
      store.store(out, "pw".toCharArray());
    }
    TlsMaterial material = Tls.pkcs12(file, "pw").load("127.0.0.1");
    assertThat(material.info().selfSigned()).isFalse();
    offersKeyAndChain(material, held.certificate());
    servesBothProtocols(material);
    assertThatThrownBy(() -> Tls.pkcs12(file, "wrong").load(null))
        .isInstanceOf(CallStreamException.class).hasMessageContaining("server.p12").hasMessageNotContaining("wrong");
  }

  @Test
  void pemKeysAsPkcs8Pkcs1AndSec1AllServe() throws Exception {
    String[][] cases = {{"pkcs8", "ec"}, {"pkcs8", "rsa"}, {"pkcs1", "rsa"}, {"sec1", "ec"}};
    for (String[] c : cases) {
      HeldCertificate held = TestKeys.certificate(c[1].equals("rsa"));
      Path[] files = TestKeys.write(dir, c[0] + c[1], held, c[0]);
      assertThat(Files.readString(files[1])).contains(switch (c[0]) {
        case "pkcs8" -> "BEGIN PRIVATE KEY";
        case "pkcs1" -> "BEGIN RSA PRIVATE KEY";
        default -> "BEGIN EC PRIVATE KEY";
      });
      TlsMaterial material = Tls.pem(files[0], files[1]).load("127.0.0.1");
      if (held.keyPair().getPrivate() instanceof java.security.interfaces.ECPrivateKey ec) {
        // The same secret; the encoding may keep SEC1's curve field inside.
        assertThat(((java.security.interfaces.ECPrivateKey) material.privateKey()).getS()).isEqualTo(ec.getS());
      } else {
        assertThat(material.privateKey().getEncoded()).isEqualTo(held.keyPair().getPrivate().getEncoded());
      }
      offersKeyAndChain(material, held.certificate());
      servesBothProtocols(material);
    }
  }

  @Test
  void pemFilesThatOpensslWritesServe() throws Exception {
    assumeTrue(TestKeys.hasOpenssl(), "no openssl on this machine");
    for (String format : List.of("sec1", "pkcs1", "pkcs8")) {
      Path[] files = TestKeys.openssl(dir, "openssl-" + format, format);
      TlsMaterial material = Tls.pem(files[0], files[1]).load(null);
      assertThat(material.info().certificate().getSubjectX500Principal().getName()).isEqualTo("CN=callstream test");
      servesBothProtocols(material);
    }
  }

  @Test
  void aChainWithIntermediatesIsKeptInOrder() throws Exception {
    HeldCertificate root = new HeldCertificate.Builder().certificateAuthority(1).ecdsa256().build();
    HeldCertificate intermediate = new HeldCertificate.Builder().certificateAuthority(0).signedBy(root).ecdsa256().build();
    HeldCertificate leaf = new HeldCertificate.Builder().addSubjectAlternativeName("127.0.0.1").signedBy(intermediate)
        .ecdsa256().build();
    Path cert = Files.writeString(dir.resolve("chain.pem"), "subject=leaf\n" + leaf.certificatePem()
        + intermediate.certificatePem().replace("\n", "\r\n"));
    Path key = Files.writeString(dir.resolve("leaf-key.pem"), leaf.privateKeyPkcs8Pem());
    TlsMaterial material = Tls.pem(cert, key).load(null);
    assertThat(material.certificateChain()).containsExactly(leaf.certificate(), intermediate.certificate());
  }

  @Test
  void aKeyThatDoesNotMatchItsCertificateFailsAtLoad() throws Exception {
    for (boolean rsa : new boolean[] {false, true}) {
      HeldCertificate served = TestKeys.certificate(rsa);
      HeldCertificate other = TestKeys.certificate(rsa);
      Path cert = Files.writeString(dir.resolve(rsa + "cert.pem"), served.certificatePem());
      Path key = Files.writeString(dir.resolve(rsa + "other-key.pem"), other.privateKeyPkcs8Pem());
      assertThatThrownBy(() -> Tls.pem(cert, key).load(null))
          .isInstanceOf(CallStreamException.class)
          .hasMessageContaining("key does not match certificate").hasMessageContaining(key.toString());
    }
    HeldCertificate ec = TestKeys.certificate(false);
    Path cert = Files.writeString(dir.resolve("ec-cert.pem"), ec.certificatePem());
    Path rsaKey = Files.writeString(dir.resolve("rsa-key.pem"), TestKeys.certificate(true).privateKeyPkcs8Pem());
    assertThatThrownBy(() -> Tls.pem(cert, rsaKey).load(null)).hasMessageContaining("key does not match certificate");
  }

  @Test
  void unreadableKeysNameTheFileAndTheOpensslCommand() throws Exception {
    HeldCertificate held = TestKeys.certificate(true);
    Path cert = Files.writeString(dir.resolve("cert.pem"), held.certificatePem());
    Path encrypted = Files.writeString(dir.resolve("encrypted.pem"),
        TestKeys.pem("ENCRYPTED PRIVATE KEY", new byte[] {0x30, 0x00}));
    Path legacyEncrypted = Files.writeString(dir.resolve("legacy.pem"), "-----BEGIN RSA PRIVATE KEY-----\n"
        + "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\nAAAA\n"
        + "-----END RSA PRIVATE KEY-----\n");
    Path garbage = Files.writeString(dir.resolve("garbage.pem"), TestKeys.pem("PRIVATE KEY", new byte[] {1, 2, 3}));
    for (Path key : List.of(encrypted, legacyEncrypted, garbage)) {
      assertThatThrownBy(() -> Tls.pem(cert, key).load(null))
          .isInstanceOf(CallStreamException.class)
          .hasMessageContaining(key.toString())
          .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt -in " + key + " -out key.pk8");
    }
    Path notPem = Files.writeString(dir.resolve("not-pem.txt"), "hello");
    assertThatThrownBy(() -> Tls.pem(notPem, notPem).load(null)).hasMessageContaining("not-pem.txt");
    assertThatThrownBy(() -> Tls.pem(cert, cert).load(null)).hasMessageContaining("no private key in PEM file " + cert);
    Path missing = dir.resolve("missing.pem");
    assertThatThrownBy(() -> Tls.pem(missing, missing).load(null)).hasMessageContaining("missing.pem");
    assertThatThrownBy(() -> Tls.pkcs12(missing, "pw").load(null)).hasMessageContaining("missing.pem");
  }

  @Test
  void noneAndACallersContextCarryNoKey() throws Exception {
    TlsMaterial none = Tls.none().load("127.0.0.1");
    assertThat(none.sslContext()).isNull();
    assertThat(none.keyManagerFactory()).isNull();
    assertThat(none.certificateChain()).isEmpty();
    assertThat(none.info().secure()).isFalse();

    javax.net.ssl.SSLContext context = Tls.selfSigned().load(null).sslContext();
    TlsMaterial given = Tls.of(context).load(null);
    assertThat(given.sslContext()).isSameAs(context);
    assertThat(given.keyManagerFactory()).isNull();
    assertThat(given.privateKey()).isNull();
    assertThat(given.info().secure()).isTrue();
    assertThat(given.info().sha256Fingerprint()).isNull();
  }
}
