package dev.callstream.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code --cert} and {@code --key} before the server does, so that a file that is not what
 * it should be is named in the error ("--key key.pem: ..."), instead of a bare decoder message.
 * Messages never contain the file's content. Failures are {@link IllegalArgumentException}s: the
 * server cannot start (exit 1).
 */
final class PemCheck {
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);

  private PemCheck() {}

  /** At least one {@code CERTIFICATE} block, each valid base64 and a parsable X.509 certificate. */
  static void requireCertificates(String option, Path file) {
    List<byte[]> certificates = blocks(option, file, "CERTIFICATE");
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException(option + " " + file
          + ": no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)");
    }
    try {
      CertificateFactory x509 = CertificateFactory.getInstance("X.509");
      for (int i = 0; i < certificates.size(); i++) {
        try {
          x509.generateCertificate(new ByteArrayInputStream(certificates.get(i)));
        } catch (CertificateException e) {
          throw new IllegalArgumentException(option + " " + file + ": certificate " + (i + 1)
              + " is not a valid X.509 certificate");
        }
      }
    } catch (CertificateException noX509) {
      throw new IllegalStateException("X.509 is missing from this Java runtime", noX509);
    }
  }

  /** One {@code PRIVATE KEY}, {@code RSA PRIVATE KEY} or {@code EC PRIVATE KEY} block, valid base64. */
  static void requirePrivateKey(String option, Path file) {
    List<byte[]> keys = new ArrayList<>();
    for (String type : List.of("PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY")) {
      keys.addAll(blocks(option, file, type));
    }
    if (keys.isEmpty()) {
      String encrypted = text(option, file).contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")
          ? " (an encrypted key: decrypt it first, e.g. openssl pkey -in KEY -out plain.pem)"
          : " (expected -----BEGIN PRIVATE KEY-----, RSA PRIVATE KEY or EC PRIVATE KEY)";
      throw new IllegalArgumentException(option + " " + file + ": no unencrypted PEM private key"
          + " in it" + encrypted);
    }
  }

  private static List<byte[]> blocks(String option, Path file, String type) {
    List<byte[]> blocks = new ArrayList<>();
    Matcher matcher = BLOCK.matcher(text(option, file));
    while (matcher.find()) {
      if (!matcher.group(1).equals(type)) {
        continue;
      }
      try {
        blocks.add(Base64.getDecoder().decode(matcher.group(2).replaceAll("\\s+", "")));
      } catch (IllegalArgumentException notBase64) {
        throw new IllegalArgumentException(option + " " + file + ": the " + type
            + " block is not valid base64");
      }
    }
    return blocks;
  }

  private static String text(String option, Path file) {
    try {
      return Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new IllegalArgumentException(option + " " + file + " cannot be read: " + e.getMessage());
    }
  }
}
