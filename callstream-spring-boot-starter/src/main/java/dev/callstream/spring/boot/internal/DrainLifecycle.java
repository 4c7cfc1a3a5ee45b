package dev.callstream.spring.boot.internal;

import dev.callstream.server.CallStreamEndpoint;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Drains open calls when the application shuts down, before the web server stops: its phase is
 * above the web server's graceful shutdown ({@code DEFAULT_PHASE - 1024}) and start/stop
 * ({@code DEFAULT_PHASE - 2048}), and Spring stops higher phases first. While it drains, new
 * upgrades get HTTP 503 (the platform retries elsewhere) and open calls run on until they end or the
 * drain timeout passes; then they end with {@code shutdown}.
 */
public final class DrainLifecycle implements SmartLifecycle {
  /** Stops before {@code WebServerGracefulShutdownLifecycle} (DEFAULT_PHASE - 1024). */
  static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 512;
  private static final Logger LOG = LoggerFactory.getLogger(DrainLifecycle.class);

  private final CallStreamEndpoint endpoint;
  private final Duration timeout;
  private volatile boolean running;

  /**
   * @param timeout how long open calls may run on; keep it below the phase timeout
   *     ({@code spring.lifecycle.timeout-per-shutdown-phase}) so they end with {@code shutdown} before
   *     Spring stops waiting
   */
  public DrainLifecycle(CallStreamEndpoint endpoint, Duration timeout) {
    this.endpoint = endpoint;
    this.timeout = timeout;
  }

  /**
   * The drain timeout for a shutdown phase of {@code phaseTimeout}: a second less (a tenth less for
   * short phases), so that calls still open end with {@code shutdown} and their recordings are
   * finished while Spring still waits for this phase.
   */
  public static Duration drainTimeout(Duration phaseTimeout, boolean graceful) {
    if (!graceful || phaseTimeout.isZero() || phaseTimeout.isNegative()) {
      return Duration.ZERO;
    }
    Duration margin = phaseTimeout.compareTo(Duration.ofSeconds(10)) >= 0 ? Duration.ofSeconds(1) : phaseTimeout.dividedBy(10);
    return phaseTimeout.minus(margin);
  }

  @Override
  public void start() {
    running = true;
  }

  @Override
  public void stop() {
    java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
    stop(done::countDown);
    try {
      done.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void stop(Runnable callback) {
    running = false;
    int open = endpoint.activeCalls();
    if (open > 0) {
      LOG.info("callstream: draining {} calls (up to {})", open, timeout);
    }
    endpoint.drain(timeout).whenComplete((ignored, error) -> {
      if (error != null) {
        LOG.warn("callstream: drain ended with an error", error);
      }
      callback.run();
    });
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }
}
