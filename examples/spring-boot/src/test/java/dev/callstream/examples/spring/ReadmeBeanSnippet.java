package dev.callstream.examples.spring;

import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamListener;
import org.springframework.context.annotation.Bean;

/**
 * The README's Spring Boot bean, compiled (compared with the README by the examples module's
 * {@code ReadmeSnippetsTest}). Not a {@code @Configuration}: component scanning leaves it out of the
 * example application's tests.
 */
final class ReadmeBeanSnippet {
  // readme:begin boot-bean
  @Bean
  CallStreamListener.Factory calls() {
    return info -> new CallStreamListener() {
      @Override public void onAudio(CallSession call, AudioFrame frame) { /* 20 ms, in order */ }
    };
  }
  // readme:end boot-bean
}
