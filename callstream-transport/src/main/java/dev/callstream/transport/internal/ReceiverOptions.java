package dev.callstream.transport.internal;

import dev.callstream.core.CallAdmission;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.internal.CallDriver;
import dev.callstream.transport.Authenticator;
import java.time.Duration;
import java.util.Objects;

/**
 * The values behind {@link dev.callstream.transport.CallStreamReceiverBuilder}, with their defaults
 * and checks, in one place for every receiver's builder. Mutable, not thread-safe; a builder hands
 * a copy ({@link #copyFrom}) to what it builds.
 */
public final class ReceiverOptions {
  private CallStreamListener.Factory listenerFactory;
  private Authenticator authenticator = Authenticator.NONE;
  private int maxCalls = 500;
  private CallAdmission admission;
  private int maxMessageBytes = 64 * 1024;
  private Duration idleTimeout = Duration.ofSeconds(60);
  private Duration shutdownTimeout = Duration.ofSeconds(10);
  private int reorderWindow = CallDriver.DEFAULT_REORDER_WINDOW;
  private int dispatchThreads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
  // Object, not MeterRegistry: Micrometer is optional and loaded only when a registry is given.
  private Object meterRegistry;

  /** The defaults. */
  public ReceiverOptions() {}

  /** Sets every value to {@code other}'s. */
  public void copyFrom(ReceiverOptions other) {
    listenerFactory = other.listenerFactory;
    authenticator = other.authenticator;
    maxCalls = other.maxCalls;
    admission = other.admission;
    maxMessageBytes = other.maxMessageBytes;
    idleTimeout = other.idleTimeout;
    shutdownTimeout = other.shutdownTimeout;
    reorderWindow = other.reorderWindow;
    dispatchThreads = other.dispatchThreads;
    meterRegistry = other.meterRegistry;
  }

  /** Throws {@link IllegalStateException} when a required value is missing (the listener factory). */
  public ReceiverOptions requireComplete() {
    if (listenerFactory == null) {
      throw new IllegalStateException("listenerFactory is required");
    }
    return this;
  }

  public void listenerFactory(CallStreamListener.Factory listenerFactory) {
    this.listenerFactory = Objects.requireNonNull(listenerFactory, "listenerFactory");
  }

  public void authenticator(Authenticator authenticator) {
    this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
  }

  public void maxCalls(int maxCalls) {
    this.maxCalls = BuilderChecks.atLeast("maxCalls", maxCalls, 1);
  }

  public void admission(CallAdmission admission) {
    this.admission = Objects.requireNonNull(admission, "admission");
  }

  public void maxMessageBytes(int maxMessageBytes) {
    this.maxMessageBytes = BuilderChecks.maxMessageBytes(maxMessageBytes);
  }

  public void idleTimeout(Duration idleTimeout) {
    this.idleTimeout = BuilderChecks.positive("idleTimeout", idleTimeout);
  }

  public void shutdownTimeout(Duration shutdownTimeout) {
    this.shutdownTimeout = BuilderChecks.positive("shutdownTimeout", shutdownTimeout);
  }

  public void reorderWindow(int reorderWindow) {
    this.reorderWindow = BuilderChecks.atLeast("reorderWindow", reorderWindow, 1);
  }

  public void dispatchThreads(int dispatchThreads) {
    this.dispatchThreads = BuilderChecks.atLeast("dispatchThreads", dispatchThreads, 1);
  }

  /** Takes a {@code MeterRegistry} typed as Object, so that this class never loads Micrometer. */
  public void meterRegistry(Object registry) {
    this.meterRegistry = Objects.requireNonNull(registry, "registry");
  }

  /** Null until set. */
  public CallStreamListener.Factory listenerFactory() {
    return listenerFactory;
  }

  public Authenticator authenticator() {
    return authenticator;
  }

  public int maxCalls() {
    return maxCalls;
  }

  /** The shared admission when one was given, else a new limit of {@link #maxCalls()}. */
  public CallAdmission admissionOrLimit() {
    return admission != null ? admission : CallAdmission.limit(maxCalls);
  }

  public int maxMessageBytes() {
    return maxMessageBytes;
  }

  public Duration idleTimeout() {
    return idleTimeout;
  }

  public Duration shutdownTimeout() {
    return shutdownTimeout;
  }

  public int reorderWindow() {
    return reorderWindow;
  }

  public int dispatchThreads() {
    return dispatchThreads;
  }

  /** The {@code MeterRegistry}, or null for none. */
  public Object meterRegistry() {
    return meterRegistry;
  }
}
