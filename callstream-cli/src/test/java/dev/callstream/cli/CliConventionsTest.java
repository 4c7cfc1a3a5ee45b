package dev.callstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Version, help, typos and missing commands behave the same on every command. */
class CliConventionsTest {
  private static final List<String> COMMANDS =
      List.of("", "record", "send", "profile", "profile create", "profile update", "profile get",
          "profile delete", "stream", "stream start", "stream stop", "replay");

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  private static String[] words(String command, String... more) {
    List<String> args = new java.util.ArrayList<>(
        command.isEmpty() ? List.of() : List.of(command.split(" ")));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  @ParameterizedTest
  @ValueSource(strings = {"-V", "--version"})
  void everyCommandPrintsTheVersion(String flag) {
    for (String command : COMMANDS) {
      StringWriter printed = new StringWriter();
      int exit = Main.run(words(command, flag), new PrintWriter(printed, true),
          new PrintWriter(err, true));

      assertThat(exit).as(command).isZero();
      assertThat(printed.toString().strip()).as(command).matches("callstream \\S+");
    }
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void helpAndHelpOfACommandPrintUsage() {
    assertThat(run("help")).isZero();
    assertThat(out.toString()).contains("Usage: callstream ").contains("record").contains("stream");
    out.getBuffer().setLength(0);

    assertThat(run("help", "record")).isZero();
    assertThat(out.toString()).startsWith("Usage: callstream record").contains("--recordings");
    assertThat(err.toString()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({
    "recrod,               unknown command 'recrod' (did you mean 'record'?)",
    "snd,                  unknown command 'snd' (did you mean 'send'?)",
    "profile gett,         unknown command 'gett' (did you mean 'get'?)",
    "stream strat,         unknown command 'strat' (did you mean 'start'?)",
    "help recrod,          unknown command 'recrod' (did you mean 'record'?)",
    "xyzzy,                unknown command 'xyzzy'; commands: record, send, profile, stream, help"
  })
  void aMistypedCommandIsNamedWithTheClosestCommand(String args, String message) {
    assertThat(run(args.split(" "))).isEqualTo(2);

    assertThat(err.toString().lines()).hasSize(1).first().asString()
        .startsWith("error: ").contains(message);
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void aMistypedOptionSuggestsTheClosestOne() {
    assertThat(run("record", "--recordigns", "x")).isEqualTo(2);

    assertThat(err.toString().strip())
        .isEqualTo("error: unknown option '--recordigns' (did you mean '--recordings'?) (see --help)");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "''      | missing command: record, send, profile, stream or replay",
    "profile | missing command: create, update, get or delete",
    "stream  | missing command: start or stop"
  })
  void aGroupWithoutItsCommandIsAUsageErrorEverywhere(String command, String message) {
    assertThat(run(words(command))).isEqualTo(2);

    assertThat(err.toString().strip()).isEqualTo("error: " + message + " (see --help)");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void helpTextIsWrappedBetweenWordsNotInsideFileNamesOrUrls() {
    // picocli may break a line after '.' or ':', which splits "stereo.wav" and "wss://".
    Pattern splitInsideAWord = Pattern.compile("(\\.\\n\\s*(wav|json)\\b)|(:\\n\\s*//)");
    for (String command : COMMANDS) {
      StringWriter printed = new StringWriter();
      Main.run(words(command, "--help"), new PrintWriter(printed, true), new PrintWriter(err, true));

      assertThat(printed.toString()).as(command).isNotEmpty();
      assertThat(splitInsideAWord.matcher(printed.toString()).find())
          .as("%s --help:%n%s", command, printed).isFalse();
    }
  }

  @Test
  void theCommandListGivesEachCommandOneLine() {
    assertThat(run("--help")).isZero();

    List<String> commands = out.toString().lines()
        .dropWhile(line -> !line.equals("Commands:")).skip(1).toList();
    assertThat(commands).hasSize(6)
        .allMatch(line -> line.matches("  (record|send|profile|stream|replay|help) +\\S.*"));
  }
}
