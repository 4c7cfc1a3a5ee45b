package dev.callstream.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.EndReason;
import dev.callstream.core.internal.LogSafe;
import dev.callstream.core.recording.CallRecorder;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code callstream replay} runs: a {@link KafkaCallSource} driving a {@link CallRecorder}, so
 * that a topic's calls are written in the recording layout, byte-identical to a live recording,
 * and survive being killed at any moment.
 *
 * <p>Each call's {@code call.json} gets {@code "kafka": {"topic", "partition", "offset"}} (where its
 * {@code call-start} is). On start, a folder whose {@code call.json} names this topic and has no
 * {@code endReason} (a replay killed mid-call) is deleted, and calls whose folder is finished are
 * skipped; a call whose replay is abandoned (the source stops or loses its partition) has its folder
 * deleted at once. Together with the source's commits at call boundaries, every call ends up
 * recorded exactly once.
 */
public final class RecordingReplay implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RecordingReplay.class);
  /** The tracks a recorder creates in a call's folder (before its first {@code call.json}). */
  private static final Pattern TRACK = Pattern.compile("(agent|conference|stereo|segment-[^/]+)\\.wav");
  private static final long WAV_HEADER_BYTES = 58; // the mu-law header; PCM's is 44

  private final KafkaCallSource source;
  private final int skipped;
  private final int removed;

  private RecordingReplay(String bootstrap, String topic, String group, Path directory, CallRecorder.Events events,
      Map<String, Object> consumerProperties, CallStreamListener.Factory also) throws IOException {
    Path dir = directory.toAbsolutePath().normalize();
    Files.createDirectories(dir);
    Set<CallOrigin> finished = ConcurrentHashMap.newKeySet();
    int[] counts = scan(dir, topic, finished);
    this.removed = counts[0];
    this.skipped = finished.size();
    Map<CallSession, Path> folders = new ConcurrentHashMap<>();
    CallRecorder recorder = CallRecorder.builder(dir)
        .events(new CallRecorder.Events() {
          @Override
          public void started(CallSession session, Path folder) {
            folders.put(session, folder);
            events.started(session, folder);
          }

          @Override
          public void finished(CallSession session, Path folder, EndReason reason, boolean complete) {
            events.finished(session, folder, reason, complete);
          }

          @Override
          public void failed(CallSession session, Path folder, IOException error) {
            events.failed(session, folder, error);
          }
        })
        .callJsonExtras(session -> {
          CallOrigin origin = KafkaCallSource.origin(session);
          if (origin == null) {
            return null;
          }
          Map<String, Object> kafka = new LinkedHashMap<>();
          kafka.put("topic", origin.topic());
          kafka.put("partition", origin.partition());
          kafka.put("offset", origin.offset());
          return Map.of("kafka", kafka);
        })
        .build();
    CallStreamListener.Factory cleanup = info -> new CallStreamListener() {
      @Override
      public void onEnd(CallSession session, EndReason reason, Throwable cause) {
        Path folder = folders.remove(session);
        if (cause instanceof CallAbandonedException && folder != null) {
          // replayed again from its start by whoever owns the partition next
          deleteQuietly(folder);
        }
      }
    };
    KafkaCallSource.Builder builder = KafkaCallSource.builder(bootstrap,
            CallStreamListener.Factory.all(recorder, cleanup, also))
        .topic(topic)
        .group(group)
        .skip(o -> finished.contains(new CallOrigin(o.topic(), o.partition(), o.offset(), null)))
        // A replay killed (even SIGKILL) and started again waits for the group to give up the dead
        // member: 10 s instead of Kafka's 45 s default, as before Kafka 3.0 (KIP-735). Overridable.
        .consumerProperty("session.timeout.ms", 10_000)
        .consumerProperty("heartbeat.interval.ms", 3_000);
    consumerProperties.forEach(builder::consumerProperty);
    this.source = builder.start();
  }

  /**
   * Cleans up after an earlier replay into {@code directory} and starts consuming.
   *
   * @param events progress notifications (the CLI's call lines)
   * @throws IOException when the directory cannot be created or read
   * @throws KafkaCallException when the topic does not exist or Kafka cannot be reached
   */
  public static RecordingReplay start(String bootstrap, String topic, String group, Path directory,
      CallRecorder.Events events) throws IOException {
    return start(bootstrap, topic, group, directory, events, Map.of(), CallStreamListener.Factory.NONE);
  }

  /**
   * As {@link #start(String, String, String, Path, CallRecorder.Events)} with extra consumer settings
   * and listeners of yours that get every call after the recorder.
   */
  public static RecordingReplay start(String bootstrap, String topic, String group, Path directory,
      CallRecorder.Events events, Map<String, Object> consumerProperties, CallStreamListener.Factory also)
      throws IOException {
    return new RecordingReplay(Objects.requireNonNull(bootstrap), Objects.requireNonNull(topic),
        Objects.requireNonNull(group), Objects.requireNonNull(directory), Objects.requireNonNull(events),
        Objects.requireNonNull(consumerProperties), Objects.requireNonNull(also));
  }

  /** The source behind this replay. */
  public KafkaCallSource source() {
    return source;
  }

  /** Calls found finished in the directory at start (skipped if met again). */
  public int skippedAtStart() {
    return skipped;
  }

  /** Unfinished folders of an earlier replay deleted at start. */
  public int removedAtStart() {
    return removed;
  }

  /** Blocks until no record arrived for {@code idle}. */
  public boolean awaitIdle(Duration idle) {
    return source.awaitIdle(idle);
  }

  @Override
  public void close() {
    source.close();
  }

  private static int[] scan(Path dir, String topic, Set<CallOrigin> finished) throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    int removed = 0;
    try (DirectoryStream<Path> folders = Files.newDirectoryStream(dir, Files::isDirectory)) {
      for (Path folder : folders) {
        Path callJson = folder.resolve("call.json");
        if (!Files.isRegularFile(callJson)) {
          if (openedButNeverDescribed(folder)) {
            LOG.info("removing {}: an earlier replay stopped while opening that call (before its call.json);"
                + " it is replayed from its start", LogSafe.id(folder.getFileName().toString()));
            deleteQuietly(folder);
            removed++;
          }
          continue;
        }
        JsonNode json;
        try {
          json = mapper.readTree(callJson.toFile());
        } catch (IOException e) {
          LOG.warn("cannot read {}: {}", callJson, e.toString());
          continue;
        }
        JsonNode kafka = json.get("kafka");
        if (kafka == null || !topic.equals(kafka.path("topic").asText())) {
          continue;
        }
        CallOrigin origin = new CallOrigin(topic, kafka.path("partition").asInt(), kafka.path("offset").asLong(),
            null);
        if (json.path("endReason").isNull() || json.path("endReason").isMissingNode()) {
          LOG.info("removing {}: an earlier replay stopped inside that call; it is replayed from its start",
              LogSafe.id(folder.getFileName().toString()));
          deleteQuietly(folder);
          removed++;
        } else {
          finished.add(origin);
        }
      }
    }
    return new int[] {removed};
  }

  /**
   * True for a folder that is empty or holds nothing but files a recorder opens before it first
   * writes {@code call.json} (the tracks, and {@code call.json.tmp}), none of them holding audio yet:
   * what a replay killed between creating a call's folder and describing it leaves. Which call it
   * was cannot be read from it; left in place, it would push that call, replayed again, into a
   * {@code -2} folder. Deleting it loses no audio. Any other folder without a {@code call.json} is
   * not ours and is kept.
   */
  private static boolean openedButNeverDescribed(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files.allMatch(RecordingReplay::writtenBeforeCallJson);
    }
  }

  /** A (half-written) {@code call.json.tmp}, or a track holding at most its header: no audio yet. */
  private static boolean writtenBeforeCallJson(Path file) {
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    String name = file.getFileName().toString();
    if (name.equals("call.json.tmp")) {
      return true;
    }
    try {
      return TRACK.matcher(name).matches() && Files.size(file) <= WAV_HEADER_BYTES;
    } catch (IOException e) {
      return false;
    }
  }

  private static void deleteQuietly(Path folder) {
    try (Stream<Path> walk = Files.walk(folder)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      LOG.warn("cannot delete {}: {}", folder, e.toString());
    }
  }
}
