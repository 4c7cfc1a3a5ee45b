package dev.callstream.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one rule for which names hold secrets, used wherever callstream hides them: the WebSocket
 * handshake (query parameters), the Start gate and the events listeners see (metadata fields),
 * {@code call.json}, provisioning's error messages and the CLI's output.
 *
 * <p>A name is secret when, lower-cased and with every character that is not a letter or digit
 * removed ({@code Api-Key}, {@code api_key} and {@code apiKey} all become {@code apikey}), it
 * contains {@code secret}, {@code token}, {@code passw}, {@code passphrase}, {@code authorization},
 * {@code apikey}, {@code accesskey}, {@code privatekey} or {@code credential}, or is exactly
 * {@code auth}, {@code pass} or {@code pwd}. Broad on purpose: hiding a harmless field such as
 * {@code tokenCount} costs little, showing a credential costs much.
 *
 * <p>Which secret is <em>accepted</em> is not decided here: the WebSocket server still checks
 * exactly the {@code secret} query parameter, the {@code Authorization} header and the
 * {@code secret} Start field, and removes every secret-named value afterwards.
 *
 * <p>Stateless and thread-safe.
 */
public final class Secrets {
  /** What a secret value is replaced with where the name stays visible. */
  public static final String MASK = "***";

  private static final List<String> CONTAINED = List.of(
      "secret", "token", "passw", "passphrase", "authorization", "apikey", "accesskey", "privatekey", "credential");
  private static final List<String> EXACT = List.of("auth", "pass", "pwd");

  /** A JSON member name (group 1), then a scalar value: string, number or boolean (group 2). */
  private static final Pattern JSON_MEMBER = Pattern.compile(
      "\"((?:[^\"\\\\]|\\\\.)*)\"(\\s*:\\s*)(\"(?:[^\"\\\\]|\\\\.)*\"|-?[0-9][0-9.eE+-]*|true|false)");
  /** A form or query parameter: a name (group 1), then its value up to {@code &}, space or quote. */
  private static final Pattern FORM_PARAMETER = Pattern.compile("(?<![\\w.-])([\\w.-]+)=([^&\\s\"]+)");

  private Secrets() {}

  /** Whether a query parameter, header, metadata or JSON field of this name holds a secret; false for null. */
  public static boolean isSecretKey(String name) {
    if (name == null) {
      return false;
    }
    StringBuilder folded = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (Character.isLetterOrDigit(c)) {
        folded.append(c);
      }
    }
    String key = folded.toString().toLowerCase(Locale.ROOT);
    if (EXACT.contains(key)) {
      return true;
    }
    for (String part : CONTAINED) {
      if (key.contains(part)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The parameters without the secret-named ones: {@code parameters} itself when there is none,
   * else an unmodifiable copy in the same order.
   */
  public static Map<String, String> withoutSecretParameters(Map<String, String> parameters) {
    boolean any = false;
    for (String name : parameters.keySet()) {
      any |= isSecretKey(name);
    }
    if (!any) {
      return parameters;
    }
    Map<String, String> copy = new LinkedHashMap<>();
    parameters.forEach((name, value) -> {
      if (!isSecretKey(name)) {
        copy.put(name, value);
      }
    });
    return Collections.unmodifiableMap(copy);
  }

  /**
   * JSON-like fields (maps, lists and scalars) without the secret-named members, at any depth:
   * {@code fields} itself when there is none, else an unmodifiable copy in the same order.
   */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> withoutSecrets(Map<String, Object> fields) {
    return holdsSecret(fields) ? (Map<String, Object>) transform(fields, false) : fields;
  }

  /**
   * A copy of a JSON-like value (maps, lists and scalars) with the value of every secret-named
   * member replaced by {@link #MASK}, at any depth, so a reader sees that it was there; other values
   * are returned as they are.
   */
  public static Object masked(Object value) {
    return transform(value, true);
  }

  /**
   * Text that may quote JSON or a query string (an error body, a raw event) with the value of every
   * secret-named JSON member (a string, number or boolean) and {@code name=value} parameter replaced
   * by {@link #MASK}. The rest of the text is left as it is.
   */
  public static String maskText(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    Matcher json = JSON_MEMBER.matcher(text);
    StringBuilder out = new StringBuilder(text.length());
    while (json.find()) {
      String replacement = isSecretKey(json.group(1))
          ? "\"" + json.group(1) + "\"" + json.group(2) + "\"" + MASK + "\""
          : json.group();
      json.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    json.appendTail(out);
    Matcher form = FORM_PARAMETER.matcher(out.toString());
    StringBuilder result = new StringBuilder(out.length());
    while (form.find()) {
      String replacement = isSecretKey(form.group(1)) ? form.group(1) + "=" + MASK : form.group();
      form.appendReplacement(result, Matcher.quoteReplacement(replacement));
    }
    form.appendTail(result);
    return result.toString();
  }

  private static boolean holdsSecret(Object value) {
    if (value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        if (isSecretKey(String.valueOf(entry.getKey())) || holdsSecret(entry.getValue())) {
          return true;
        }
      }
    } else if (value instanceof List<?> list) {
      for (Object element : list) {
        if (holdsSecret(element)) {
          return true;
        }
      }
    }
    return false;
  }

  private static Object transform(Object value, boolean mask) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        String key = String.valueOf(entry.getKey());
        if (!isSecretKey(key)) {
          copy.put(key, transform(entry.getValue(), mask));
        } else if (mask) {
          copy.put(key, MASK);
        }
      }
      return mask ? copy : Collections.unmodifiableMap(copy);
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      for (Object element : list) {
        copy.add(transform(element, mask));
      }
      return mask ? copy : Collections.unmodifiableList(copy);
    }
    return value;
  }
}
