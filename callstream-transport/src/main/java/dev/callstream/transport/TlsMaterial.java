package dev.callstream.transport;

import dev.callstream.core.CallStreamException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import okhttp3.tls.HeldCertificate;

/**
 * What a {@link Tls} choice yields once {@link Tls#load loaded}: what each transport needs to serve
 * TLS. The WebSocket server takes the {@link #sslContext()}; a Netty-based server (gRPC) takes the
 * {@link #keyManagerFactory()} or the {@link #privateKey()} with its {@link #certificateChain()}.
 *
 * <p>Immutable; holds the private key, so it never prints it ({@link #toString()} names the
 * certificate's fingerprint only).
 */
public final class TlsMaterial {
  private static final char[] IN_MEMORY_PASSWORD = "callstream".toCharArray();
  private static final Duration SELF_SIGNED_VALIDITY = Duration.ofDays(365);

  private final SSLContext sslContext;
  private final KeyManagerFactory keyManagerFactory;
  private final PrivateKey privateKey;
  private final List<X509Certificate> certificateChain;
  private final TlsInfo info;

  private TlsMaterial(SSLContext sslContext, KeyManagerFactory keyManagerFactory, PrivateKey privateKey,
      List<X509Certificate> certificateChain, TlsInfo info) {
    this.sslContext = sslContext;
    this.keyManagerFactory = keyManagerFactory;
    this.privateKey = privateKey;
    this.certificateChain = List.copyOf(certificateChain);
    this.info = info;
  }

  /** The server context (TLS 1.2 and 1.3 are for the server to enable), or null for {@link Tls#none()}. */
  public SSLContext sslContext() {
    return sslContext;
  }

  /**
   * The key managers behind {@link #sslContext()}, for servers that build their own TLS engine
   * (Netty's {@code GrpcSslContexts.configure(SslContextBuilder.forServer(keyManagerFactory()))});
   * null for {@link Tls#none()} and {@link Tls#of}.
   */
  public KeyManagerFactory keyManagerFactory() {
    return keyManagerFactory;
  }

  /** The server's private key; null for {@link Tls#none()} and {@link Tls#of}. */
  public PrivateKey privateKey() {
    return privateKey;
  }

  /** The server certificate first, then any intermediates; empty for {@link Tls#none()} and {@link Tls#of}. */
  public List<X509Certificate> certificateChain() {
    return certificateChain;
  }

  /** What peers are shown: secure or not, the certificate and its SHA-256 fingerprint. */
  public TlsInfo info() {
    return info;
  }

  @Override
  public String toString() {
    return "TlsMaterial[" + (info.secure() ? "sha256 " + info.sha256Fingerprint() : "plain") + "]";
  }

  static TlsMaterial resolve(Tls tls, String bindHost) {
    switch (tls.kind) {
      case NONE:
        return new TlsMaterial(null, null, null, List.of(), TlsInfo.plain());
      case CONTEXT:
        return new TlsMaterial(tls.context, null, null, List.of(), TlsInfo.of(null, false));
      case SELF_SIGNED:
        return selfSigned(tls.keyType, bindHost);
      case PKCS12:
        return pkcs12(tls.path, tls.password);
      case PEM:
        return pem(tls.path, tls.keyPath);
      default:
        throw new IllegalStateException("unknown TLS kind " + tls.kind);
    }
  }

  private static TlsMaterial selfSigned(Tls.KeyType keyType, String bindHost) {
    Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1"));
    if (bindHost != null && !bindHost.isBlank() && !isWildcard(bindHost)) {
      // okhttp-tls tells IP literals from DNS names itself, but wants IPv6 without brackets.
      names.add(bindHost.startsWith("[") && bindHost.endsWith("]")
          ? bindHost.substring(1, bindHost.length() - 1) : bindHost);
    }
    Instant now = Instant.now();
    HeldCertificate.Builder builder = new HeldCertificate.Builder()
        .commonName("callstream self-signed")
        .validityInterval(now.minus(Duration.ofMinutes(5)).toEpochMilli(), now.plus(SELF_SIGNED_VALIDITY).toEpochMilli());
    for (String name : names) {
      builder.addSubjectAlternativeName(name);
    }
    if (keyType == Tls.KeyType.RSA_2048) {
      builder.rsa2048();
    } else {
      builder.ecdsa256();
    }
    HeldCertificate held;
    try {
      held = builder.build();
    } catch (RuntimeException e) {
      throw new CallStreamException("cannot generate a self-signed certificate: " + e.getMessage(), e);
    }
    KeyPair keys = held.keyPair();
    return fromKey(keys.getPrivate(), List.of(held.certificate()), true, "the self-signed certificate");
  }

  private static TlsMaterial pkcs12(Path file, char[] password) {
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password);
      String keyAlias = null;
      for (Enumeration<String> aliases = store.aliases(); aliases.hasMoreElements(); ) {
        String alias = aliases.nextElement();
        if (store.isKeyEntry(alias) && store.getCertificate(alias) instanceof X509Certificate) {
          keyAlias = alias;
          break;
        }
      }
      if (keyAlias == null) {
        throw new CallStreamException("keystore " + file + " holds no private key entry with a certificate");
      }
      PrivateKey key = (PrivateKey) store.getKey(keyAlias, password);
      List<X509Certificate> chain = new ArrayList<>();
      for (Certificate certificate : store.getCertificateChain(keyAlias)) {
        chain.add((X509Certificate) certificate);
      }
      KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keyManagers.init(store, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers.getKeyManagers(), null, null);
      return new TlsMaterial(context, keyManagers, key, chain, TlsInfo.of(chain.get(0), false));
    } catch (IOException | GeneralSecurityException | ClassCastException e) {
      throw new CallStreamException("cannot read PKCS12 keystore " + file + ": " + e.getMessage(), e);
    }
  }

  private static TlsMaterial pem(Path certificateFile, Path keyFile) {
    List<X509Certificate> chain = PemFiles.certificates(certificateFile);
    PrivateKey key = PemFiles.privateKey(keyFile);
    if (!matches(key, chain.get(0))) {
      throw new CallStreamException("PEM key does not match certificate: " + keyFile
          + " is not the private key of the first certificate in " + certificateFile);
    }
    return fromKey(key, chain, false, "PEM key " + keyFile + " with " + certificateFile);
  }

  private static TlsMaterial fromKey(PrivateKey key, List<X509Certificate> chain, boolean selfSigned, String what) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("server", key, IN_MEMORY_PASSWORD, chain.toArray(new Certificate[0]));
      KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keyManagers.init(store, IN_MEMORY_PASSWORD);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers.getKeyManagers(), null, null);
      return new TlsMaterial(context, keyManagers, key, chain, TlsInfo.of(chain.get(0), selfSigned));
    } catch (GeneralSecurityException | IOException e) {
      throw new CallStreamException("cannot use " + what + ": " + e.getMessage(), e);
    }
  }

  /**
   * Whether {@code key} is the private half of the certificate's public key: RSA by modulus, other
   * keys by signing a probe and verifying it with the certificate's key (a mismatch otherwise passes
   * start and fails every handshake later, silently for the operator).
   */
  static boolean matches(PrivateKey key, X509Certificate certificate) {
    java.security.PublicKey publicKey = certificate.getPublicKey();
    if (key instanceof RSAPrivateCrtKey rsa && publicKey instanceof RSAPublicKey rsaPublic) {
      return rsa.getModulus().equals(rsaPublic.getModulus())
          && rsa.getPublicExponent().equals(rsaPublic.getPublicExponent());
    }
    String algorithm = switch (key.getAlgorithm()) {
      case "EC" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      case "EdDSA", "Ed25519", "Ed448" -> key.getAlgorithm();
      default -> null;
    };
    if (algorithm == null) {
      return true;   // no probe for this key type: the handshake will tell
    }
    try {
      byte[] probe = "callstream key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;   // e.g. an EC key with an RSA certificate
    }
  }

  static boolean isWildcard(String host) {
    return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
  }
}
