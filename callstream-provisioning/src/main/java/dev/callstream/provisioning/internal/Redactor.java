package dev.callstream.provisioning.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Masks secrets and tokens in text that reaches exception messages or output: fields with a
 * sensitive name (in JSON or form syntax) and any literal occurrence of a value known to be secret.
 */
public final class Redactor {
  public static final String MASK = "***";

  private static final Set<String> SENSITIVE_NAMES =
      Set.of(
          "secret",
          "accesstoken",
          "refreshtoken",
          "rcaccesstoken",
          "access_token",
          "refresh_token",
          "token",
          "password");

  private static final String NAMES =
      "(?i:secret|accessToken|refreshToken|rcAccessToken|access_token|refresh_token|token|password)";
  private static final Pattern JSON_FIELD =
      Pattern.compile("(\"" + NAMES + "\"\\s*:\\s*)\"(?:[^\"\\\\]|\\\\.)*\"");
  private static final Pattern FORM_FIELD = Pattern.compile("\\b(" + NAMES + ")=[^&\\s\"]+");

  private Redactor() {}

  /** Whether a JSON field or form parameter of this name holds a secret. */
  public static boolean isSensitiveName(String name) {
    return SENSITIVE_NAMES.contains(name.toLowerCase(Locale.ROOT));
  }

  /** Masks sensitive fields and every occurrence of the non-empty {@code secretValues}. */
  public static String mask(String text, Collection<String> secretValues) {
    String masked = JSON_FIELD.matcher(text).replaceAll("$1\"" + MASK + "\"");
    masked = FORM_FIELD.matcher(masked).replaceAll("$1=" + MASK);
    // Longest first, so a secret that contains another is masked whole.
    List<String> values = new ArrayList<>();
    for (String value : secretValues) {
      if (value != null && !value.isEmpty()) {
        values.add(value);
      }
    }
    values.sort((a, b) -> b.length() - a.length());
    for (String value : values) {
      masked = masked.replace(value, MASK);
    }
    return masked;
  }

  /** Replaces, in place and at any depth, the non-null value of every sensitive field. */
  public static void maskFields(JsonNode node) {
    if (node instanceof ObjectNode object) {
      for (Map.Entry<String, JsonNode> field : object.properties()) {
        if (isSensitiveName(field.getKey()) && !field.getValue().isNull()) {
          field.setValue(TextNode.valueOf(MASK));
        } else {
          maskFields(field.getValue());
        }
      }
    } else if (node != null && node.isArray()) {
      node.forEach(Redactor::maskFields);
    }
  }
}
