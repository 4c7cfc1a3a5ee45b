package dev.callstream.core.recording;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callstream.core.CallInfo;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.EndReason;
import dev.callstream.core.Secrets;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records every call, whatever its transport, to its own folder: {@code agent.wav},
 * {@code conference.wav} (mono 16-bit PCM, decoded), {@code stereo.wav} (left agent, right
 * conference), for calls with segments of their own (gRPC) one {@code segment-<id>.wav} per
 * segment, and {@code call.json}, in the layout of CONTRACTS.md sections 2 and 5.
 *
 * <pre>{@code
 * CallRecorder recorder = CallRecorder.builder(Path.of("recordings"))
 *     .events(new CallRecorder.Events() {
 *       public void started(CallSession session, Path folder) { System.out.println("recording " + folder); }
 *     })
 *     .build();
 * // hand `recorder` to a server as its CallStreamListener.Factory
 * }</pre>
 *
 * <h2>Layout</h2>
 * A call goes to {@code DIR/<callId>-<sessionId>/}, each id reduced to {@code [A-Za-z0-9._-]}
 * (anything else, and leading dots, become {@code _}; at most 100 characters; empty becomes
 * {@code unknown}). The folder is created atomically; if it exists the name gets {@code -2},
 * {@code -3}... so nothing is ever overwritten. It is created when the call starts or the first
 * audio arrives; a call with neither leaves nothing behind.
 *
 * <h2>Timeline</h2>
 * WebSocket calls: every frame occupies one slot of its format's ptime (20 ms: 160 samples at
 * 8 kHz) at its {@link dev.callstream.core.AudioFrame#position()}: a shorter frame is padded with
 * silence, a longer one cut to the slot. Gaps are digital silence (0) in all three files. The stereo
 * file pairs slot {@code n} of both sides; while one side runs more than the stereo window (default
 * 50 slots, one second) ahead, its slots are written with silence for the other side, and the other
 * side's late slots are patched in place, so {@code stereo.wav} is always exactly the interleaving
 * of the two mono files.
 *
 * <p>Calls with segments (gRPC): every frame is placed on the call's timeline at
 * {@link dev.callstream.core.AudioFrame#startMillis()}, so a participant who joins later starts
 * later (silence before). A side's file is the sum of its segments, clipped to 16 bits (a side with
 * one segment is bit-exact). Segments that are not decodable (Opus, FLAC) or not at the call's
 * sample rate are recorded as silence, with a warning. At the end every file is padded with silence
 * to the call's length: every file lasts as long as the call.
 *
 * <h2>call.json</h2>
 * Written (atomically: temporary file and rename) when the folder is created, after each Stop
 * (WebSocket) or segment stop (gRPC), and at the end. Until the end {@code endReason} is null and
 * {@code complete} false, so a call interrupted by a crash is recognisable and {@link #repair(Path)}
 * can finish it. WebSocket calls keep the fields of CONTRACTS.md section 2 plus
 * {@code "transport": "wss"}; gRPC calls get {@code transport}, {@code account}, {@code dialog} and
 * {@code segments} (section 5). Values of keys that {@link Secrets#isSecretKey} names (secret, token,
 * password, api key, authorization, credential..., any case and separators) are written as
 * {@code "***"}. {@code complete} is true when every
 * started segment stopped (WebSocket: both Stops arrived; gRPC: and the stream ended normally) and
 * the recording did not fail.
 *
 * <h2>Failures and threading</h2>
 * An I/O error stops that call's recording only: the files are closed (valid up to that point),
 * an {@code "error"} field is added to its {@code call.json} where possible, it is logged at ERROR
 * with the call id and reported to {@link Events#failed}; the call itself goes on and other calls are
 * not affected. Nothing is thrown into the transport. The recorder is immutable and thread-safe;
 * each call's listener is used by one call's sequential callbacks; {@link Events} methods run on
 * the calling call's thread, concurrently for different calls.
 */
public final class CallRecorder implements CallStreamListener.Factory {

  private static final Logger LOG = LoggerFactory.getLogger(CallRecorder.class);

  /** The files a recorder can write. */
  public enum Track {
    /** {@code agent.wav}: the agent side, mono. */
    AGENT("agent.wav"),
    /** {@code conference.wav}: the caller and every other participant, mixed, mono. */
    CONFERENCE("conference.wav"),
    /** {@code stereo.wav}: left agent, right conference. */
    STEREO("stereo.wav"),
    /** {@code segment-<id>.wav}: one mono file per segment, for calls with segments of their own (gRPC). */
    SEGMENTS("segment-<id>.wav");

    private final String fileName;

    Track(String fileName) {
      this.fileName = fileName;
    }

    /** The file name in a call's folder ({@link #SEGMENTS}: the pattern). */
    public String fileName() {
      return fileName;
    }
  }

  /**
   * Opens each audio file a recorder writes. The default creates or truncates the file for reading
   * and writing; another opener can put the files elsewhere or, in tests, return a channel that fails
   * like a full or broken disk (an {@link IOException} from any write then fails that call's
   * recording only, as described under "Failures and threading"). {@code call.json} is not written
   * through it.
   */
  @FunctionalInterface
  public interface FileOpener {
    /** {@code FileChannel.open(file, CREATE, TRUNCATE_EXISTING, READ, WRITE)}. */
    FileOpener DEFAULT = file -> java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.TRUNCATE_EXISTING, java.nio.file.StandardOpenOption.READ,
        java.nio.file.StandardOpenOption.WRITE);

    /**
     * Opens {@code file} (in the call's folder, which exists) empty, for positional reads and writes.
     * Called on the call's thread; the recorder closes the channel.
     */
    java.nio.channels.FileChannel open(Path file) throws IOException;
  }

  /**
   * Notifications about recordings, for progress output. Methods run on the call's thread and must
   * not block; an exception thrown by one is logged and ignored.
   */
  public interface Events {
    /** A call's folder was created and its files opened. */
    default void started(CallSession session, Path folder) {}

    /**
     * A call's recording ended (once per started recording, also after a failure).
     *
     * @param complete the value written to {@code call.json}
     */
    default void finished(CallSession session, Path folder, EndReason reason, boolean complete) {}

    /**
     * A call's recording failed and stopped.
     *
     * @param folder the call's folder, or null when it could not be created
     */
    default void failed(CallSession session, Path folder, IOException error) {}
  }

  static final int DEFAULT_STEREO_WINDOW_SLOTS = 50;

  private final Path directory;
  private final ObjectMapper mapper;
  private final Events events;
  private final Set<Track> tracks;
  private final int stereoWindowSlots;
  private final WavSink.Factory sinkFactory;
  private final Function<CallSession, Map<String, Object>> callJsonExtras;

  private CallRecorder(Builder builder) {
    this.directory = builder.directory.toAbsolutePath().normalize();
    this.mapper = builder.mapper;
    // Only a given registry loads the Micrometer decorator: Micrometer is an optional dependency.
    this.events = builder.meterRegistry == null ? builder.events
        : RecorderMetrics.wrap(builder.events, builder.meterRegistry);
    this.tracks = Set.copyOf(builder.tracks);
    this.stereoWindowSlots = builder.stereoWindowSlots;
    this.sinkFactory = builder.sinkFactory;
    this.callJsonExtras = builder.callJsonExtras;
  }

  /**
   * The {@code call.json} object of a call as this recorder writes it, without the recorder's own
   * {@code error} field and extras: for transports and publishers that pass a call's record on
   * (such as Kafka's {@code call-end}).
   *
   * @param reason the end reason, or null while the call runs
   * @param complete the {@code complete} value (every started segment stopped; see the class doc)
   * @param segmentInfo each segment's info events in order, by segment id (gRPC's {@code info})
   * @return a new mutable, ordered JSON-like map
   */
  public static Map<String, Object> callJson(CallSession session, EndReason reason, boolean complete,
      Map<String, ? extends java.util.List<dev.callstream.core.SegmentInfo>> segmentInfo) {
    return CallRecording.callJson(Objects.requireNonNull(session, "session"), reason, complete,
        Objects.requireNonNull(segmentInfo, "segmentInfo"));
  }

  /** A recorder writing every track and {@code call.json} under {@code directory} (created if missing). */
  public static CallRecorder create(Path directory) {
    return builder(directory).build();
  }

  /** A builder for a recorder writing under {@code directory} (created if missing). */
  public static Builder builder(Path directory) {
    return new Builder(directory);
  }

  /** The recordings directory, absolute. */
  public Path directory() {
    return directory;
  }

  /** The files this recorder writes. */
  public Set<Track> tracks() {
    return tracks;
  }

  /**
   * True: a recorder's listeners write their files synchronously on the calling thread, so a
   * transport must not run them on its I/O threads (the WebSocket server refuses a recorder with
   * {@code Dispatch.IO_THREAD}).
   */
  @Override
  public boolean blocks() {
    return true;
  }

  /** A new listener recording one call. */
  @Override
  public CallStreamListener create(CallInfo info) {
    return new CallRecording(this);
  }

  /**
   * Finishes the recordings a crash left behind: every call folder under {@code directory} whose
   * {@code call.json} has no {@code endReason} gets its WAV headers repaired
   * ({@link WavWriter#repair}), its files made consistent and its {@code call.json} rewritten with
   * {@code complete: false}, {@code endReason: "error"}, {@code repaired: true} and an {@code error}
   * message. Consistent: the tail one file kept is copied into the others ({@code stereo.wav} holds
   * the samples of both mono files), every WAV file is padded with silence to the longest (a
   * WebSocket call to a whole 20 ms frame), and a WebSocket call's per-side {@code frames} and
   * {@code gaps} are recounted to add up to the frames in its files: gaps saved before the crash and
   * the padding are gaps, the rest is frames (a gap after the last save of {@code call.json} counts
   * as a frame). A gRPC call's counters stay as last saved. Run it before a recorder starts writing
   * into the same directory (it would take live calls for crashed ones).
   *
   * @return the number of call folders repaired
   * @throws IOException when the directory cannot be listed
   */
  public static int repair(Path directory) throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    int repaired = 0;
    if (!Files.isDirectory(directory)) {
      return 0;
    }
    try (DirectoryStream<Path> folders = Files.newDirectoryStream(directory, Files::isDirectory)) {
      for (Path folder : folders) {
        Path callJson = folder.resolve(CallRecording.CALL_JSON);
        if (!Files.isRegularFile(callJson)) {
          continue;
        }
        Map<String, Object> json;
        try {
          json = mapper.readValue(callJson.toFile(), new TypeReference<LinkedHashMap<String, Object>>() {});
        } catch (IOException e) {
          LOG.warn("cannot read {}: {}", callJson, e.toString());
          continue;
        }
        if (json.get("endReason") != null) {
          continue;
        }
        Files.deleteIfExists(folder.resolve(CallRecording.CALL_JSON_TEMP));
        try {
          RecordingRepair.repair(folder, json);
        } catch (IOException e) {
          LOG.warn("cannot make the files of {} consistent: {}", folder, e.toString());
        }
        json.put("complete", false);
        json.put("endReason", EndReason.ERROR.label());
        json.putIfAbsent("error", "recording interrupted (process ended); repaired");
        json.put("repaired", true);
        CallRecording.writeJsonAtomically(mapper, folder, json);
        repaired++;
      }
    }
    return repaired;
  }

  /**
   * The folder-name form of an id, as used in {@code <callId>-<sessionId>}: characters outside
   * {@code [A-Za-z0-9._-]} and leading dots become {@code _}, at most 100 characters, {@code unknown}
   * when null or empty. A remote peer cannot steer a path with it.
   */
  public static String safeName(String id) {
    if (id == null || id.isEmpty()) {
      return "unknown";
    }
    StringBuilder name = new StringBuilder(Math.min(id.length(), 100));
    boolean leading = true;
    for (int i = 0; i < id.length() && name.length() < 100; ) {
      int codePoint = id.codePointAt(i);
      i += Character.charCount(codePoint);
      boolean allowed = codePoint < 128
          && (Character.isLetterOrDigit(codePoint) || codePoint == '.' || codePoint == '_' || codePoint == '-');
      if (leading && codePoint == '.') {
        allowed = false;
      } else {
        leading = false;
      }
      name.append(allowed ? (char) codePoint : '_');
    }
    return name.toString();
  }

  void addCallJsonExtras(CallSession session, Map<String, Object> json) {
    if (callJsonExtras == null) {
      return;
    }
    try {
      Map<String, Object> extras = callJsonExtras.apply(session);
      if (extras != null) {
        extras.forEach(json::putIfAbsent);
      }
    } catch (RuntimeException e) {
      LOG.warn("call.json extras failed for call {}", dev.callstream.core.internal.LogSafe.id(session.callId()), e);
    }
  }

  Path rootDirectory() {
    return directory;
  }

  ObjectMapper mapper() {
    return mapper;
  }

  Events events() {
    return events;
  }

  int stereoWindowSlots() {
    return stereoWindowSlots;
  }

  WavSink.Factory sinkFactory() {
    return sinkFactory;
  }

  /** Configures a {@link CallRecorder}. Not thread-safe. */
  public static final class Builder {
    private final Path directory;
    /** Writes {@code call.json}; ours, not configurable: no Jackson type in the public API. */
    private final ObjectMapper mapper = new ObjectMapper();
    private Events events = new Events() {};
    private Set<Track> tracks = EnumSet.allOf(Track.class);
    private int stereoWindowSlots = DEFAULT_STEREO_WINDOW_SLOTS;
    private WavSink.Factory sinkFactory = WavSink.Factory.WAV_WRITER;
    private Function<CallSession, Map<String, Object>> callJsonExtras;
    private Object meterRegistry;

    private Builder(Path directory) {
      this.directory = Objects.requireNonNull(directory, "directory");
    }

    /** Receives start, end and failure notifications; default none. */
    public Builder events(Events events) {
      this.events = Objects.requireNonNull(events, "events");
      return this;
    }

    /** The files to write; default all of them ({@code call.json} is always written). */
    public Builder tracks(Track... tracks) {
      return tracks(Arrays.asList(tracks));
    }

    /** The files to write; default all of them ({@code call.json} is always written). */
    public Builder tracks(java.util.Collection<Track> tracks) {
      if (tracks.isEmpty()) {
        this.tracks = EnumSet.noneOf(Track.class);
      } else {
        this.tracks = EnumSet.copyOf(tracks);
      }
      return this;
    }

    /**
     * How many 20 ms slots (of a WebSocket call) one side may run ahead of the other before its stereo slots are written
     * with silence for the other side (patched in place when that side catches up). Default 50 (1 s).
     */
    public Builder stereoWindowSlots(int slots) {
      if (slots < 1) {
        throw new IllegalArgumentException("stereoWindowSlots < 1: " + slots);
      }
      this.stereoWindowSlots = slots;
      return this;
    }

    /**
     * Fields added to every {@code call.json} the recorder writes (after its own; a key it already
     * wrote is not replaced), such as {@code kafkaDropped} from a Kafka publisher on the same call.
     * Called on the call's thread each time {@code call.json} is written; may return null; an
     * exception is logged and ignored.
     */
    public Builder callJsonExtras(Function<CallSession, Map<String, Object>> extras) {
      this.callJsonExtras = Objects.requireNonNull(extras, "extras");
      return this;
    }

    /**
     * Publishes {@code callstream_recording_bytes_total} (the sizes of a call's files, added when
     * its recording finishes) and {@code callstream_recording_failures_total} on {@code registry},
     * tagged {@code transport}. Default none (and no Micrometer class is loaded).
     */
    public Builder meterRegistry(io.micrometer.core.instrument.MeterRegistry registry) {
      this.meterRegistry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * How the audio files are opened; default {@link FileOpener#DEFAULT}. The seam for tests that
     * simulate disk failures.
     */
    public Builder fileOpener(FileOpener opener) {
      Objects.requireNonNull(opener, "opener");
      this.sinkFactory = (path, sampleRate, channels) -> WavSink.of(WavWriter.pcm16(path, sampleRate, channels, opener));
      return this;
    }

    /** For core's own tests: replaces the files with other sinks (memory, failures at sink level). */
    Builder sinkFactory(WavSink.Factory sinkFactory) {
      this.sinkFactory = Objects.requireNonNull(sinkFactory, "sinkFactory");
      return this;
    }

    public CallRecorder build() {
      return new CallRecorder(this);
    }
  }
}
