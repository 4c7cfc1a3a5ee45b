package dev.callstream.examples.readme;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callstream.examples.MyCallListener;
import dev.callstream.testkit.CallResult;
import dev.callstream.testkit.CallScript;
import dev.callstream.testkit.FakeEngageVoice;
import dev.callstream.testkit.Fault;
import dev.callstream.testkit.junit5.CallStreamExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The README's testkit block, run as written (compared with the README by {@link ReadmeSnippetsTest}). */
class TestkitSnippetTest {

  // readme:begin testkit
  @RegisterExtension
  final CallStreamExtension callStream = CallStreamExtension.builder()
      .listenerFactory(() -> info -> new MyCallListener()).build();   // a fresh factory per test

  @Test
  void survivesAnAbortedCall() {
    try (FakeEngageVoice platform = FakeEngageVoice.builder(callStream.uri())
        .sslContext(callStream.server().tls().clientContext())      // trusts the test server's certificate
        .faults(Fault.DROP, Fault.REORDER, Fault.ABORT).seed(7).build()) {
      CallResult result = platform.play(CallScript.numbered(7, 0).maxDuration(Duration.ofSeconds(2)).build());
      assertThat(result.aborted()).isTrue();                          // then assert what your listener saw
    }
  }
  // readme:end testkit
}
