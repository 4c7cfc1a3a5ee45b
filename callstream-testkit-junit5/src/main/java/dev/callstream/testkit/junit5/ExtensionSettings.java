package dev.callstream.testkit.junit5;

import dev.callstream.core.CallStreamListener;
import dev.callstream.transport.Tls;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What both extension builders configure, for server builders of type {@code SB} and fake-platform
 * builders of type {@code PB}. The public builders keep their own methods and Javadoc and store here,
 * so the defaults and the null checks live in one place. Not thread-safe.
 */
final class ExtensionSettings<SB, PB> {
  Tls tls = Tls.selfSigned();
  /** Null means a fresh {@code RecordingListener} per server start. */
  Supplier<CallStreamListener.Factory> listenerFactory;
  Consumer<SB> serverOptions = server -> {};
  Consumer<PB> senderOptions = sender -> {};

  void tls(Tls tls) {
    this.tls = Objects.requireNonNull(tls, "tls");
  }

  void listenerFactory(Supplier<CallStreamListener.Factory> listenerFactory) {
    this.listenerFactory = Objects.requireNonNull(listenerFactory, "listenerFactory");
  }

  void serverOptions(Consumer<SB> serverOptions) {
    this.serverOptions = Objects.requireNonNull(serverOptions, "serverOptions");
  }

  void senderOptions(Consumer<PB> senderOptions) {
    this.senderOptions = Objects.requireNonNull(senderOptions, "senderOptions");
  }
}
