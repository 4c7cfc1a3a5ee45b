package dev.callstream.server;

import dev.callstream.core.CallStreamException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/** Turns a {@link Tls} choice into a server {@link SSLContext} and what to tell users about it. */
final class TlsMaterial {
  private static final char[] IN_MEMORY_PASSWORD = "callstream".toCharArray();
  private static final Duration SELF_SIGNED_VALIDITY = Duration.ofDays(365);

  final SSLContext context;
  final TlsInfo info;

  private TlsMaterial(SSLContext context, TlsInfo info) {
    this.context = context;
    this.info = info;
  }

  static TlsMaterial resolve(Tls tls, String bindHost) {
    switch (tls.kind) {
      case NONE:
        return new TlsMaterial(null, TlsInfo.plain());
      case CONTEXT:
        return new TlsMaterial(tls.context, TlsInfo.of(null, false));
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
    try {
      KeyPair keys;
      String signature;
      if (keyType == Tls.KeyType.RSA_2048) {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        keys = generator.generateKeyPair();
        signature = "SHA256withRSA";
      } else {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        keys = generator.generateKeyPair();
        signature = "SHA256withECDSA";
      }
      Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1"));
      if (bindHost != null && !bindHost.isBlank() && !isWildcard(bindHost)) {
        names.add(bindHost);
      }
      List<GeneralName> alternativeNames = new ArrayList<>();
      for (String name : names) {
        alternativeNames.add(new GeneralName(isIpLiteral(name) ? GeneralName.iPAddress : GeneralName.dNSName, name));
      }
      Instant now = Instant.now();
      X500Name subject = new X500Name("CN=callstream self-signed");
      JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
          subject,
          new BigInteger(64, new SecureRandom()).abs().add(BigInteger.ONE),
          Date.from(now.minus(Duration.ofMinutes(5))),
          Date.from(now.plus(SELF_SIGNED_VALIDITY)),
          subject,
          keys.getPublic());
      builder.addExtension(Extension.subjectAlternativeName, false,
          new GeneralNames(alternativeNames.toArray(new GeneralName[0])));
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.keyUsage, true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      X509Certificate certificate = new JcaX509CertificateConverter()
          .getCertificate(builder.build(new JcaContentSignerBuilder(signature).build(keys.getPrivate())));
      SSLContext context = context(keys.getPrivate(), new X509Certificate[] {certificate});
      return new TlsMaterial(context, TlsInfo.of(certificate, true));
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new CallStreamException("cannot generate a self-signed certificate: " + e.getMessage(), e);
    }
  }

  private static TlsMaterial pkcs12(Path file, char[] password) {
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password);
      X509Certificate leaf = null;
      for (Enumeration<String> aliases = store.aliases(); aliases.hasMoreElements(); ) {
        String alias = aliases.nextElement();
        if (store.isKeyEntry(alias) && store.getCertificate(alias) instanceof X509Certificate x509) {
          leaf = x509;
          break;
        }
      }
      if (leaf == null) {
        throw new CallStreamException("keystore " + file + " holds no private key entry with a certificate");
      }
      KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keyManagers.init(store, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers.getKeyManagers(), null, null);
      return new TlsMaterial(context, TlsInfo.of(leaf, false));
    } catch (IOException | GeneralSecurityException e) {
      throw new CallStreamException("cannot read PKCS12 keystore " + file + ": " + e.getMessage(), e);
    }
  }

  private static TlsMaterial pem(Path certificateFile, Path keyFile) {
    List<X509Certificate> chain = new ArrayList<>();
    JcaX509CertificateConverter certificates = new JcaX509CertificateConverter();
    try (Reader reader = Files.newBufferedReader(certificateFile, StandardCharsets.US_ASCII);
         PEMParser parser = new PEMParser(reader)) {
      for (Object item = parser.readObject(); item != null; item = parser.readObject()) {
        if (item instanceof X509CertificateHolder holder) {
          chain.add(certificates.getCertificate(holder));
        }
      }
    } catch (IOException | GeneralSecurityException e) {
      throw new CallStreamException("cannot read PEM certificates " + certificateFile + ": " + e.getMessage(), e);
    }
    if (chain.isEmpty()) {
      throw new CallStreamException("no certificate in PEM file " + certificateFile);
    }
    PrivateKey key = null;
    JcaPEMKeyConverter keys = new JcaPEMKeyConverter();
    try (Reader reader = Files.newBufferedReader(keyFile, StandardCharsets.US_ASCII);
         PEMParser parser = new PEMParser(reader)) {
      for (Object item = parser.readObject(); item != null && key == null; item = parser.readObject()) {
        if (item instanceof PrivateKeyInfo info) {
          key = keys.getPrivateKey(info);
        } else if (item instanceof PEMKeyPair pair) {
          key = keys.getPrivateKey(pair.getPrivateKeyInfo());
        } else if (item instanceof PEMEncryptedKeyPair || item instanceof PKCS8EncryptedPrivateKeyInfo) {
          throw new CallStreamException("PEM key " + keyFile + " is encrypted; decrypt it first");
        }
      }
    } catch (IOException e) {
      throw new CallStreamException("cannot read PEM key " + keyFile + ": " + e.getMessage(), e);
    }
    if (key == null) {
      throw new CallStreamException("no private key in PEM file " + keyFile);
    }
    try {
      SSLContext context = context(key, chain.toArray(new X509Certificate[0]));
      return new TlsMaterial(context, TlsInfo.of(chain.get(0), false));
    } catch (GeneralSecurityException | IOException e) {
      throw new CallStreamException("cannot use PEM key " + keyFile + " with " + certificateFile + ": "
          + e.getMessage(), e);
    }
  }

  private static SSLContext context(PrivateKey key, Certificate[] chain) throws GeneralSecurityException, IOException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("server", key, IN_MEMORY_PASSWORD, chain);
    KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(store, IN_MEMORY_PASSWORD);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keyManagers.getKeyManagers(), null, null);
    return context;
  }

  static boolean isWildcard(String host) {
    return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
  }

  private static boolean isIpLiteral(String host) {
    return host.matches("\\d{1,3}(\\.\\d{1,3}){3}") || host.contains(":");
  }
}
