package dev.callstream.grpc.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Decides on the {@code authorization} metadata of a stream, before any of its events is read. The
 * seam where the transports' shared {@code Authenticator} plugs in.
 */
@FunctionalInterface
public interface AuthorizationCheck {

  /** Admits every stream. */
  AuthorizationCheck NONE = values -> true;

  /**
   * @param values every {@code authorization} value of the request, in order; empty when none
   * @return true to admit the stream, false to refuse it with {@code UNAUTHENTICATED}
   */
  boolean accepts(List<String> values);

  /**
   * Admits a stream whose every {@code authorization} value is {@code Bearer S} or {@code S} for one
   * of {@code secrets} (several allow rotation); a stream without one is refused. Comparison is
   * constant-time over SHA-256 digests and against every secret, so neither the length nor which
   * secret matched leaks through timing.
   */
  static AuthorizationCheck secrets(Collection<String> secrets) {
    Objects.requireNonNull(secrets, "secrets");
    if (secrets.isEmpty()) {
      throw new IllegalArgumentException("secrets is empty");
    }
    List<byte[]> digests = new ArrayList<>();
    for (String secret : secrets) {
      if (secret == null || secret.isEmpty()) {
        throw new IllegalArgumentException("secrets holds a null or empty secret");
      }
      digests.add(Secrets.sha256(secret));
    }
    return new AuthorizationCheck() {
      @Override
      public boolean accepts(List<String> values) {
        if (values.isEmpty()) {
          return false;
        }
        boolean ok = true;
        for (String value : values) {
          ok &= Secrets.matches(digests, value) | Secrets.matches(digests, Secrets.bearerToken(value));
        }
        return ok;
      }

      @Override
      public String toString() {
        return "AuthorizationCheck.secrets(" + digests.size() + " secrets)";
      }
    };
  }

  /** Helpers of {@link #secrets}. */
  final class Secrets {
    private Secrets() {}

    static String bearerToken(String value) {
      String trimmed = value.trim();
      if (trimmed.length() > 7 && trimmed.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
        return trimmed.substring(7).trim();
      }
      return trimmed;
    }

    static boolean matches(List<byte[]> digests, String presented) {
      byte[] digest = sha256(presented);
      boolean match = false;
      for (byte[] expected : digests) {
        match |= MessageDigest.isEqual(expected, digest);
      }
      return match;
    }

    static byte[] sha256(String value) {
      try {
        return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is required of every Java platform", e);
      }
    }
  }
}
