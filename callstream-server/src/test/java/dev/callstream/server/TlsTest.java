package dev.callstream.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.callstream.core.CallStreamException;
import dev.callstream.core.EndReason;
import java.io.OutputStream;
import java.io.Writer;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsTest extends ServerTestSupport {
  @TempDir Path dir;

  private static KeyPair keys(String algorithm) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
    if (algorithm.equals("EC")) {
      generator.initialize(new ECGenParameterSpec("secp256r1"));
    } else {
      generator.initialize(2048);
    }
    return generator.generateKeyPair();
  }

  private static X509Certificate certificate(KeyPair keys) throws Exception {
    X500Name name = new X500Name("CN=test");
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, BigInteger.TEN,
        Date.from(now.minusSeconds(60)), Date.from(now.plus(Duration.ofDays(1))), name, keys.getPublic());
    builder.addExtension(Extension.subjectAlternativeName, false,
        new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
    String signature = keys.getPrivate().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
    return new JcaX509CertificateConverter()
        .getCertificate(builder.build(new JcaContentSignerBuilder(signature).build(keys.getPrivate())));
  }

  /** PKCS#1 for RSA; for EC the SEC1 structure openssl writes (named curve inside). */
  private static Object traditional(KeyPair keys) throws Exception {
    if (keys.getPrivate() instanceof java.security.interfaces.ECPrivateKey ec) {
      byte[] der = new org.bouncycastle.asn1.sec.ECPrivateKey(256, ec.getS(),
          new org.bouncycastle.asn1.x9.X962Parameters(org.bouncycastle.asn1.sec.SECObjectIdentifiers.secp256r1))
          .getEncoded();
      return new org.bouncycastle.util.io.pem.PemObject("EC PRIVATE KEY", der);
    }
    return keys;
  }

  /** A full call over the server's TLS, trusting only the certificate the server reports. */
  private void aCallWorks(CallStreamServer server, X509Certificate expected) throws Exception {
    assertThat(server.uri().getScheme()).isEqualTo("wss");
    assertThat(server.tls().certificate()).isEqualTo(expected);
    Peer peer = Peer.connect(server, "callId=tls");
    playCall(peer, "tls", 2);
    assertThat(RecordingCallListener.take(created).awaitEnd()).isEqualTo(EndReason.STOPPED);
    assertThat(peer.awaitCloseCode(5)).isEqualTo(1000);
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
    KeyPair keys = keys("RSA");
    X509Certificate certificate = certificate(keys);
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("server", keys.getPrivate(), "pw".toCharArray(), new Certificate[] {certificate});
    Path file = dir.resolve("server.p12");
    try (OutputStream out = Files.newOutputStream(file)) {
      store.store(out, "pw".toCharArray());
    }
    CallStreamServer server = start(builder -> builder.tls(Tls.pkcs12(file, "pw")));
    assertThat(server.tls().selfSigned()).isFalse();
    aCallWorks(server, certificate);
  }

  @Test
  void pemFilesWithPkcs8OrTraditionalKeysServeTls() throws Exception {
    for (String algorithm : new String[] {"EC", "RSA"}) {
      for (boolean pkcs8 : new boolean[] {true, false}) {
        KeyPair keys = keys(algorithm);
        X509Certificate certificate = certificate(keys);
        Path cert = dir.resolve(algorithm + pkcs8 + "-cert.pem");
        Path key = dir.resolve(algorithm + pkcs8 + "-key.pem");
        try (Writer out = Files.newBufferedWriter(cert); JcaPEMWriter pem = new JcaPEMWriter(out)) {
          pem.writeObject(certificate);
        }
        try (Writer out = Files.newBufferedWriter(key); JcaPEMWriter pem = new JcaPEMWriter(out)) {
          // PKCS#8 "PRIVATE KEY", or the traditional PKCS#1 "RSA PRIVATE KEY" / SEC1 "EC PRIVATE KEY".
          pem.writeObject(pkcs8 ? new JcaPKCS8Generator(keys.getPrivate(), null) : traditional(keys));
        }
        assertThat(Files.readString(key)).contains(pkcs8 ? "BEGIN PRIVATE KEY" : "BEGIN " + algorithm + " PRIVATE KEY");
        CallStreamServer server = start(builder -> builder.tls(Tls.pem(cert, key)));
        aCallWorks(server, certificate);
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
    Peer peer = Peer.connect(plain, "callId=plain");
    playCall(peer, "plain", 1);
    assertThat(RecordingCallListener.take(created).awaitEnd()).isEqualTo(EndReason.STOPPED);

    CallStreamServer secure = start();
    java.net.URI plainUri = java.net.URI.create("ws://127.0.0.1:" + secure.port() + "/");
    assertThatThrownBy(() -> Peer.connect(HttpClient.newHttpClient(), plainUri, "callId=x", Map.of()))
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
