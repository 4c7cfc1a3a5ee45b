package dev.callstream.transport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.ECPrivateKey;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.tls.HeldCertificate;

/**
 * Certificates and key files in every format a user may bring, made by okhttp-tls and the JDK, or by
 * the {@code openssl} command when the machine has it (files as operators really make them).
 */
public final class TestKeys {
  private TestKeys() {}

  /** A certificate for 127.0.0.1 and localhost with an EC P-256 or RSA 2048 key. */
  public static HeldCertificate certificate(boolean rsa) {
    HeldCertificate.Builder builder = new HeldCertificate.Builder()
        .commonName("callstream test")
        .addSubjectAlternativeName("127.0.0.1")
        .addSubjectAlternativeName("localhost");
    return (rsa ? builder.rsa2048() : builder.ecdsa256()).build();
  }

  public static String pem(String label, byte[] der) {
    return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + label + "-----\n";
  }

  /** SEC1 {@code EC PRIVATE KEY} as openssl writes it: version 1, the secret, [0] the named curve P-256. */
  public static String sec1Pem(HeldCertificate held) {
    ECPrivateKey key = (ECPrivateKey) held.keyPair().getPrivate();
    byte[] s = key.getS().toByteArray();
    byte[] secret = new byte[32];
    int from = Math.max(0, s.length - 32);
    System.arraycopy(s, from, secret, 32 - (s.length - from), s.length - from);
    byte[] curve = {0x06, 0x08, 0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 0x03, 0x01, 0x07};
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(new byte[] {0x02, 0x01, 0x01});
    body.write(0x04);
    body.write(32);
    body.writeBytes(secret);
    body.write(0xA0);
    body.write(curve.length);
    body.writeBytes(curve);
    byte[] content = body.toByteArray();
    ByteArrayOutputStream sec1 = new ByteArrayOutputStream();
    sec1.write(0x30);
    sec1.write(content.length);
    sec1.writeBytes(content);
    return "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
        + pem("EC PRIVATE KEY", sec1.toByteArray());
  }

  /** Writes the certificate and a key file in {@code format}: pkcs8, pkcs1 (RSA) or sec1 (EC). */
  public static Path[] write(Path dir, String name, HeldCertificate held, String format) throws IOException {
    Path cert = Files.writeString(dir.resolve(name + "-cert.pem"), held.certificatePem());
    String key = switch (format) {
      case "pkcs8" -> held.privateKeyPkcs8Pem();
      case "pkcs1" -> held.privateKeyPkcs1Pem();
      case "sec1" -> sec1Pem(held);
      default -> throw new IllegalArgumentException(format);
    };
    return new Path[] {cert, Files.writeString(dir.resolve(name + "-key.pem"), key)};
  }

  /** Whether an {@code openssl} command runs here. */
  public static boolean hasOpenssl() {
    try {
      return run(Path.of("."), "openssl", "version");
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * With openssl: a key ({@code ecparam -genkey} writes SEC1 with EC PARAMETERS before it,
   * {@code genrsa -traditional} PKCS#1, {@code genpkey} PKCS#8) and a self-signed certificate for
   * 127.0.0.1 made from it. Returns {certificate, key}.
   */
  public static Path[] openssl(Path dir, String name, String format) throws IOException {
    Path key = dir.resolve(name + "-key.pem");
    Path cert = dir.resolve(name + "-cert.pem");
    List<String> generate = switch (format) {
      case "sec1" -> List.of("openssl", "ecparam", "-genkey", "-name", "prime256v1", "-out", key.toString());
      case "pkcs1" -> List.of("openssl", "genrsa", "-traditional", "-out", key.toString(), "2048");
      case "pkcs8" -> List.of("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
          "-out", key.toString());
      default -> throw new IllegalArgumentException(format);
    };
    if (!run(dir, generate.toArray(String[]::new))
        || !run(dir, "openssl", "req", "-x509", "-new", "-key", key.toString(), "-subj", "/CN=callstream test",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-days", "1", "-out", cert.toString())) {
      throw new IOException("openssl failed for " + format);
    }
    return new Path[] {cert, key};
  }

  private static boolean run(Path dir, String... command) throws IOException {
    Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    process.getInputStream().readAllBytes();
    try {
      return process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
