package dev.callstream.core.internal;

import dev.callstream.core.CallInfo;
import java.util.Map;

/** Parses upgrade query strings into {@link CallInfo}, matching the undocumented keys loosely. */
public final class QueryParser {
  private QueryParser() {}

  public static CallInfo parse(String rawQuery) {
    throw new UnsupportedOperationException("TODO");
  }

  public static CallInfo fromParameters(Map<String, String> parameters) {
    throw new UnsupportedOperationException("TODO");
  }
}
