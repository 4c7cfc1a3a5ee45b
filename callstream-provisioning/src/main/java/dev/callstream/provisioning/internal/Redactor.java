package dev.callstream.provisioning.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.callstream.core.Secrets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Masks secrets and tokens in text that reaches exception messages or output: fields with a
 * sensitive name (in JSON or form syntax; the names are {@link Secrets}' one rule) and any literal
 * occurrence of a value known to be secret.
 */
public final class Redactor {
  public static final String MASK = Secrets.MASK;

  private Redactor() {}

  /** Whether a JSON field or form parameter of this name holds a secret ({@link Secrets#isSecretKey}). */
  public static boolean isSensitiveName(String name) {
    return Secrets.isSecretKey(name);
  }

  /** Masks sensitive fields and every occurrence of the non-empty {@code secretValues}. */
  public static String mask(String text, Collection<String> secretValues) {
    String masked = Secrets.maskText(text);
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
