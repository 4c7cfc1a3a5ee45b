package dev.callstream.transport;

import dev.callstream.core.CallInfo;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A connection request as an {@link Authenticator} sees it: for the WebSocket server, the HTTP
 * upgrade request.
 *
 * @param path the request path: {@code /} for the standalone WebSocket server, the endpoint's path
 *     for {@code CallStreamEndpoint}
 * @param rawQuery the query string as received (still percent-encoded), or null when absent
 * @param info the query parsed into the call's info; never null
 * @param headers the request headers (or a transport's request metadata); names are matched ignoring
 *     case; unmodifiable, never null
 * @param remoteAddress the peer's IP address as text, or null when unknown
 */
public record Handshake(
    String path, String rawQuery, CallInfo info, Map<String, List<String>> headers, String remoteAddress) {

  public Handshake {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(info, "info");
    TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    Objects.requireNonNull(headers, "headers").forEach((name, values) ->
        copy.computeIfAbsent(name, n -> new ArrayList<>()).addAll(values));
    copy.replaceAll((name, values) -> List.copyOf(values));
    headers = Collections.unmodifiableMap(copy);
  }

  /** The first value of a header (name matched ignoring case), or null. */
  public String header(String name) {
    List<String> values = headers.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** The token of an {@code Authorization: Bearer <token>} header (scheme matched ignoring case), or null. */
  public String bearerToken() {
    String authorization = header("Authorization");
    if (authorization == null) {
      return null;
    }
    String trimmed = authorization.trim();
    if (trimmed.length() > 7 && trimmed.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
      return trimmed.substring(7).trim();
    }
    return null;
  }

  /** Never prints header values or the query: they may carry secrets. */
  @Override
  public String toString() {
    return "Handshake[path=" + path + ", info=" + info + ", headers=" + headers.keySet()
        + ", remoteAddress=" + remoteAddress + "]";
  }
}
