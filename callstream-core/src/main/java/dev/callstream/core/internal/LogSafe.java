package dev.callstream.core.internal;

/**
 * Peer-controlled text made fit for a log line. A call id comes from the network (upgrade query or
 * Start metadata); printed as is, a line break in it would forge a log line and a megabyte of it
 * would flood the log.
 */
public final class LogSafe {
  /** Longest id printed; enough for the platform's ids (UUIDs, numeric ids). */
  public static final int MAX_ID_LENGTH = 64;

  private LogSafe() {}

  /**
   * {@code id} with every character outside {@code [A-Za-z0-9._:-]} replaced by {@code _}, cut to
   * {@value #MAX_ID_LENGTH} characters; {@code "unknown"} when null or empty. Never contains a line
   * break, a control character or anything non-ASCII.
   */
  public static String id(String id) {
    if (id == null || id.isEmpty()) {
      return "unknown";
    }
    int length = Math.min(id.length(), MAX_ID_LENGTH);
    char[] safe = new char[length];
    for (int i = 0; i < length; i++) {
      char c = id.charAt(i);
      boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '_' || c == ':' || c == '-';
      safe[i] = allowed ? c : '_';
    }
    return new String(safe);
  }
}
