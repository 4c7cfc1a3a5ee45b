package dev.callstream.transport;

import dev.callstream.core.CallStreamException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * What a started server presents to its peers.
 *
 * @param secure true when TLS is served ({@code wss://}, {@code grpcs://}), false for plain text
 * @param selfSigned true when the certificate was generated at start ({@link Tls#selfSigned()})
 * @param certificate the server certificate (leaf), or null for plain ws or when it is unknown
 *     ({@link Tls#of(SSLContext)})
 * @param sha256Fingerprint the certificate's SHA-256 fingerprint as upper-case hex pairs separated
 *     by colons ({@code AB:CD:...}), or null when {@code certificate} is null
 */
public record TlsInfo(boolean secure, boolean selfSigned, X509Certificate certificate, String sha256Fingerprint) {

  static TlsInfo plain() {
    return new TlsInfo(false, false, null, null);
  }

  static TlsInfo of(X509Certificate certificate, boolean selfSigned) {
    return new TlsInfo(true, selfSigned, certificate, certificate == null ? null : fingerprint(certificate));
  }

  /** The SHA-256 fingerprint of a certificate's DER encoding, as {@code AB:CD:...}. */
  public static String fingerprint(X509Certificate certificate) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
      StringBuilder text = new StringBuilder(digest.length * 3);
      for (byte b : digest) {
        if (text.length() > 0) {
          text.append(':');
        }
        text.append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xF, 16)))
            .append(Character.toUpperCase(Character.forDigit(b & 0xF, 16)));
      }
      return text.toString();
    } catch (CertificateEncodingException | java.security.NoSuchAlgorithmException e) {
      throw new CallStreamException("cannot fingerprint certificate: " + e.getMessage(), e);
    }
  }

  /**
   * A client-side {@link SSLContext} that trusts exactly this server's certificate: for tests, the
   * fake sender and local tools talking to a self-signed server.
   *
   * @throws IllegalStateException when the certificate is unknown
   */
  public SSLContext clientContext() {
    if (certificate == null) {
      throw new IllegalStateException("no server certificate known (plain ws or Tls.of(SSLContext))");
    }
    try {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      trust.setCertificateEntry("callstream-server", certificate);
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new CallStreamException("cannot build a client TLS context: " + e.getMessage(), e);
    }
  }
}
