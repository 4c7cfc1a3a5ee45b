package dev.callstream.cli;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format 0.0.4, written from its specification
 * (not the code under test): every line is a {@code # HELP}, a {@code # TYPE}, another comment, or a
 * sample {@code name{label="value",...} value [timestamp]}; names and label names must be valid,
 * label values properly escaped, values floats (or {@code NaN}, {@code +Inf}, {@code -Inf}); a
 * {@code TYPE} comes at most once per family and before its samples; every sample belongs to a typed
 * family (counters may add {@code _total}/{@code _created}, histograms and summaries their
 * {@code _bucket}/{@code _sum}/{@code _count}); no series appears twice; the text ends with a newline.
 * Anything else throws {@link IllegalArgumentException} naming the line.
 */
final class PrometheusText {
  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Pattern TYPE = Pattern.compile("# TYPE (\\S+) (counter|gauge|histogram|summary|untyped)");
  private static final Pattern HELP = Pattern.compile("# HELP (\\S+)(?: (.*))?");
  private static final Set<String> SUFFIXES = Set.of("_total", "_created", "_bucket", "_sum", "_count", "_info");

  /** Family name to type. */
  final Map<String, String> types = new LinkedHashMap<>();
  /** Series (name and sorted labels, as {@code name{a="x",b="y"}}) to value. */
  final Map<String, Double> samples = new LinkedHashMap<>();

  private PrometheusText() {}

  static PrometheusText parse(String text) {
    if (!text.isEmpty() && !text.endsWith("\n")) {
      throw new IllegalArgumentException("does not end with a newline");
    }
    PrometheusText parsed = new PrometheusText();
    Set<String> sampled = new HashSet<>();
    Map<String, Boolean> helped = new HashMap<>();
    int number = 0;
    for (String line : text.split("\n", -1)) {
      number++;
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("#")) {
        Matcher type = TYPE.matcher(line);
        Matcher help = HELP.matcher(line);
        if (type.matches()) {
          String family = type.group(1);
          requireName(family, number);
          if (parsed.types.containsKey(family)) {
            throw new IllegalArgumentException("line " + number + ": second TYPE for " + family);
          }
          if (sampled.contains(family)) {
            throw new IllegalArgumentException("line " + number + ": TYPE after samples of " + family);
          }
          parsed.types.put(family, type.group(2));
        } else if (line.startsWith("# TYPE")) {
          throw new IllegalArgumentException("line " + number + ": bad TYPE: " + line);
        } else if (help.matches()) {
          requireName(help.group(1), number);
          if (helped.put(help.group(1), true) != null) {
            throw new IllegalArgumentException("line " + number + ": second HELP for " + help.group(1));
          }
        } else if (line.startsWith("# HELP")) {
          throw new IllegalArgumentException("line " + number + ": bad HELP: " + line);
        }
        continue;
      }
      parsed.sample(line, number, sampled);
    }
    return parsed;
  }

  private void sample(String line, int number, Set<String> sampled) {
    int i = 0;
    while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
      i++;
    }
    String name = line.substring(0, i);
    requireName(name, number);
    Map<String, String> labels = new TreeMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i++;
      while (true) {
        if (i < line.length() && line.charAt(i) == '}') {
          i++;
          break;
        }
        int eq = line.indexOf('=', i);
        if (eq < 0) {
          throw new IllegalArgumentException("line " + number + ": label without '=': " + line);
        }
        String labelName = line.substring(i, eq);
        if (!LABEL_NAME.matcher(labelName).matches()) {
          throw new IllegalArgumentException("line " + number + ": bad label name '" + labelName + "'");
        }
        i = eq + 1;
        if (i >= line.length() || line.charAt(i) != '"') {
          throw new IllegalArgumentException("line " + number + ": unquoted label value: " + line);
        }
        i++;
        StringBuilder value = new StringBuilder();
        while (true) {
          if (i >= line.length()) {
            throw new IllegalArgumentException("line " + number + ": unterminated label value: " + line);
          }
          char c = line.charAt(i++);
          if (c == '"') {
            break;
          }
          if (c == '\\') {
            if (i >= line.length()) {
              throw new IllegalArgumentException("line " + number + ": dangling escape");
            }
            char e = line.charAt(i++);
            switch (e) {
              case '\\' -> value.append('\\');
              case '"' -> value.append('"');
              case 'n' -> value.append('\n');
              default -> throw new IllegalArgumentException("line " + number + ": bad escape \\" + e);
            }
          } else {
            value.append(c);
          }
        }
        if (labels.put(labelName, value.toString()) != null) {
          throw new IllegalArgumentException("line " + number + ": label " + labelName + " twice");
        }
        if (i < line.length() && line.charAt(i) == ',') {
          i++;
        } else if (i >= line.length() || line.charAt(i) != '}') {
          throw new IllegalArgumentException("line " + number + ": expected ',' or '}': " + line);
        }
      }
    }
    if (i >= line.length() || line.charAt(i) != ' ') {
      throw new IllegalArgumentException("line " + number + ": no value: " + line);
    }
    String[] rest = line.substring(i + 1).split(" ", -1);
    if (rest.length < 1 || rest.length > 2) {
      throw new IllegalArgumentException("line " + number + ": expected 'value [timestamp]': " + line);
    }
    double value = parseValue(rest[0], number);
    if (rest.length == 2) {
      try {
        Long.parseLong(rest[1]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("line " + number + ": bad timestamp " + rest[1]);
      }
    }
    String family = familyOf(name);
    if (family == null) {
      throw new IllegalArgumentException("line " + number + ": sample of an untyped family: " + name);
    }
    sampled.add(family);
    String series = series(name, labels);
    if (samples.put(series, value) != null) {
      throw new IllegalArgumentException("line " + number + ": series twice: " + series);
    }
  }

  private String familyOf(String name) {
    if (types.containsKey(name)) {
      return name;
    }
    for (String suffix : SUFFIXES) {
      if (name.endsWith(suffix)) {
        String base = name.substring(0, name.length() - suffix.length());
        String type = types.get(base);
        if (type != null && (type.equals("counter") || type.equals("histogram") || type.equals("summary"))) {
          return base;
        }
      }
    }
    return null;
  }

  private static double parseValue(String text, int number) {
    switch (text) {
      case "NaN":
        return Double.NaN;
      case "+Inf":
        return Double.POSITIVE_INFINITY;
      case "-Inf":
        return Double.NEGATIVE_INFINITY;
      default:
        if (!text.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?")) {
          throw new IllegalArgumentException("line " + number + ": bad value " + text);
        }
        return Double.parseDouble(text);
    }
  }

  private static void requireName(String name, int number) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("line " + number + ": bad metric name '" + name + "'");
    }
  }

  /** The key of one series: {@code name{a="x",b="y"}} with labels sorted, or just the name. */
  static String series(String name, Map<String, String> labels) {
    if (labels.isEmpty()) {
      return name;
    }
    StringBuilder key = new StringBuilder(name).append('{');
    List<String> parts = new java.util.ArrayList<>();
    new TreeMap<>(labels).forEach((k, v) -> parts.add(k + "=\"" + v + "\""));
    return key.append(String.join(",", parts)).append('}').toString();
  }

  /** The value of one series, labels given as name, value pairs; fails when absent. */
  double value(String name, String... labels) {
    Map<String, String> map = new TreeMap<>();
    for (int i = 0; i < labels.length; i += 2) {
      map.put(labels[i], labels[i + 1]);
    }
    Double value = samples.get(series(name, map));
    if (value == null) {
      throw new AssertionError("no series " + series(name, map) + " in the scrape");
    }
    return value;
  }
}
