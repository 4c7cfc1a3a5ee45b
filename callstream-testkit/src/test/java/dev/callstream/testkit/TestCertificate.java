package dev.callstream.testkit;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import okhttp3.tls.HeldCertificate;

/** A self-signed certificate for one DNS name or IP address, and gRPC server credentials from it. */
record TestCertificate(HeldCertificate held) {

  static TestCertificate forName(String name) {
    return new TestCertificate(new HeldCertificate.Builder().commonName(name).addSubjectAlternativeName(name).build());
  }

  X509Certificate certificate() {
    return held.certificate();
  }

  ServerCredentials serverCredentials() throws IOException {
    return TlsServerCredentials.create(
        new ByteArrayInputStream(held.certificatePem().getBytes(StandardCharsets.US_ASCII)),
        new ByteArrayInputStream(held.privateKeyPkcs8Pem().getBytes(StandardCharsets.US_ASCII)));
  }
}
