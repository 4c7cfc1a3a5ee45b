package dev.callstream.examples.readme;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every {@code ```java} block of the README is compiled code: the line before its fence names it
 * ({@code <!-- snippet: NAME -->}), and each region {@code // readme:begin NAME} ...
 * {@code // readme:end NAME} in the examples' sources (main or test, {@code examples/spring-boot} included) must equal the block, character
 * for character after removing the region's common indentation. So a README block cannot drift from
 * code that compiles, and the blocks that can run quickly do run ({@link ReadmeRunTest},
 * {@link TestkitSnippetTest}).
 *
 * <p>Adding a Java block to the README: put the code in a compiled source under {@code examples/src}
 * between {@code // readme:begin NAME} and {@code // readme:end NAME}, and write
 * {@code <!-- snippet: NAME -->} on the line before the block's fence.
 */
class ReadmeSnippetsTest {
  /** Surefire runs in the module's folder, {@code examples/}. */
  static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static final Pattern MARKER = Pattern.compile("^<!-- snippet: ([a-z0-9-]+) -->$");
  private static final Pattern REGION = Pattern.compile("^\\s*// readme:(begin|end) ([a-z0-9-]+)\\s*$");

  @Test
  void everyJavaBlockOfTheReadmeIsARegionOfACompiledSource() throws IOException {
    Map<String, String> blocks = javaBlocks(Files.readAllLines(ROOT.resolve("README.md")));
    Map<String, List<Region>> regions = regions(ROOT.resolve("examples/src"));
    // the Spring Boot block compiles only beside Boot, in the Boot example's own sources
    regions(ROOT.resolve("examples/spring-boot/src")).forEach(
        (name, found) -> regions.computeIfAbsent(name, n -> new ArrayList<>()).addAll(found));

    List<String> problems = new ArrayList<>();
    blocks.forEach((name, block) -> {
      List<Region> copies = regions.getOrDefault(name, List.of());
      if (copies.isEmpty()) {
        problems.add("README snippet '" + name + "' has no region '// readme:begin " + name + "' under examples/src");
      }
      for (Region copy : copies) {
        if (!copy.text().equals(block)) {
          problems.add("README snippet '" + name + "' differs from " + copy.file() + ":\n--- README\n" + block
              + "\n--- " + copy.file() + "\n" + copy.text());
        }
      }
    });
    for (String name : regions.keySet()) {
      if (!blocks.containsKey(name)) {
        problems.add("region '" + name + "' in " + regions.get(name).get(0).file() + " is in no README block");
      }
    }
    assertThat(problems).as(String.join("\n\n", problems)).isEmpty();
    assertThat(blocks).as("the README's Java blocks").containsKeys("ten-lines", "grpc-ten-lines", "testkit");
  }

  /** The README's Java blocks by the name on the line before each fence (a block without one fails). */
  static Map<String, String> javaBlocks(List<String> readme) {
    Map<String, String> blocks = new LinkedHashMap<>();
    for (int i = 0; i < readme.size(); i++) {
      if (!readme.get(i).equals("```java")) {
        continue;
      }
      Matcher marker = i > 0 ? MARKER.matcher(readme.get(i - 1)) : null;
      if (marker == null || !marker.matches()) {
        throw new AssertionError("README.md line " + (i + 1) + ": a ```java block without <!-- snippet: NAME --> on"
            + " the line before it; keep the code in a compiled source (see ReadmeSnippetsTest)");
      }
      int end = i + 1;
      while (end < readme.size() && !readme.get(end).equals("```")) {
        end++;
      }
      if (blocks.put(marker.group(1), String.join("\n", readme.subList(i + 1, end))) != null) {
        throw new AssertionError("README.md: two snippets named " + marker.group(1));
      }
      i = end;
    }
    return blocks;
  }

  record Region(Path file, String text) {}

  static Map<String, List<Region>> regions(Path sources) throws IOException {
    Map<String, List<Region>> regions = new TreeMap<>();
    try (Stream<Path> files = Files.walk(sources)) {
      for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator) {
        List<String> lines = readLines(file);
        String open = null;
        int from = 0;
        for (int i = 0; i < lines.size(); i++) {
          Matcher region = REGION.matcher(lines.get(i));
          if (!region.matches()) {
            continue;
          }
          if (region.group(1).equals("begin")) {
            open = region.group(2);
            from = i + 1;
          } else {
            assertThat(region.group(2)).as("%s line %d: end of a region not begun", file, i + 1).isEqualTo(open);
            regions.computeIfAbsent(open, k -> new ArrayList<>())
                .add(new Region(ROOT.relativize(file), dedent(lines.subList(from, i))));
            open = null;
          }
        }
        assertThat(open).as("%s: region %s not ended", file, open).isNull();
      }
    }
    return regions;
  }

  private static List<String> readLines(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String dedent(List<String> lines) {
    int indent = lines.stream().filter(line -> !line.isBlank())
        .mapToInt(line -> line.length() - line.stripLeading().length()).min().orElse(0);
    List<String> out = new ArrayList<>();
    for (String line : lines) {
      out.add(line.isBlank() ? "" : line.substring(indent).stripTrailing());
    }
    return String.join("\n", out);
  }
}
