package dev.callstream.examples.readme;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every shell command of the README is accounted for: run exactly as written by
 * {@code scripts/readme-commands.sh} (in a fresh clone without our artifacts in the local Maven
 * repository; a release check of 10-30 minutes, kept out of {@code .ci/run}'s 15-minute budget), run by CI itself, or listed
 * below with the reason it is not run. A command added to or changed in the README fails this test
 * until it is placed in one of those.
 *
 * <p>A command is a line of a {@code ```sh} block, or an inline code span that starts with one of
 * {@link #COMMAND_STARTS}.
 */
class ReadmeCommandsTest {
  static final List<String> COMMAND_STARTS = List.of("mvn ", "./callstream", "java -jar", "apt-get ", "callstream ",
      "callstream-bench/", "scripts/", ".ci/", "openssl ", "sox ", "curl ", "docker ", "kubectl ", "helm ");
  private static final String SCRIPT = "scripts/readme-commands.sh";
  private static final Pattern CODE_SPAN = Pattern.compile("`([^`]+)`");

  /** Run by CI itself. */
  private static final Map<String, String> RUN_BY_CI = Map.of(
      "mvn -B verify", ".ci/run runs exactly this",
      ".ci/run", "the CI entry point itself",
      SCRIPT, "the release check that runs every other command (kept out of .ci/run for time)");

  /** Not run, and why. */
  private static final Map<String, String> NOT_RUN = new LinkedHashMap<>();

  static {
    NOT_RUN.put("apt-get install -y sox haproxy python3-grpcio python3-protobuf protobuf-compiler python3-websockets python3-confluent-kafka", "installs system packages as root; .ci/run installs them itself");
    NOT_RUN.put("mvn -q -pl examples -am package -DskipTests exec:java -Dexec.mainClass=dev.callstream.examples.KafkaTalkTime"
        + " -Dexec.args=\"broker:9092 callstream analytics\"", "needs a Kafka broker named broker; KafkaTalkTimeTest runs"
        + " the same worker against an embedded one, and the other exec:java commands prove the command line");
    NOT_RUN.put("openssl pkcs8 -topk8 -nocrypt -in KEY -out key.pk8", "converts the reader's own key (KEY is theirs)");
    NOT_RUN.put("openssl pkcs8 -topk8 -nocrypt", "the same conversion, named in the --tls pem flag list");
    NOT_RUN.put("callstream send --insecure", "a flag named in prose; the send commands above use it");
    NOT_RUN.put("callstream record --grpc-port 10443", "an illustration of the flag; the CLI's RecordGrpc tests run it on port 0");
    NOT_RUN.put("callstream send --url grpcs://HOST:PORT --insecure", "HOST:PORT is the reader's; run above on 127.0.0.1:10443");
    NOT_RUN.put("callstream record", "the command's name in prose; ./callstream record is run");
    NOT_RUN.put("java -jar callstream.jar record|send|profile|stream|replay", "a synopsis of the subcommands");
    NOT_RUN.put("callstream help [COMMAND]", "a synopsis; the CLI tests run help and help record");
    NOT_RUN.put("callstream profile", "named as a usage error (exit 2); the CLI tests run it");
    NOT_RUN.put("callstream-bench/run-benchmarks.sh --quick", "a benchmark run of many minutes; BENCHMARKS.md has its"
        + " figures and when they were taken");
    NOT_RUN.put("scripts/soak.sh", "a soak run of hours (RELIABILITY.md)");
    NOT_RUN.put("java -jar examples/spring-boot/target/callstream-spring-example.jar --server.port=8080"
        + " --callstream.recordings=recordings", "port 8080 may be taken; SpringExampleJarIT runs this jar with these"
        + " flags on a free port, sends it calls and reads /actuator/health and /actuator/prometheus");
    NOT_RUN.put("java -jar callstream-cli/target/callstream.jar send --url ws://127.0.0.1:8080/",
        "sends to the Boot example above; SpringExampleJarIT sends the same kind of calls to the jar");
    NOT_RUN.put("curl http://127.0.0.1:8080/actuator/health   # {\"status\":\"UP\",\"components\":{\"callstream\":{...",
        "reads the Boot example above; SpringExampleJarIT reads the same endpoint");

  }

  @Test
  void everyReadmeCommandIsRunOrSaysWhyNot() throws IOException {
    Set<String> commands = commands(Files.readAllLines(ReadmeSnippetsTest.ROOT.resolve("README.md")));
    String script = Files.readString(ReadmeSnippetsTest.ROOT.resolve(SCRIPT));

    List<String> unaccounted = new ArrayList<>();
    for (String command : commands) {
      boolean scripted = script.contains("'" + command + "'");
      if (!scripted && !RUN_BY_CI.containsKey(command) && !NOT_RUN.containsKey(command)) {
        unaccounted.add(command);
      }
      assertThat(scripted && NOT_RUN.containsKey(command)).as("%s is run by %s and listed as not run", command, SCRIPT)
          .isFalse();
    }
    assertThat(unaccounted)
        .as("README commands that are neither run by %s ('COMMAND' quoted there exactly), nor by CI, nor listed in"
            + " ReadmeCommandsTest.NOT_RUN with a reason", SCRIPT)
        .isEmpty();
    List<String> stale = new ArrayList<>();
    for (String command : NOT_RUN.keySet()) {
      if (!commands.contains(command)) {
        stale.add(command);
      }
    }
    assertThat(stale).as("listed as not run but no longer in the README").isEmpty();
    assertThat(commands).as("the README's run command, run by the script")
        .contains("./callstream record", "mvn -B verify");
    assertThat(script).contains("'./callstream record'");
  }

  @Test
  void theScriptRunsEveryExampleCommandItQuotesFromTheReadme() throws IOException {
    Set<String> commands = commands(Files.readAllLines(ReadmeSnippetsTest.ROOT.resolve("README.md")));
    String script = Files.readString(ReadmeSnippetsTest.ROOT.resolve(SCRIPT));
    Matcher quoted = Pattern.compile("^(?:serve|run) [a-z-]+ (?:\\d+ )?'(.*)'$", Pattern.MULTILINE).matcher(script);
    List<String> notInReadme = new ArrayList<>();
    int count = 0;
    while (quoted.find()) {
      count++;
      if (!commands.contains(quoted.group(1))) {
        notInReadme.add(quoted.group(1));
      }
    }
    assertThat(count).as("commands the script runs").isGreaterThanOrEqualTo(10);
    assertThat(notInReadme).as("commands %s runs that the README no longer shows", SCRIPT).isEmpty();
  }

  /** The README's shell commands, in order of appearance. */
  static Set<String> commands(List<String> readme) {
    Set<String> commands = new LinkedHashSet<>();
    String fence = null;
    for (String line : readme) {
      if (line.startsWith("```")) {
        fence = fence == null ? line.substring(3) : null;
        continue;
      }
      if (fence != null) {
        String text = line.strip();
        if (Set.of("sh", "bash", "shell", "console").contains(fence) && !text.isEmpty() && !text.startsWith("#")) {
          commands.add(text);
        }
        continue;
      }
      Matcher span = CODE_SPAN.matcher(line);
      while (span.find()) {
        String text = span.group(1);
        if (COMMAND_STARTS.stream().anyMatch(text::startsWith)) {
          commands.add(text);
        }
      }
    }
    return commands;
  }
}
