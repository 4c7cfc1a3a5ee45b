package dev.callstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The flags of {@code callstream record}: usage errors are one stderr line and exit 2. */
class RecordCommandTest {
  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void helpListsEveryFlag() {
    assertThat(run("record", "--help")).isZero();
    assertThat(out.toString()).contains("--host", "--port", "--recordings", "--tls", "--keystore",
        "--keystore-password", "--cert", "--key", "--secret", "--max-calls", "self-signed");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--port 70000                                 | --port must be between 0 and 65535: 70000",
      "--port -1                                    | --port must be between 0 and 65535: -1",
      "--port abc                                   | --port",
      "--max-calls 0                                | --max-calls must be at least 1: 0",
      "--tls bogus                                  | --tls must be self-signed, none, keystore or pem",
      "--tls keystore                               | --tls keystore needs --keystore FILE and --keystore-password P",
      "--tls keystore --keystore-password hunter2pw | --tls keystore needs --keystore FILE and --keystore-password P",
      "--tls pem --cert cert.pem                    | --tls pem needs --cert FILE and --key FILE",
      "--cert cert.pem --key key.pem                | --cert and --key need --tls pem",
      "--keystore-password hunter2pw                | --keystore and --keystore-password need --tls keystore",
      "--tls pem --cert missing.pem --key key.pem   | --cert is not a readable file",
      "--secret=                                    | --secret must not be empty",
      "--host=                                      | --host must not be empty",
      "--no-such-flag                               | unknown option '--no-such-flag'",
  })
  void aBadFlagIsOneLineOnStderrAndExitTwo(String flags, String message) throws Exception {
    Files.writeString(dir.resolve("cert.pem"), "not really");
    Files.writeString(dir.resolve("key.pem"), "not really");
    String[] args = ("record --recordings " + dir.resolve("rec") + " " + flags.replace("cert.pem", dir.resolve("cert.pem").toString())
        .replace("key.pem", dir.resolve("key.pem").toString())).trim().split(" +");

    assertThat(run(args)).isEqualTo(2);

    assertThat(err.toString().strip().lines()).hasSize(1);
    assertThat(err.toString()).startsWith("error: ").contains(message).doesNotContain("hunter2pw");
    assertThat(out.toString()).isEmpty();
    assertThat(dir.resolve("rec")).doesNotExist();
  }

  @Test
  void recordingsThatIsAFileIsAUsageError() throws Exception {
    Path file = Files.writeString(dir.resolve("file"), "x");

    assertThat(run("record", "--recordings", file.toString())).isEqualTo(2);

    assertThat(err.toString()).startsWith("error: --recordings is not a directory");
  }

  @Test
  void aPortInUseFailsWithExitOneAndNoListeningLine() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int code = run("record", "--port", Integer.toString(taken.getLocalPort()), "--tls", "none",
          "--recordings", dir.toString());

      assertThat(code).isEqualTo(1);
      assertThat(err.toString()).contains("error: cannot listen on 127.0.0.1:" + taken.getLocalPort());
      assertThat(out.toString()).doesNotContain("listening on");
    }
  }

  @Test
  void anUnreadableKeystoreFailsWithExitOneWithoutPrintingThePassword() throws Exception {
    Path keystore = Files.write(dir.resolve("server.p12"), new byte[] {1, 2, 3});

    int code = run("record", "--port", "0", "--tls", "keystore", "--keystore", keystore.toString(),
        "--keystore-password", "hunter2pw", "--recordings", dir.toString());

    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).contains("error: ", "server.p12").doesNotContain("hunter2pw");
    assertThat(out.toString()).doesNotContain("listening on");
  }
}
