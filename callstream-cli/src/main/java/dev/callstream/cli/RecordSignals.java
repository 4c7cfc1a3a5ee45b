package dev.callstream.cli;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Turns SIGTERM and SIGINT into a shutdown request that the main thread waits for, so that the
 * process can finish its recordings and exit 0. The first signal asks for a drain, a second one for
 * ending it at once (CONTRACTS.md section 6). The JVM's own handling would run shutdown hooks and
 * then exit with 143 (TERM) or 130 (INT), which scripts and service managers read as a failure.
 *
 * <p>Uses {@code sun.misc.Signal} (module {@code jdk.unsupported}, present in every JDK 17) through
 * reflection, so that a runtime without it, or one started with {@code -Xrs}, still works: then
 * {@link #install} returns false for that signal and the caller's shutdown hook does the work (with
 * the JVM's exit code).
 */
final class RecordSignals implements AutoCloseable {
  private final CompletableFuture<String> first = new CompletableFuture<>();
  private final CompletableFuture<String> second = new CompletableFuture<>();
  private final List<Runnable> restorers = new ArrayList<>();

  /**
   * Handles {@code name} ({@code "TERM"}, {@code "INT"}) by requesting shutdown.
   *
   * @return false when the signal cannot be handled here (the JVM keeps its default behaviour)
   */
  boolean install(String name) {
    try {
      Class<?> signalClass = Class.forName("sun.misc.Signal");
      Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
      Object signal = signalClass.getConstructor(String.class).newInstance(name);
      Object handler = Proxy.newProxyInstance(
          handlerClass.getClassLoader(), new Class<?>[] {handlerClass}, new Handler("SIG" + name));
      Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
      Object previous = handle.invoke(null, signal, handler);
      restorers.add(() -> {
        try {
          handle.invoke(null, signal, previous);
        } catch (ReflectiveOperationException | RuntimeException e) {
          // The process is ending anyway; the previous handler only matters to in-process callers.
        }
      });
      return true;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      // IllegalArgumentException (wrapped) when the VM reserves the signal, e.g. with -Xrs.
      return false;
    }
  }

  /**
   * Requests shutdown: the first request starts a drain, the second ends it at once; later ones
   * change nothing. Any thread.
   */
  void request(String why) {
    if (!first.complete(why)) {
      second.complete(why);
    }
  }

  /** Blocks until shutdown is requested; returns the first reason given. */
  String await() throws InterruptedException {
    try {
      return first.get();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Completed with its reason by the second request (a second SIGTERM/SIGINT: stop draining now). */
  CompletableFuture<String> second() {
    return second;
  }

  /** Gives the signals back to their previous handlers. */
  @Override
  public void close() {
    restorers.forEach(Runnable::run);
    restorers.clear();
  }

  /** The {@code sun.misc.SignalHandler} implementation: runs on the JVM's signal-dispatch thread. */
  private final class Handler implements InvocationHandler {
    private final String signalName;

    Handler(String signalName) {
      this.signalName = signalName;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) {
      switch (method.getName()) {
        case "handle":
          request(signalName);
          return null;
        case "equals":
          return proxy == args[0];
        case "hashCode":
          return System.identityHashCode(proxy);
        default:
          return "RecordSignals.Handler[" + signalName + "]";
      }
    }
  }
}
