package dev.callstream.transport.internal;

import java.time.Duration;
import java.util.Objects;

/** The limits every transport's builder validates alike, with messages that name the value. */
public final class BuilderChecks {
  private BuilderChecks() {}

  /** {@code host}, when it is neither null nor blank: an address to bind. */
  public static String host(String host) {
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host is blank");
    }
    return host;
  }

  /** {@code port}, when it lies between 0 (any free port) and 65535. */
  public static int port(int port) {
    if (port < 0) {
      throw new IllegalArgumentException("port < 0: " + port);
    }
    if (port > 65535) {
      throw new IllegalArgumentException("port > 65535: " + port);
    }
    return port;
  }

  /**
   * {@code tls}, when a choice was made; else the message lists the choices, {@code plaintext}
   * naming what {@code Tls.none()} serves (for example "plain ws").
   */
  public static dev.callstream.transport.Tls tls(dev.callstream.transport.Tls tls, String plaintext) {
    if (tls == null) {
      throw new IllegalStateException("tls is required: choose Tls.pkcs12(...) or Tls.pem(...) for a real"
          + " certificate, Tls.selfSigned() for local use, or Tls.none() for " + plaintext + " behind a TLS proxy");
    }
    return tls;
  }

  /** {@code value}, when it is neither null, zero nor negative. */
  public static Duration positive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " <= 0: " + value);
    }
    return value;
  }

  /** {@code value}, when it is at least {@code min}; else the message names both ({@code name < min: value}). */
  public static int atLeast(String name, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(name + " < " + min + ": " + value);
    }
    return value;
  }

  /** {@code maxMessageBytes}, when it lies between 1 KiB and 16 MiB. */
  public static int maxMessageBytes(int maxMessageBytes) {
    if (maxMessageBytes < 1024) {
      throw new IllegalArgumentException("maxMessageBytes < 1024: " + maxMessageBytes);
    }
    if (maxMessageBytes > 16 * 1024 * 1024) {
      throw new IllegalArgumentException("maxMessageBytes > 16 MiB: " + maxMessageBytes);
    }
    return maxMessageBytes;
  }
}
