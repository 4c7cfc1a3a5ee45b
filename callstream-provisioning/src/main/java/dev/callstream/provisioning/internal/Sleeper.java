package dev.callstream.provisioning.internal;

import java.time.Duration;

/** Waits between retries; tests inject one that records the delay instead of waiting. */
@FunctionalInterface
public interface Sleeper {
  Sleeper THREAD = duration -> Thread.sleep(duration.toMillis());

  void sleep(Duration duration) throws InterruptedException;
}
