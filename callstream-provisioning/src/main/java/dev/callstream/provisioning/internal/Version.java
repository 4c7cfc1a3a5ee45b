package dev.callstream.provisioning.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The library version, from a resource filtered by Maven, for the {@code User-Agent} header. */
public final class Version {
  private static final String VERSION = load();

  private Version() {}

  /** {@code callstream/<version>}. */
  public static String userAgent() {
    return "callstream/" + VERSION;
  }

  private static String load() {
    try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        return "dev";
      }
      Properties properties = new Properties();
      properties.load(in);
      String version = properties.getProperty("version", "dev");
      // Unfiltered (e.g. run from an IDE without Maven resource processing).
      return version.startsWith("${") ? "dev" : version;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
