package dev.callstream.bench;

import dev.callstream.core.AudioChannel;
import dev.callstream.core.CallInfo;
import dev.callstream.core.CallMetadata;
import dev.callstream.core.EndReason;
import dev.callstream.core.Participant;
import dev.callstream.core.ParticipantType;
import dev.callstream.core.Transport;
import dev.callstream.core.audio.AudioFormat;
import dev.callstream.core.audio.G711;
import dev.callstream.core.internal.CallDriver;
import dev.callstream.core.recording.CallRecorder;
import dev.callstream.core.recording.WavWriter;
import dev.callstream.server.internal.QueryParser;
import dev.callstream.server.internal.WireCall;
import dev.callstream.server.wire.Connected;
import dev.callstream.server.wire.Media;
import dev.callstream.server.wire.Start;
import dev.callstream.server.wire.Stop;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-frame cost of writing audio to disk. Files live in a temporary directory; every
 * {@value #FRAMES_PER_CALL} frames per side (one minute of audio) the call is finished and its files
 * deleted, so the disk does not fill and the amortised open/close cost of a one-minute call is
 * included, as in a real server. The data reaches the page cache, not the disk platter.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class WavBenchmark {
  static final int FRAMES_PER_CALL = 3000;

  private final byte[] mulaw = new byte[160];
  private final byte[] pcm = new byte[320];
  private Path directory;
  private WavWriter writer;
  private int writerFrames;
  private WireCall driver;
  private long media;
  private int calls;
  private final byte[] chunk = new byte[800];
  private CallDriver grpc;
  private long chunks;
  private int grpcSegments;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    new Random(1).nextBytes(mulaw);
    new Random(2).nextBytes(chunk);
    G711.mulawToPcm16le(mulaw, 0, mulaw.length, pcm, 0);
    directory = Files.createTempDirectory("callstream-wav-bench");
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    if (writer != null) {
      writer.close();
    }
    if (driver != null) {
      driver.end(EndReason.SHUTDOWN, null);
    }
    if (grpc != null) {
      grpc.end(EndReason.SHUTDOWN, null);
    }
    BenchFiles.deleteTree(directory);
  }

  /** WavWriter.write of one 20 ms mono PCM frame (320 bytes). */
  @Benchmark
  public long wavWriterFrame() throws IOException {
    if (writer == null || writerFrames == FRAMES_PER_CALL) {
      if (writer != null) {
        writer.close();
        Files.delete(writer.path());
      }
      writer = WavWriter.pcm16(directory.resolve("mono.wav"), 8000, 1);
      writerFrames = 0;
    }
    writer.write(pcm, 0, pcm.length);
    writerFrames++;
    return writer.dataBytes();
  }

  /**
   * One Media through CallDriver into CallRecorder (agent.wav, conference.wav, stereo.wav):
   * sequencing, G.711 decode, three files; frames alternate between the sides as on the wire.
   */
  @Benchmark
  public boolean recorderFrame() throws IOException {
    if (driver == null || media == 2L * FRAMES_PER_CALL) {
      newCall();
    }
    long m = media++;
    return driver.accept(new Media((m & 1) == 0 ? AudioChannel.AGENT : AudioChannel.CONFERENCE, 1 + (m >> 1), mulaw));
  }

  /**
   * One 100 ms PCMU chunk (800 bytes) of a gRPC-shaped call through CallDriver into CallRecorder
   * (agent.wav, conference.wav, stereo.wav and one segment-*.wav per segment): a contact and an
   * agent, chunks alternating, one segment per side (the common case).
   */
  @Benchmark
  public boolean grpcRecorderChunk() throws IOException {
    return grpcChunk(2);
  }

  /**
   * As {@link #grpcRecorderChunk()} with a third segment (a bot) on the conference side from the
   * start: the conference side is a mix of two segments.
   */
  @Benchmark
  public boolean grpcRecorderChunkMixed() throws IOException {
    return grpcChunk(3);
  }

  private boolean grpcChunk(int segments) throws IOException {
    // one minute of audio per segment per call, as recorderFrame
    if (grpc == null || grpcSegments != segments || chunks == (long) segments * (FRAMES_PER_CALL / 5)) {
      newGrpcCall(segments);
    }
    long c = chunks++;
    return grpc.media(SEGMENT_IDS[(int) (c % segments)], 1 + c / segments, chunk);
  }

  private static final String[] SEGMENT_IDS = {"s0", "s1", "s2"};

  private void newGrpcCall(int segments) throws IOException {
    if (grpc != null) {
      for (int s = 0; s < grpcSegments; s++) {
        grpc.segmentStop(SEGMENT_IDS[s]);
      }
      grpc.end(EndReason.STOPPED, null);
      BenchFiles.deleteChildren(directory);
    }
    calls++;
    CallRecorder recorder = CallRecorder.create(directory);
    CallInfo info = CallInfo.empty(Transport.GRPC);
    grpc = new CallDriver(info, recorder.create(info), CallDriver.DEFAULT_REORDER_WINDOW, () -> {});
    grpc.start(new CallMetadata("dialog" + calls, "1", null, null, null, null, null, null, null, null, null, null,
        Map.of()), Map.of());
    AudioFormat pcmu = new AudioFormat(AudioFormat.Encoding.MULAW, 8000, 100);
    ParticipantType[] types = {ParticipantType.CONTACT, ParticipantType.AGENT, ParticipantType.BOT};
    for (int s = 0; s < segments; s++) {
      grpc.segmentStart(SEGMENT_IDS[s], new Participant("p" + s, types[s], null), pcmu, 1);
    }
    grpcSegments = segments;
    chunks = 0;
  }

  private void newCall() throws IOException {
    if (driver != null) {
      driver.accept(new Stop(null, 60L, "2025-01-01T00:00:00Z", Map.of()));
      driver.accept(new Stop(null, 60L, "2025-01-01T00:00:00Z", Map.of()));
      BenchFiles.deleteChildren(directory);
    }
    calls++;
    String callId = "bench" + calls;
    CallRecorder recorder = CallRecorder.create(directory);
    CallInfo info = QueryParser.parse("callId=" + callId + "&sessionId=1");
    driver = new WireCall(info, recorder.create(info), CallDriver.DEFAULT_REORDER_WINDOW, () -> {});
    driver.accept(new Connected("AgentSession", "1.0.0"));
    driver.accept(new Start(callId, "1", "2223334444", "2223334444", "99990000", "99990001", "123456789", "123",
        "Queue", "1234", "audio/x-mulaw", 8000, Map.of("callId", callId, "sessionId", "1")));
    media = 0;
  }
}
