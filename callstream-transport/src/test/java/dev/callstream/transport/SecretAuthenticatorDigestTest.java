package dev.callstream.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The secret comparison is constant-time by construction (a timing test would be flaky): only
 * fixed-length SHA-256 digests are kept and compared, with {@code MessageDigest.isEqual}, against
 * every configured secret.
 */
class SecretAuthenticatorDigestTest {

  @Test
  void onlyFixedLengthDigestsOfTheSecretsAreKept() throws Exception {
    SecretAuthenticator authenticator = new SecretAuthenticator(List.of("a", "x".repeat(10_000), "rotated"));
    Field field = SecretAuthenticator.class.getDeclaredField("digests");
    field.setAccessible(true);
    @SuppressWarnings("unchecked")
    List<byte[]> digests = (List<byte[]>) field.get(authenticator);
    assertThat(digests).hasSize(3).allSatisfy(digest -> assertThat(digest).hasSize(32));
    assertThat(authenticator.toString()).doesNotContain("rotated");
  }

  @Test
  void presentedValuesOfAnyLengthAreComparedAsDigestsAgainstEverySecret() throws Exception {
    SecretAuthenticator authenticator = new SecretAuthenticator(List.of("first-secret", "second-secret"));
    assertThat(authenticator.matches("second-secret")).isTrue();
    assertThat(authenticator.matches("second-secre")).isFalse();
    assertThat(authenticator.matches("second-secret\u0000")).isFalse();
    assertThat(authenticator.matches("")).isFalse();
    assertThat(authenticator.matches("y".repeat(1_000_000))).isFalse();

    String source = Files.readString(Path.of("src/main/java/dev/callstream/transport/SecretAuthenticator.java"));
    String matches = source.substring(source.indexOf("boolean matches(String presented)"));
    matches = matches.substring(0, matches.indexOf("\n  }\n"));
    assertThat(matches).as("matches() body")
        .contains("sha256(presented)").contains("MessageDigest.isEqual(expected, digest)")
        .doesNotContain("break").doesNotContain("return true").doesNotContain("equals(");
  }

  @Test
  void secretsCompareWholeValues() {
    SecretAuthenticator authenticator = new SecretAuthenticator(List.of("abc"));
    assertThat(authenticator.matches("abc")).isTrue();
    assertThat(authenticator.matches("ab")).isFalse();
    assertThat(authenticator.matches("abcd")).isFalse();
    assertThat(authenticator.matches("")).isFalse();
  }
}
