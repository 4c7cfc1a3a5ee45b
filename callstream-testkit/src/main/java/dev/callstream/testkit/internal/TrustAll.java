package dev.callstream.testkit.internal;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * TLS that trusts any certificate for any host name, for testing against self-signed servers. An
 * {@link X509ExtendedTrustManager} (not a plain X509TrustManager, which the JDK wraps with its own
 * host name check) and {@link SSLParameters} without endpoint identification, so that no global
 * system property is needed.
 */
public final class TrustAll {
  private TrustAll() {}

  public static SSLContext sslContext() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {new TrustingManager()}, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no TLS available: " + e.getMessage(), e);
    }
  }

  /** The trust manager of {@link #sslContext()}: for clients that take trust managers (gRPC). */
  public static X509ExtendedTrustManager trustManager() {
    return new TrustingManager();
  }

  public static SSLParameters sslParameters(SSLContext context) {
    SSLParameters parameters = context.getDefaultSSLParameters();
    parameters.setEndpointIdentificationAlgorithm(null);
    return parameters;
  }

  private static final class TrustingManager extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
