package dev.callstream.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The SoX reference decode tables (resources /g711/*.csv), independent of the code under test.
 * Every module's tests use it from callstream-test-support.
 */
public final class G711Reference {
  private G711Reference() {}

  /** Loaded once, never written: the decode tables are constants. */
  private static final class Tables {
    static final short[] MULAW = load("/g711/g711-mulaw-decode.csv");
  }

  /** The 256 mu-law codes' 16-bit values (a copy). */
  public static short[] mulaw() {
    return Tables.MULAW.clone();
  }

  /** The 256 A-law codes' 16-bit values. */
  public static short[] alaw() {
    return load("/g711/g711-alaw-decode.csv");
  }

  /** The reference decode of mu-law bytes. */
  public static short[] decodeMulaw(byte[] codes) {
    short[] table = Tables.MULAW;
    short[] pcm = new short[codes.length];
    for (int i = 0; i < codes.length; i++) {
      pcm[i] = table[codes[i] & 0xff];
    }
    return pcm;
  }

  private static short[] load(String resource) {
    short[] table = new short[256];
    boolean[] seen = new boolean[256];
    try (InputStream stream = G711Reference.class.getResourceAsStream(resource)) {
      if (stream == null) {
        throw new IllegalStateException(resource + " is missing");
      }
      BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.US_ASCII));
      String header = in.readLine();
      if (!"code,pcm16".equals(header)) {
        throw new IllegalStateException(resource + " header is " + header);
      }
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.isBlank()) {
          continue;
        }
        String[] cells = line.split(",");
        int code = Integer.parseInt(cells[0].trim());
        table[code] = Short.parseShort(cells[1].trim());
        seen[code] = true;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (int code = 0; code < 256; code++) {
      if (!seen[code]) {
        throw new IllegalStateException(resource + " has no row for code " + code);
      }
    }
    return table;
  }
}
