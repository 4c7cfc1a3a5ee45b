package dev.callstream.cli;

import dev.callstream.kafka.KafkaWire;
import dev.callstream.kafka.RecordingReplay;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code callstream replay}: consumes a Kafka topic written by {@code record --kafka} and writes every
 * call in the recording layout, byte-identical to {@code record}'s WAV files (CONTRACTS.md section 7).
 * Exit 0 after {@code --until-idle} seconds without records or on SIGTERM/SIGINT; 2 on a usage error;
 * 1 when Kafka or the topic cannot be used.
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Write every call of a Kafka topic from 'record --kafka' to files.",
      "Consumes the topic (consumer group G) and writes every call to"
          + " <recordings>/<callId>-<sessionId>/ exactly as 'record' does.",
      "Prints 'call started ...' and 'call ended ...' lines as 'record' does. Killed at any moment and"
          + " started again with the same group, it still ends with every call complete and identical."
    })
final class ReplayCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--kafka", paramLabel = "BOOTSTRAP", required = true,
      description = "Kafka bootstrap servers (host:port[,host:port]).")
  String kafka;

  @Option(names = "--kafka-topic", paramLabel = "T", defaultValue = KafkaWire.DEFAULT_TOPIC,
      description = "Topic to consume (default: ${DEFAULT-VALUE}).")
  String topic;

  @Option(names = "--group", paramLabel = "G", defaultValue = "callstream-replay",
      description = "Consumer group (default: ${DEFAULT-VALUE}).")
  String group;

  @Option(names = "--recordings", paramLabel = "DIR", required = true,
      description = "Where calls are written, created if missing.")
  Path recordings;

  @Option(names = "--until-idle", paramLabel = "S",
      description = "Exit 0 after S seconds without records (default: run until SIGTERM).")
  Integer untilIdle;

  @Override
  public Integer call() throws Exception {
    if (kafka.isBlank() || topic.isBlank() || group.isBlank()) {
      throw usage("--kafka, --kafka-topic and --group must not be empty");
    }
    if (untilIdle != null && untilIdle < 1) {
      throw usage("--until-idle must be at least 1: " + untilIdle);
    }
    if (Files.exists(recordings) && !Files.isDirectory(recordings)) {
      throw usage("--recordings is not a directory: " + recordings);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path dir = recordings.toAbsolutePath().normalize();
    try (RecordSignals signals = new RecordSignals()) {
      signals.install("TERM");
      signals.install("INT");
      try (RecordingReplay replay = RecordingReplay.start(kafka.trim(), topic.trim(), group.trim(), dir,
          new RecordServer.Lines(out, err))) {
        if (replay.removedAtStart() > 0) {
          line(err, "removed " + replay.removedAtStart() + " unfinished call folder"
              + (replay.removedAtStart() == 1 ? "" : "s") + " of an earlier replay: replayed from their start");
        }
        line(err, "replaying kafka " + kafka.trim() + " topic " + topic.trim() + " group " + group.trim() + " to " + dir);
        if (untilIdle != null) {
          Thread idle = new Thread(() -> {
            if (replay.awaitIdle(Duration.ofSeconds(untilIdle))) {
              signals.request("idle");
            }
          }, "callstream-replay-idle");
          idle.setDaemon(true);
          idle.start();
        }
        String why = signals.await();
        line(err, "stopping (" + why + ")");
      }
    }
    return 0;
  }

  private static void line(PrintWriter writer, String text) {
    writer.println(text);
    writer.flush();
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
