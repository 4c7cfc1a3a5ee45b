package dev.callstream.cli;

import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * {@code --quiet} and {@code --log-level}, on every command. The log level must be known before
 * the first logger is created (slf4j-simple reads its configuration once), so {@link
 * #configure(String[])} reads both flags from the raw arguments in {@code main}; the parsed
 * options here then only decide whether a command prints its informational stderr lines.
 */
final class LogOptions {
  static final String LEVEL_PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";

  /**
   * The server logs "listening on" and "shutting down" itself at INFO; the command prints both
   * already (stdout and stderr), so they are shown only at debug.
   */
  static final String SERVER_RUNTIME_LOGGER =
      "org.slf4j.simpleLogger.log.dev.callstream.server.internal.ServerRuntime";

  @Option(
      names = {"-q", "--quiet"},
      description = "Only warnings and errors on stderr (no progress or status lines).")
  boolean quiet;

  @Option(
      names = "--log-level",
      paramLabel = "LEVEL",
      converter = LevelConverter.class,
      description = "error, warn, info (default) or debug: what the libraries log on stderr.")
  String logLevel;

  /** Whether informational stderr lines (progress, status) should be printed. */
  boolean chatty() {
    return !quiet && !"error".equals(logLevel) && !"warn".equals(logLevel);
  }

  /**
   * Sets the slf4j-simple level from {@code --quiet} / {@code --log-level} in {@code args}, unless
   * the level was set as a system property already. Invalid values are left to the parser.
   */
  static void configure(String[] args) {
    String level = null;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--")) {
        break;
      }
      if (arg.equals("-q") || arg.equals("--quiet")) {
        level = level == null ? "warn" : level;
      } else if (arg.equals("--log-level") && i + 1 < args.length) {
        level = normalize(args[i + 1]);
      } else if (arg.startsWith("--log-level=")) {
        level = normalize(arg.substring("--log-level=".length()));
      }
    }
    if (level != null && System.getProperty(LEVEL_PROPERTY) == null) {
      System.setProperty(LEVEL_PROPERTY, level);
      if ((level.equals("debug") || level.equals("trace"))
          && System.getProperty(SERVER_RUNTIME_LOGGER) == null) {
        System.setProperty(SERVER_RUNTIME_LOGGER, level);
      }
    }
  }

  private static String normalize(String value) {
    String level = value.trim().toLowerCase(Locale.ROOT);
    return switch (level) {
      case "error", "warn", "info", "debug", "trace" -> level;
      default -> null;
    };
  }

  static final class LevelConverter implements picocli.CommandLine.ITypeConverter<String> {
    @Override
    public String convert(String value) {
      String level = normalize(value);
      if (level == null) {
        throw new picocli.CommandLine.TypeConversionException(
            "must be error, warn, info, debug or trace");
      }
      return level;
    }
  }
}
