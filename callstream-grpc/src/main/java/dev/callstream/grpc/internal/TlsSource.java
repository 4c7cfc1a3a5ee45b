package dev.callstream.grpc.internal;

import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2SecurityUtil;
import io.grpc.netty.shaded.io.netty.handler.ssl.ApplicationProtocolConfig;
import io.grpc.netty.shaded.io.netty.handler.ssl.ApplicationProtocolNames;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.JdkSslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SupportedCipherSuiteFilter;
import dev.callstream.transport.Tls;
import dev.callstream.transport.TlsMaterial;
import java.net.SocketAddress;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * What secures the gRPC listener: nothing (plaintext HTTP/2), the caller's key managers, or a ready
 * {@link SSLContext}. TLS 1.2 and 1.3 only, HTTP/2 by ALPN as gRPC requires.
 */
public final class TlsSource {
  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private final KeyManagerFactory keyManagers;
  private final SSLContext context;

  private TlsSource(KeyManagerFactory keyManagers, SSLContext context) {
    this.keyManagers = keyManagers;
    this.context = context;
  }

  /** Plaintext HTTP/2. */
  public static TlsSource none() {
    return new TlsSource(null, null);
  }

  /** TLS with these key managers (certificate chain and private key). */
  public static TlsSource keyManagers(KeyManagerFactory keyManagers) {
    return new TlsSource(Objects.requireNonNull(keyManagers, "keyManagers"), null);
  }

  /** What {@link Tls#load} gave: none, its key managers, or (for {@link Tls#of}) its context. */
  public static TlsSource of(TlsMaterial material) {
    if (material.sslContext() == null) {
      return none();
    }
    return material.keyManagerFactory() != null
        ? keyManagers(material.keyManagerFactory()) : context(material.sslContext());
  }

  /** TLS with a ready context initialised with the server's key managers. */
  public static TlsSource context(SSLContext context) {
    return new TlsSource(null, Objects.requireNonNull(context, "context"));
  }

  public boolean enabled() {
    return keyManagers != null || context != null;
  }

  NettyServerBuilder serverBuilder(SocketAddress address) {
    if (context != null) {
      JdkSslContext ssl = new JdkSslContext(context, false, Http2SecurityUtil.CIPHERS,
          SupportedCipherSuiteFilter.INSTANCE,
          new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
              ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
              ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
              ApplicationProtocolNames.HTTP_2),
          ClientAuth.NONE, PROTOCOLS, false);
      return NettyServerBuilder.forAddress(address).sslContext(ssl);
    }
    ServerCredentials credentials = keyManagers == null
        ? InsecureServerCredentials.create()
        : TlsServerCredentials.newBuilder().keyManager(keyManagers.getKeyManagers()).build();
    return NettyServerBuilder.forAddress(address, credentials);
  }

  @Override
  public String toString() {
    return keyManagers != null ? "TlsSource.keyManagers" : context != null ? "TlsSource.context" : "TlsSource.none";
  }
}
