package dev.callstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class MainTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void helpListsEverySubcommand() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("record", "send", "profile");
  }

  @Test
  void unknownFlagIsOneLineOnStderrWithExitTwo() {
    assertThat(run("--no-such-flag")).isEqualTo(2);
    assertThat(err.toString().strip().lines()).hasSize(1);
    assertThat(err.toString()).startsWith("error: unknown option '--no-such-flag'");
  }

  @Test
  void unknownFlagDoesNotEchoTheValueAfterIt() {
    assertThat(run("--secrt", "hunter2-very-secret")).isEqualTo(2);
    assertThat(err.toString()).contains("'--secrt'").doesNotContain("hunter2");
  }

  @Test
  void unknownFlagWithInlineValueNamesOnlyTheFlag() {
    assertThat(run("--secrt=hunter2-very-secret")).isEqualTo(2);
    assertThat(err.toString()).contains("'--secrt'").doesNotContain("hunter2");
  }
}
