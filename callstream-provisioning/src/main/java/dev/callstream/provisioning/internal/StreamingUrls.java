package dev.callstream.provisioning.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The platform's own rule for {@code streamingUrl} (the pattern of CreateProductReq in the
 * streaming-profile OpenAPI description), plus a port range check the pattern leaves out. Checking
 * it here turns a server-side 400 into an error before any request.
 */
public final class StreamingUrls {
  /** Verbatim from the OpenAPI description, without its {@code ^$|} empty alternative. */
  private static final Pattern PLATFORM_PATTERN =
      Pattern.compile(
          "^(wss:\\/\\/)([0-9]{1,3}(?:\\.[0-9]{1,3}){3}|(([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\\-]*"
              + "[a-zA-Z0-9])\\.)*([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9\\-]*[A-Za-z0-9]))"
              + "(:([0-9]{1,5}))?$");

  private static final int PORT_GROUP = 7;
  /** "wss://", a 253-character host name, ":65535"; anything longer is not a valid URL here. */
  private static final int MAX_LENGTH = 265;

  private StreamingUrls() {}

  /**
   * Checks that {@code url} is {@code wss://host[:port]} with no path, query or user info and a
   * port in 1..65535.
   *
   * @throws IllegalArgumentException naming {@code streamingUrl} otherwise. The message does not
   *     repeat the URL, which could carry credentials.
   */
  public static void requireValid(String url) {
    if (url == null || url.isEmpty()) {
      throw new IllegalArgumentException("streamingUrl is required");
    }
    Matcher matcher = url.length() > MAX_LENGTH ? null : PLATFORM_PATTERN.matcher(url);
    if (matcher == null || !matcher.matches()) {
      throw new IllegalArgumentException(
          "streamingUrl must be wss://host[:port] (no path, query or user info)");
    }
    String port = matcher.group(PORT_GROUP);
    if (port != null) {
      int number = Integer.parseInt(port);
      if (number < 1 || number > 65535) {
        throw new IllegalArgumentException(
            "streamingUrl port must be 1-65535, not " + number);
      }
    }
  }
}
