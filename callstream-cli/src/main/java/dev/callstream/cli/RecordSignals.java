package dev.callstream.cli;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Turns SIGTERM and SIGINT into a shutdown request that the main thread waits for, so that the
 * process can finish its recordings and exit 0. The JVM's own handling would run shutdown hooks and
 * then exit with 143 (TERM) or 130 (INT), which scripts and service managers read as a failure.
 *
 * <p>Uses {@code sun.misc.Signal} (module {@code jdk.unsupported}, present in every JDK 17) through
 * reflection, so that a runtime without it, or one started with {@code -Xrs}, still works: then
 * {@link #install} returns false for that signal and the caller's shutdown hook does the work (with
 * the JVM's exit code).
 */
final class RecordSignals implements AutoCloseable {
  private final CountDownLatch requested = new CountDownLatch(1);
  private final AtomicReference<String> reason = new AtomicReference<>();
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

  /** Requests shutdown; the first reason wins. Any thread. */
  void request(String why) {
    reason.compareAndSet(null, why);
    requested.countDown();
  }

  /** Blocks until shutdown is requested; returns the first reason given. */
  String await() throws InterruptedException {
    requested.await();
    return reason.get();
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
