package dev.callstream.provisioning.internal;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class StreamingUrlsTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "wss://a.b",
        "wss://1.2.3.4:8443",
        "wss://stream-1.example.com",
        "wss://localhost:1",
        "wss://x.example:65535",
        "wss://a"
      })
  void acceptsWssHostWithOptionalPort(String url) {
    assertThatCode(() -> StreamingUrls.requireValid(url)).doesNotThrowAnyException();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ws://a.b",
        "https://a.b",
        "wss://host/path",
        "wss://host/",
        "wss://host?secret=x",
        "wss://user:pass@host",
        "WSS://a.b",
        "wss://-a.b",
        "wss://a_b.c",
        "wss://host:",
        " wss://a.b",
        "wss://a.b\n"
      })
  void refusesAnythingButWssHostPort(String url) {
    assertThatThrownBy(() -> StreamingUrls.requireValid(url))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("streamingUrl")
        .hasMessageNotContaining("pass");
  }

  @ParameterizedTest
  @ValueSource(strings = {"wss://host:99999", "wss://host:0", "wss://host:65536"})
  void refusesPortsOutside1To65535(String url) {
    assertThatThrownBy(() -> StreamingUrls.requireValid(url))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("port must be 1-65535");
  }

  @ParameterizedTest
  @NullAndEmptySource
  void refusesEmpty(String url) {
    assertThatThrownBy(() -> StreamingUrls.requireValid(url))
        .hasMessage("streamingUrl is required");
  }

  @org.junit.jupiter.api.Test
  void refusesAnOverlongUrlQuickly() {
    assertThatThrownBy(() -> StreamingUrls.requireValid("wss://" + "a-".repeat(100_000) + "!"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
