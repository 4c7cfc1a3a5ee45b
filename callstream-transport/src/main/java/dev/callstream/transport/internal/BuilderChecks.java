package dev.callstream.transport.internal;

import java.time.Duration;
import java.util.Objects;

/** The limits every transport's builder validates alike, with messages that name the value. */
public final class BuilderChecks {
  private BuilderChecks() {}

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
