package dev.callstream.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Comparisons of recording folders. */
final class RecordingFiles {
  static final ObjectMapper JSON = new ObjectMapper();

  private RecordingFiles() {}

  static List<String> folders(Path dir) throws IOException {
    try (Stream<Path> list = Files.list(dir)) {
      return list.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** Every call folder of {@code live} exists in {@code replay} with byte-identical WAV files. */
  static void assertSameWavs(Path live, Path replay) throws IOException {
    assertThat(folders(replay)).isEqualTo(folders(live));
    for (String folder : folders(live)) {
      for (String wav : List.of("agent.wav", "conference.wav", "stereo.wav")) {
        byte[] expected = Files.readAllBytes(live.resolve(folder).resolve(wav));
        byte[] actual = Files.readAllBytes(replay.resolve(folder).resolve(wav));
        assertThat(actual).as(folder + "/" + wav + " (" + expected.length + " bytes live)").isEqualTo(expected);
      }
    }
  }

  static JsonNode callJson(Path folder) throws IOException {
    return JSON.readTree(folder.resolve("call.json").toFile());
  }
}
