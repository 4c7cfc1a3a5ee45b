package dev.callstream.server.internal;

import dev.callstream.core.CallInfo;
import dev.callstream.core.Transport;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Parses WebSocket upgrade query strings into {@link CallInfo}, matching the undocumented keys loosely.
 *
 * <p>The platform documents the parameters only by description ("Call ID", "Caller ANI", "EV
 * Subaccount ID"...), not by key, so keys are matched ignoring case, spaces, {@code _}, {@code -} and
 * {@code .}: {@code callId}, {@code call_id} and {@code Call ID} all fill {@link CallInfo#callId()}.
 *
 * <p>The query comes from an unauthenticated peer, so input is bounded: at most {@link #MAX_PARAMETERS}
 * parameters are kept and a raw query longer than {@link #MAX_QUERY_CHARS} is truncated. Never throws on
 * malformed input: bad percent escapes are kept literally.
 */
public final class QueryParser {

  /** Parameters beyond this many are ignored. */
  public static final int MAX_PARAMETERS = 100;

  /** A raw query is cut to this many characters before parsing. */
  public static final int MAX_QUERY_CHARS = 8 * 1024;

  private QueryParser() {}

  /** Parses a raw, still percent-encoded query (without the leading {@code ?}); null or empty gives an empty info. */
  public static CallInfo parse(String rawQuery) {
    Map<String, String> parameters = new LinkedHashMap<>();
    if (rawQuery != null && !rawQuery.isEmpty()) {
      String query = rawQuery.length() > MAX_QUERY_CHARS ? rawQuery.substring(0, MAX_QUERY_CHARS) : rawQuery;
      int start = 0;
      int seen = 0;
      while (start <= query.length() && seen < MAX_PARAMETERS) {
        int end = query.indexOf('&', start);
        if (end < 0) {
          end = query.length();
        }
        if (end > start) {
          seen++;
          int eq = query.indexOf('=', start);
          String key;
          String value;
          if (eq < 0 || eq > end) {
            key = percentDecode(query, start, end);
            value = "";
          } else {
            key = percentDecode(query, start, eq);
            value = percentDecode(query, eq + 1, end);
          }
          parameters.putIfAbsent(key, value);
        }
        start = end + 1;
      }
    }
    return build(parameters);
  }

  /** Builds the typed view from already-decoded parameters, keeping at most {@link #MAX_PARAMETERS} of them. */
  public static CallInfo fromParameters(Map<String, String> parameters) {
    Map<String, String> kept = new LinkedHashMap<>();
    if (parameters != null) {
      for (Map.Entry<String, String> entry : parameters.entrySet()) {
        if (kept.size() >= MAX_PARAMETERS) {
          break;
        }
        if (entry.getKey() != null) {
          kept.putIfAbsent(entry.getKey(), entry.getValue() == null ? "" : entry.getValue());
        }
      }
    }
    return build(kept);
  }

  private static CallInfo build(Map<String, String> parameters) {
    String[] typed = new String[Field.values().length];
    for (Map.Entry<String, String> entry : parameters.entrySet()) {
      Field field = Field.of(normalize(entry.getKey()));
      if (field != null && typed[field.ordinal()] == null) {
        typed[field.ordinal()] = entry.getValue();
      }
    }
    return new CallInfo(
        Transport.WSS,
        typed[Field.CALL_ID.ordinal()],
        typed[Field.SESSION_ID.ordinal()],
        typed[Field.ANI.ordinal()],
        typed[Field.DNIS.ordinal()],
        typed[Field.ACCOUNT_ID.ordinal()],
        typed[Field.SUBACCOUNT_ID.ordinal()],
        typed[Field.RC_ACCOUNT_ID.ordinal()],
        typed[Field.AGENT_ID.ordinal()],
        typed[Field.PRODUCT_TYPE.ordinal()],
        typed[Field.PRODUCT_ID.ordinal()],
        parameters);
  }

  /** Lower case without spaces, {@code _}, {@code -} or {@code .}: "Call ID", "call_id" and "callId" all become "callid". */
  static String normalize(String key) {
    StringBuilder sb = new StringBuilder(key.length());
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c != ' ' && c != '_' && c != '-' && c != '.') {
        sb.append(c);
      }
    }
    return sb.toString().toLowerCase(Locale.ROOT);
  }

  private enum Field {
    CALL_ID, SESSION_ID, ANI, DNIS, ACCOUNT_ID, SUBACCOUNT_ID, RC_ACCOUNT_ID, AGENT_ID, PRODUCT_TYPE, PRODUCT_ID;

    static Field of(String normalizedKey) {
      switch (normalizedKey) {
        case "callid":
        case "uii":
          return CALL_ID;
        case "sessionid":
          return SESSION_ID;
        case "ani":
        case "callerani":
          return ANI;
        case "dnis":
          return DNIS;
        case "accountid":
        case "evaccountid":
          return ACCOUNT_ID;
        case "subaccountid":
        case "evsubaccountid":
          return SUBACCOUNT_ID;
        case "rcaccountid":
        case "ringcentralofficeaccountid":
        case "rcofficeaccountid":
          return RC_ACCOUNT_ID;
        case "agentid":
          return AGENT_ID;
        case "producttype":
          return PRODUCT_TYPE;
        case "productid":
          return PRODUCT_ID;
        default:
          return null;
      }
    }
  }

  /**
   * Decodes {@code s[from, to)} as application/x-www-form-urlencoded UTF-8: {@code +} is a space,
   * {@code %XX} a byte; an escape that is not two hex digits is kept as written. Invalid UTF-8 becomes U+FFFD.
   */
  static String percentDecode(String s, int from, int to) {
    boolean plain = true;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c == '%' || c == '+') {
        plain = false;
        break;
      }
    }
    if (plain) {
      return s.substring(from, to);
    }
    StringBuilder out = new StringBuilder(to - from);
    byte[] bytes = null;
    int i = from;
    while (i < to) {
      char c = s.charAt(i);
      if (c == '%' && hex(s, i + 1, to) >= 0 && hex(s, i + 2, to) >= 0) {
        // a run of escapes forms one UTF-8 sequence
        if (bytes == null) {
          bytes = new byte[(to - from) / 3 + 1];
        }
        int n = 0;
        while (i < to && s.charAt(i) == '%' && hex(s, i + 1, to) >= 0 && hex(s, i + 2, to) >= 0) {
          bytes[n++] = (byte) ((hex(s, i + 1, to) << 4) | hex(s, i + 2, to));
          i += 3;
        }
        out.append(new String(bytes, 0, n, StandardCharsets.UTF_8));
      } else {
        out.append(c == '+' ? ' ' : c);
        i++;
      }
    }
    return out.toString();
  }

  private static int hex(String s, int index, int to) {
    if (index >= to) {
      return -1;
    }
    char c = s.charAt(index);
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }
}
