package dev.callstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code java dev.callstream.cli.Main record ...} as a child process with this test's class path,
 * its stdout lines queued and its stderr collected as they come.
 */
final class RecordTestProcess {
  static final Pattern LISTENING = Pattern.compile("listening on (wss?)://127\\.0\\.0\\.1:(\\d+)/");

  final Process process;
  final BlockingQueue<String> stdout = new LinkedBlockingQueue<>();
  final StringBuffer stderr = new StringBuffer();
  private final Thread stdoutReader;

  private RecordTestProcess(Process process) {
    this.process = process;
    this.stdoutReader = pump(process.getInputStream(), stdout::add);
    pump(process.getErrorStream(), line -> stderr.append(line).append('\n'));
  }

  static RecordTestProcess start(String... recordArgs) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", classPath(), "dev.callstream.cli.Main", "record"));
    command.addAll(List.of(recordArgs));
    return new RecordTestProcess(new ProcessBuilder(command).start());
  }

  /** Surefire may run tests from a manifest-only jar; the real class path is then in its own property. */
  private static String classPath() {
    String testClassPath = System.getProperty("surefire.test.class.path");
    return testClassPath != null && !testClassPath.isBlank() ? testClassPath : System.getProperty("java.class.path");
  }

  private static Thread pump(InputStream stream, Consumer<String> sink) {
    Thread thread = new Thread(() -> {
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
          sink.accept(line);
        }
      } catch (IOException e) {
        // the process ended
      }
    }, "record-process-output");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  String nextLine() throws InterruptedException {
    String line = stdout.poll(30, TimeUnit.SECONDS);
    if (line == null) {
      fail("no stdout line within 30 s; alive=%s, stderr:%n%s", process.isAlive(), stderr);
    }
    return line;
  }

  /** Reads the first stdout line, which must be the listening line, and returns its port. */
  int awaitListening() throws InterruptedException {
    String line = nextLine();
    Matcher listening = LISTENING.matcher(line);
    assertThat(listening.matches()).as("first stdout line %s; stderr:%n%s", line, stderr).isTrue();
    return Integer.parseInt(listening.group(2));
  }

  Matcher awaitStderr(Pattern pattern) {
    await().atMost(Duration.ofSeconds(10)).until(() -> pattern.matcher(stderr).find());
    Matcher matcher = pattern.matcher(stderr);
    assertThat(matcher.find()).isTrue();
    return matcher;
  }

  /**
   * Sends SIGTERM and returns the exit code. Through the process handle: {@link Process#destroy()}
   * would also close our ends of the pipes, losing what the process prints while it shuts down.
   */
  int terminate() throws InterruptedException {
    assertThat(process.toHandle().destroy()).as("SIGTERM sent").isTrue();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      fail("still running 30 s after SIGTERM; stderr:%n%s", stderr);
    }
    return process.exitValue();
  }

  /** SIGKILL: the process gets no chance to finish anything. */
  void kill() throws InterruptedException {
    assertThat(process.toHandle().destroyForcibly()).as("SIGKILL sent").isTrue();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("killed").isTrue();
  }

  /** Every stdout line not yet taken, once the process has ended. */
  List<String> remainingLines() throws InterruptedException {
    stdoutReader.join(TimeUnit.SECONDS.toMillis(10));
    List<String> lines = new ArrayList<>();
    stdout.drainTo(lines);
    return lines;
  }

  /** For {@code @AfterEach}: never leave a recorder running. */
  void destroyIfAlive() {
    process.destroyForcibly();
  }
}
