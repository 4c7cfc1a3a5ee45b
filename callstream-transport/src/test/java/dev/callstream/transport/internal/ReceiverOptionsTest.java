package dev.callstream.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.callstream.core.CallAdmission;
import dev.callstream.core.CallStreamListener;
import dev.callstream.transport.Authenticator;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReceiverOptionsTest {

  @Test
  void defaultsAreTheDocumentedOnes() {
    ReceiverOptions options = new ReceiverOptions();
    assertThat(options.listenerFactory()).isNull();
    assertThat(options.authenticator()).isSameAs(Authenticator.NONE);
    assertThat(options.maxCalls()).isEqualTo(500);
    assertThat(options.admissionOrLimit().maxCalls()).isEqualTo(500);
    assertThat(options.maxMessageBytes()).isEqualTo(64 * 1024);
    assertThat(options.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(options.shutdownTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(options.reorderWindow()).isEqualTo(5);
    assertThat(options.dispatchThreads()).isGreaterThanOrEqualTo(4);
    assertThat(options.meterRegistry()).isNull();
  }

  @Test
  void badValuesAreRefusedWithMessagesThatNameThem() {
    ReceiverOptions options = new ReceiverOptions();
    assertThatThrownBy(() -> options.maxCalls(0)).hasMessage("maxCalls < 1: 0");
    assertThatThrownBy(() -> options.maxMessageBytes(100)).hasMessage("maxMessageBytes < 1024: 100");
    assertThatThrownBy(() -> options.maxMessageBytes(17 * 1024 * 1024)).hasMessageStartingWith("maxMessageBytes > 16 MiB");
    assertThatThrownBy(() -> options.idleTimeout(Duration.ZERO)).hasMessage("idleTimeout <= 0: PT0S");
    assertThatThrownBy(() -> options.shutdownTimeout(Duration.ofSeconds(-1))).hasMessage("shutdownTimeout <= 0: PT-1S");
    assertThatThrownBy(() -> options.reorderWindow(0)).hasMessage("reorderWindow < 1: 0");
    assertThatThrownBy(() -> options.dispatchThreads(0)).hasMessage("dispatchThreads < 1: 0");
    assertThatThrownBy(() -> options.listenerFactory(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("listenerFactory");
    assertThatThrownBy(options::requireComplete).isInstanceOf(IllegalStateException.class)
        .hasMessage("listenerFactory is required");
    assertThatThrownBy(() -> BuilderChecks.port(65536)).hasMessage("port > 65535: 65536");
    assertThatThrownBy(() -> BuilderChecks.host(" ")).hasMessage("host is blank");
    assertThatThrownBy(() -> BuilderChecks.tls(null, "plain ws")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Tls.none() for plain ws behind a TLS proxy");
  }

  @Test
  void aCopyDoesNotChangeWithTheOriginal() {
    ReceiverOptions options = new ReceiverOptions();
    CallAdmission shared = CallAdmission.limit(3);
    options.listenerFactory(CallStreamListener.Factory.NONE);
    options.admission(shared);
    options.maxCalls(7);
    ReceiverOptions copy = new ReceiverOptions();
    copy.copyFrom(options);
    options.maxCalls(9);
    options.idleTimeout(Duration.ofSeconds(1));

    assertThat(copy.maxCalls()).isEqualTo(7);
    assertThat(copy.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(copy.admissionOrLimit()).isSameAs(shared);
    assertThat(copy.requireComplete().listenerFactory()).isSameAs(CallStreamListener.Factory.NONE);
  }
}
