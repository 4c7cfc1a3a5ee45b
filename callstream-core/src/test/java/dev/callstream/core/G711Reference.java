package dev.callstream.core;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The SoX reference decode tables from src/test/resources/g711, independent of the code under test. */
final class G711Reference {
  private G711Reference() {}

  static short[] mulaw() {
    return load("/g711/g711-mulaw-decode.csv");
  }

  /** The reference decode of mu-law bytes. */
  static short[] decodeMulaw(byte[] codes) {
    short[] table = mulaw();
    short[] pcm = new short[codes.length];
    for (int i = 0; i < codes.length; i++) {
      pcm[i] = table[codes[i] & 0xff];
    }
    return pcm;
  }

  private static short[] load(String resource) {
    short[] table = new short[256];
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
        G711Reference.class.getResourceAsStream(resource), StandardCharsets.US_ASCII))) {
      String line = in.readLine(); // header
      int rows = 0;
      while ((line = in.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        String[] cells = line.split(",");
        table[Integer.parseInt(cells[0].trim())] = Short.parseShort(cells[1].trim());
        rows++;
      }
      if (rows != 256) {
        throw new IllegalStateException(resource + " has " + rows + " rows");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return table;
  }
}
