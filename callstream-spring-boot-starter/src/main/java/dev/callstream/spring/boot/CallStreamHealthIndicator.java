package dev.callstream.spring.boot;

import dev.callstream.server.CallStreamEndpoint;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The {@code callstream} component of {@code /actuator/health}: UP while the endpoint serves (also
 * when it is full), OUT_OF_SERVICE once it drains at shutdown, so a load balancer that checks health
 * stops sending calls. Details: {@code activeCalls}, {@code maxCalls}, {@code draining},
 * {@code ready} (whether a new call would be admitted now).
 */
public final class CallStreamHealthIndicator implements HealthIndicator {
  private final CallStreamEndpoint endpoint;
  private final int maxCalls;

  CallStreamHealthIndicator(CallStreamEndpoint endpoint, int maxCalls) {
    this.endpoint = endpoint;
    this.maxCalls = maxCalls;
  }

  @Override
  public Health health() {
    int active = endpoint.activeCalls();
    boolean draining = endpoint.draining();
    Health.Builder builder = draining ? Health.outOfService() : Health.up();
    return builder
        .withDetail("activeCalls", active)
        .withDetail("maxCalls", maxCalls)
        .withDetail("draining", draining)
        .withDetail("ready", !draining && active < maxCalls)
        .build();
  }
}
