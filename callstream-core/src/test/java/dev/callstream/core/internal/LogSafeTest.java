package dev.callstream.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogSafeTest {

  @Test
  void keepsThePlatformsIdCharacters() {
    assertThat(LogSafe.id("c0a8-01.call_7:42")).isEqualTo("c0a8-01.call_7:42");
    assertThat(LogSafe.id("4f1d2c8e-9b7a-4e21-8f0d-3a6b5c9e1f20")).isEqualTo("4f1d2c8e-9b7a-4e21-8f0d-3a6b5c9e1f20");
  }

  @Test
  void replacesLineBreaksControlsAndEverythingElseWithUnderscores() {
    assertThat(LogSafe.id("a\nb\rc\td\u0000e")).isEqualTo("a_b_c_d_e");
    assertThat(LogSafe.id("x\r\n[main] ERROR forged")).isEqualTo("x___main__ERROR_forged");
    assertThat(LogSafe.id("\u00e9t\u00e9 \u2028{}/\\'\"$")).isEqualTo("_t" + "_".repeat(10));
    assertThat(LogSafe.id("\uD83D\uDE00")).isEqualTo("__");
  }

  @Test
  void cutsLongIdsTo64Characters() {
    String id = "a".repeat(10_000);
    assertThat(LogSafe.id(id)).hasSize(LogSafe.MAX_ID_LENGTH).isEqualTo("a".repeat(64));
    assertThat(LogSafe.id("b".repeat(64))).isEqualTo("b".repeat(64));
  }

  @Test
  void namesAMissingIdUnknown() {
    assertThat(LogSafe.id(null)).isEqualTo("unknown");
    assertThat(LogSafe.id("")).isEqualTo("unknown");
  }

  @Test
  void neverReturnsACharacterOutsideTheSafeAlphabet() {
    StringBuilder every = new StringBuilder();
    for (char c = 0; c < 0x3000; c++) {
      every.append(c);
    }
    for (int from = 0; from < every.length(); from += 64) {
      assertThat(LogSafe.id(every.substring(from, Math.min(every.length(), from + 64)))).matches("[A-Za-z0-9._:-]{1,64}");
    }
  }
}
