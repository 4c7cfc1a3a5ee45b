package dev.callstream.server;

import java.nio.file.Path;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * How a {@link CallStreamServer} secures its connections. The platform only connects to
 * {@code wss://} URLs, so TLS is the default; plain {@code ws://} is used only with {@link #none()}
 * (for example behind a TLS-terminating proxy). Whatever the source, the server enables TLS 1.2 and
 * TLS 1.3 only.
 *
 * <p>Files are read when the server starts; a missing or unreadable file fails {@code start()} with
 * a {@link dev.callstream.core.CallStreamException} naming the file.
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
   * fingerprint is in {@link CallStreamServer#tls()}.
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
   * ({@code BEGIN RSA PRIVATE KEY}) or SEC1 ({@code BEGIN EC PRIVATE KEY}).
   */
  public static Tls pem(Path certificateChain, Path privateKey) {
    return new Tls(Kind.PEM, null, Objects.requireNonNull(certificateChain, "certificateChain"),
        Objects.requireNonNull(privateKey, "privateKey"), null, null);
  }

  /** A ready {@link SSLContext} initialised with the server's key managers. */
  public static Tls of(SSLContext context) {
    return new Tls(Kind.CONTEXT, null, null, null, null, Objects.requireNonNull(context, "context"));
  }

  /** True unless this is {@link #none()}. */
  public boolean enabled() {
    return kind != Kind.NONE;
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
