package dev.callstream.spring.boot;

import dev.callstream.testkit.RecordingListener;
import java.time.Duration;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;

/** A Boot application with one listener bean of its own, beside the starter's recorder. */
@SpringBootConfiguration
@EnableAutoConfiguration
class TestApplication {

  @Bean
  RecordingListener userListener() {
    // events of a few calls, without audio, so a test can see what the application's listener got
    return new RecordingListener(100_000, false, Duration.ofSeconds(20));
  }
}
