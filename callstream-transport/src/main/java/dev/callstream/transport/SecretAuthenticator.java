package dev.callstream.transport;

import dev.callstream.core.CallInfo;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** {@link Authenticator#secrets}: shared secrets compared in constant time. */
final class SecretAuthenticator implements Authenticator {
  static final String QUERY_PARAMETER = "secret";
  static final String START_FIELD = "secret";

  private final List<byte[]> digests;

  SecretAuthenticator(Collection<String> secrets) {
    Objects.requireNonNull(secrets, "secrets");
    if (secrets.isEmpty()) {
      throw new IllegalArgumentException("secrets is empty");
    }
    List<byte[]> list = new ArrayList<>(secrets.size());
    for (String secret : secrets) {
      if (secret == null || secret.isEmpty()) {
        throw new IllegalArgumentException("secrets holds a null or empty secret");
      }
      list.add(sha256(secret));
    }
    this.digests = List.copyOf(list);
  }

  @Override
  public Decision onHandshake(Handshake handshake) {
    String bearer = handshake.bearerToken();
    String query = handshake.info().parameters().get(QUERY_PARAMETER);
    if (bearer == null && query == null) {
      return Decision.VERIFY_AT_START;
    }
    boolean ok = true;
    if (bearer != null) {
      ok &= matches(bearer);
    }
    if (query != null) {
      ok &= matches(query);
    }
    return ok ? Decision.ACCEPT : Decision.REJECT;
  }

  @Override
  public boolean onStart(CallInfo info, Map<String, Object> startMetadata) {
    Object presented = startMetadata.get(START_FIELD);
    return presented instanceof String s && !s.isEmpty() && matches(s);
  }

  /** Compares against every secret without stopping early, so timing does not say which one matched. */
  boolean matches(String presented) {
    byte[] digest = sha256(presented);
    boolean match = false;
    for (byte[] expected : digests) {
      match |= MessageDigest.isEqual(expected, digest);
    }
    return match;
  }

  private static byte[] sha256(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  @Override
  public String toString() {
    return "Authenticator.secrets(" + digests.size() + " secrets)";
  }
}
