package dev.callstream.provisioning.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class SlidingWindowLimiterTest {
  @Test
  void allowsPermitsPerWindowAndSaysHowLongToWait() {
    Instant start = Instant.parse("2025-01-01T00:00:00Z");
    SlidingWindowLimiter limiter =
        new SlidingWindowLimiter(2, Duration.ofSeconds(60), Clock.fixed(start, ZoneOffset.UTC));
    assertThat(limiter.tryAcquire()).isZero();
    assertThat(limiter.tryAcquire()).isZero();
    assertThat(limiter.tryAcquire()).isEqualTo(Duration.ofSeconds(60));

  }
}
