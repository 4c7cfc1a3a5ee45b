package dev.callstream.transport;

import java.nio.file.Path;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * How a callstream server (WebSocket or gRPC) secures its connections; every server asks for an
 * explicit choice. The platform only connects to {@code wss://} URLs (and RingCX's gRPC client to
 * TLS endpoints), so plain text is used only with {@link #none()} (for example behind a
 * TLS-terminating proxy). Whatever the source, servers enable TLS 1.2 and TLS 1.3 only.
 *
 * <p>Nothing is read or generated until {@link #load(String)}, which servers call when they start; a
 * missing or unreadable file, a PEM key that does not match its certificate, or a key format that
 * cannot be read fails it with a {@link dev.callstream.core.CallStreamException} naming the file.
 *
 * <p>Immutable and thread-safe.
 */
public final class Tls {

  /** The key of a generated self-signed certificate. */
  public enum KeyType {
    /** ECDSA on curve P-256 (secp256r1), signed with SHA256withECDSA. */
    EC_P256,
    /** RSA 2048 bits, signed with SHA256withRSA. */
    RSA_2048
  }

  enum Kind { NONE, SELF_SIGNED, PKCS12, PEM, CONTEXT }

  final Kind kind;
  final KeyType keyType;
  final Path path;
  final Path keyPath;
  final char[] password;
  final SSLContext context;

  private Tls(Kind kind, KeyType keyType, Path path, Path keyPath, char[] password, SSLContext context) {
    this.kind = kind;
    this.keyType = keyType;
    this.path = path;
    this.keyPath = keyPath;
    this.password = password;
    this.context = context;
  }

  /** Plain {@code ws://}, no TLS. The platform itself refuses such URLs; use behind a TLS proxy. */
  public static Tls none() {
    return new Tls(Kind.NONE, null, null, null, null, null);
  }

  /**
   * A certificate generated at start, for local use: EC P-256, valid for a year, with subject
   * alternative names {@code localhost}, {@code 127.0.0.1} and the bind host. Its SHA-256
   * fingerprint is in {@link TlsInfo#sha256Fingerprint()} (servers report their {@link TlsInfo}).
   */
  public static Tls selfSigned() {
    return selfSigned(KeyType.EC_P256);
  }

  /** Like {@link #selfSigned()} with the given key type. */
  public static Tls selfSigned(KeyType keyType) {
    return new Tls(Kind.SELF_SIGNED, Objects.requireNonNull(keyType, "keyType"), null, null, null, null);
  }

  /** A PKCS12 keystore holding one private key entry (certificate chain and key). */
  public static Tls pkcs12(Path keystore, char[] password) {
    Objects.requireNonNull(keystore, "keystore");
    Objects.requireNonNull(password, "password");
    return new Tls(Kind.PKCS12, null, keystore, null, password.clone(), null);
  }

  /** Like {@link #pkcs12(Path, char[])}. */
  public static Tls pkcs12(Path keystore, String password) {
    return pkcs12(keystore, Objects.requireNonNull(password, "password").toCharArray());
  }

  /**
   * PEM files: {@code certificateChain} holds the server certificate first, then any intermediates;
   * {@code privateKey} holds an unencrypted key as PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1
   * ({@code BEGIN RSA PRIVATE KEY}) or SEC1 ({@code BEGIN EC PRIVATE KEY} with a named curve). An
   * encrypted key or another format fails {@link #load} with the command that converts it:
   * {@code openssl pkcs8 -topk8 -nocrypt -in KEY -out key.pk8}. The key must belong to the first
   * certificate, else {@code load} fails ("key does not match certificate").
   */
  public static Tls pem(Path certificateChain, Path privateKey) {
    return new Tls(Kind.PEM, null, Objects.requireNonNull(certificateChain, "certificateChain"),
        Objects.requireNonNull(privateKey, "privateKey"), null, null);
  }

  /**
   * A ready {@link SSLContext} initialised with the server's key managers. Its key and certificate are
   * not known to callstream: {@link TlsMaterial#keyManagerFactory()} and the key accessors are
   * null, so a transport that needs them (gRPC on Netty) uses the context itself.
   */
  public static Tls of(SSLContext context) {
    return new Tls(Kind.CONTEXT, null, null, null, null, Objects.requireNonNull(context, "context"));
  }

  /** True unless this is {@link #none()}. */
  public boolean enabled() {
    return kind != Kind.NONE;
  }

  /**
   * Reads the files, or generates the self-signed certificate: what a server needs to serve TLS.
   * Each call of a self-signed choice generates a new certificate.
   *
   * @param bindHost the address the server binds, added to a self-signed certificate's names unless
   *     it is a wildcard ({@code 0.0.0.0}, {@code ::}); may be null
   * @throws dev.callstream.core.CallStreamException when a file is missing or unreadable, a key is
   *     encrypted or in an unknown format, or a PEM key does not match its certificate
   */
  public TlsMaterial load(String bindHost) {
    return TlsMaterial.resolve(this, bindHost);
  }

  /** Names the source; never prints a password. */
  @Override
  public String toString() {
    switch (kind) {
      case NONE: return "Tls.none()";
      case SELF_SIGNED: return "Tls.selfSigned(" + keyType + ")";
      case PKCS12: return "Tls.pkcs12(" + path + ")";
      case PEM: return "Tls.pem(" + path + ", " + keyPath + ")";
      default: return "Tls.of(" + context.getProtocol() + ")";
    }
  }
}
