package dev.callstream.transport;

import dev.callstream.core.CallStreamException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM certificate chains and unencrypted private keys with the JDK alone. The JDK reads PKCS#8;
 * the traditional OpenSSL formats (PKCS#1 {@code RSA PRIVATE KEY}, SEC1 {@code EC PRIVATE KEY}) are
 * wrapped into PKCS#8 here: both are the PKCS#8 payload as is, so the wrapping is a fixed DER header.
 */
final class PemFiles {
  private static final Pattern BLOCK = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);

  /** AlgorithmIdentifier {rsaEncryption, NULL}. */
  private static final byte[] RSA_ALGORITHM = hex("300d06092a864886f70d0101010500");
  /** OID id-ecPublicKey (1.2.840.10045.2.1). */
  private static final byte[] EC_PUBLIC_KEY = hex("06072a8648ce3d0201");
  /** INTEGER 0: the PKCS#8 version. */
  private static final byte[] VERSION_0 = hex("020100");

  private PemFiles() {}

  private record Block(String label, String headers, byte[] der) {}

  static List<X509Certificate> certificates(Path file) {
    List<X509Certificate> chain = new ArrayList<>();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (Block block : blocks(file, "PEM certificates")) {
        if (block.label().equals("CERTIFICATE")) {
          chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der())));
        }
      }
    } catch (CertificateException e) {
      throw new CallStreamException("cannot read PEM certificates " + file + ": " + e.getMessage(), e);
    }
    if (chain.isEmpty()) {
      throw new CallStreamException("no certificate in PEM file " + file);
    }
    return chain;
  }

  static PrivateKey privateKey(Path file) {
    for (Block block : blocks(file, "PEM key")) {
      switch (block.label()) {
        case "PRIVATE KEY":
          return pkcs8(file, block.der());
        case "RSA PRIVATE KEY":
          refuseEncrypted(file, block);
          return pkcs8(file, sequence(VERSION_0, RSA_ALGORITHM, tlv(0x04, block.der())));
        case "EC PRIVATE KEY":
          refuseEncrypted(file, block);
          return pkcs8(file, sec1ToPkcs8(file, block.der()));
        case "ENCRYPTED PRIVATE KEY":
          throw unreadable(file, "is encrypted");
        default:
          break;   // EC PARAMETERS before the key, certificates in the same file...
      }
    }
    throw new CallStreamException("no private key in PEM file " + file);
  }

  private static void refuseEncrypted(Path file, Block block) {
    if (block.headers().contains("ENCRYPTED")) {
      throw unreadable(file, "is encrypted");
    }
  }

  /** The message names the file and the command that turns any key openssl reads into one we read. */
  private static CallStreamException unreadable(Path file, String why) {
    return new CallStreamException("PEM key " + file + " " + why + "; convert it to unencrypted PKCS#8 with: "
        + "openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key.pk8");
  }

  private static PrivateKey pkcs8(Path file, byte[] der) {
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String algorithm : new String[] {"RSA", "EC", "EdDSA", "RSASSA-PSS", "XDH"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException | RuntimeException tryTheNext) {
        // The algorithm is inside the DER; trying the few the JDK knows is simpler than parsing it.
      }
    }
    throw unreadable(file, "is not an RSA, EC or EdDSA key the JDK can read");
  }

  /**
   * SEC1 ECPrivateKey {version 1, privateKey, [0] namedCurve, [1] publicKey} to PKCS#8: the curve
   * moves into the AlgorithmIdentifier, the SEC1 structure stays whole as the key.
   */
  private static byte[] sec1ToPkcs8(Path file, byte[] sec1) {
    byte[] curve = null;
    try {
      Der outer = new Der(sec1, 0);
      if (outer.tag != 0x30) {
        throw unreadable(file, "is not a SEC1 EC key");
      }
      for (int at = outer.contentStart; at < outer.end; ) {
        Der element = new Der(sec1, at);
        if (element.tag == 0xA0) {
          Der parameters = new Der(sec1, element.contentStart);
          if (parameters.tag == 0x06) {
            curve = java.util.Arrays.copyOfRange(sec1, parameters.start, parameters.end);
          }
        }
        at = element.end;
      }
    } catch (IndexOutOfBoundsException e) {
      throw unreadable(file, "is not a SEC1 EC key");
    }
    if (curve == null) {
      throw unreadable(file, "names no curve (explicit or missing EC parameters)");
    }
    return sequence(VERSION_0, sequence(EC_PUBLIC_KEY, curve), tlv(0x04, sec1));
  }

  /** One DER element's boundaries: definite lengths only, as DER requires. */
  private static final class Der {
    final int start;
    final int tag;
    final int contentStart;
    final int end;

    Der(byte[] bytes, int at) {
      start = at;
      tag = bytes[at] & 0xFF;
      int first = bytes[at + 1] & 0xFF;
      int length;
      int lengthBytes = 0;
      if (first < 0x80) {
        length = first;
      } else {
        lengthBytes = first & 0x7F;
        if (lengthBytes == 0 || lengthBytes > 3) {
          throw new IndexOutOfBoundsException("unsupported DER length");
        }
        length = 0;
        for (int i = 0; i < lengthBytes; i++) {
          length = (length << 8) | (bytes[at + 2 + i] & 0xFF);
        }
      }
      contentStart = at + 2 + lengthBytes;
      end = contentStart + length;
      if (end > bytes.length) {
        throw new IndexOutOfBoundsException("DER element beyond its input");
      }
    }
  }

  private static byte[] sequence(byte[]... parts) {
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      content.writeBytes(part);
    }
    return tlv(0x30, content.toByteArray());
  }

  private static byte[] tlv(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int length = content.length;
    if (length < 0x80) {
      out.write(length);
    } else if (length < 0x100) {
      out.write(0x81);
      out.write(length);
    } else if (length < 0x10000) {
      out.write(0x82);
      out.write(length >> 8);
      out.write(length);
    } else {
      out.write(0x83);
      out.write(length >> 16);
      out.write(length >> 8);
      out.write(length);
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  private static List<Block> blocks(Path file, String what) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.ISO_8859_1).replace("\r\n", "\n");
    } catch (IOException e) {
      throw new CallStreamException("cannot read " + what + " " + file + ": " + e, e);
    }
    List<Block> blocks = new ArrayList<>();
    Matcher matcher = BLOCK.matcher(text);
    while (matcher.find()) {
      String body = matcher.group(2);
      // RFC 1421 headers (Proc-Type, DEK-Info) come before a blank line; base64 has no colons.
      String headers = "";
      int blank = body.indexOf("\n\n");
      if (body.contains(":") && blank >= 0) {
        headers = body.substring(0, blank);
        body = body.substring(blank);
      }
      try {
        blocks.add(new Block(matcher.group(1), headers, Base64.getMimeDecoder().decode(body.trim())));
      } catch (IllegalArgumentException e) {
        throw new CallStreamException("cannot read " + what + " " + file + ": bad base64 in "
            + matcher.group(1) + " block", e);
      }
    }
    if (blocks.isEmpty()) {
      throw new CallStreamException("cannot read " + what + " " + file + ": no PEM block (-----BEGIN ...-----)");
    }
    return blocks;
  }

  private static byte[] hex(String hex) {
    byte[] bytes = new byte[hex.length() / 2];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
    }
    return bytes;
  }
}
