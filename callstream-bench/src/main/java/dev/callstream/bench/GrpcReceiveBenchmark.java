package dev.callstream.bench;

import com.google.protobuf.ByteString;
import dev.callstream.core.CallInfo;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.Transport;
import dev.callstream.core.recording.CallRecorder;
import dev.callstream.grpc.internal.ReceivePath;
import dev.callstream.grpc.proto.Account;
import dev.callstream.grpc.proto.AudioContent;
import dev.callstream.grpc.proto.AudioFormat;
import dev.callstream.grpc.proto.Codec;
import dev.callstream.grpc.proto.Dialog;
import dev.callstream.grpc.proto.DialogInitEvent;
import dev.callstream.grpc.proto.Participant;
import dev.callstream.grpc.proto.ParticipantType;
import dev.callstream.grpc.proto.SegmentMediaEvent;
import dev.callstream.grpc.proto.SegmentStartEvent;
import dev.callstream.grpc.proto.SegmentStopEvent;
import dev.callstream.grpc.proto.StreamEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-chunk cost of the gRPC server's receive path without the network: the bytes of one
 * {@code SegmentMedia} (100 ms of PCMU, 800 bytes, as gRPC hands them over after HTTP/2 deframing)
 * through the server's request marshaller and the call's own handling ({@code GrpcCall}: checks,
 * sequencing, flow-control credit) into the listener, on one thread. {@code listener=record} is
 * {@link CallRecorder} (agent, conference, stereo and two segment files), {@code noop} does nothing.
 * A contact and an agent alternate, as on the wire. Every minute of audio the call is stopped, its
 * files deleted and a new one opened, so the open/close cost of a one-minute call is included. What
 * this leaves out, the HTTP/2 transport and the hop from the event loop to the dispatch pool, is in
 * the end-to-end runs (LoadRun).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GrpcReceiveBenchmark {
  /** One minute of 100 ms chunks per segment. */
  static final int CHUNKS_PER_SEGMENT = 600;
  private static final String[] SEGMENTS = {"contact", "agent"};

  @Param({"record", "noop"})
  public String listener;

  private Path directory;
  /** The wire bytes of every chunk of a call, in sending order (segments alternate). */
  private byte[][] chunks;
  private ReceivePath call;
  private CallRecorder recorder;
  private int next;
  private int calls;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    directory = Files.createTempDirectory("callstream-grpc-bench");
    recorder = CallRecorder.create(directory);
    Random random = new Random(3);
    chunks = new byte[CHUNKS_PER_SEGMENT * SEGMENTS.length][];
    for (int i = 0; i < chunks.length; i++) {
      byte[] payload = new byte[800];
      random.nextBytes(payload);
      chunks[i] = StreamEvent.newBuilder().setSessionId("session-1").setSegmentMedia(SegmentMediaEvent.newBuilder()
          .setSegmentId(SEGMENTS[i % SEGMENTS.length])
          .setAudioContent(AudioContent.newBuilder().setSeq(1 + i / SEGMENTS.length).setPayload(ByteString.copyFrom(payload))))
          .build().toByteArray();
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    if (call != null) {
      call.close();
    }
    BenchFiles.deleteTree(directory);
  }

  /** One SegmentMedia received and handled (recorded, or not). */
  @Benchmark
  public long receiveChunk() throws IOException {
    if (call == null || next == chunks.length) {
      newCall();
    }
    call.receive(chunks[next++]);
    return call.requested();
  }

  private void newCall() throws IOException {
    if (call != null) {
      for (String segment : SEGMENTS) {
        call.receive(StreamEvent.newBuilder().setSessionId("session-1")
            .setSegmentStop(SegmentStopEvent.newBuilder().setSegmentId(segment)).build().toByteArray());
      }
      call.halfClose();
      call.close();
      BenchFiles.deleteChildren(directory);
    }
    calls++;
    CallStreamListener.Factory factory = listener.equals("record") ? recorder : info -> new CallStreamListener() {};
    call = ReceivePath.open(factory, CallInfo.empty(Transport.GRPC), 256);
    call.receive(StreamEvent.newBuilder().setSessionId("session-1").setDialogInit(DialogInitEvent.newBuilder()
        .setAccount(Account.newBuilder().setId("99990000"))
        .setDialog(Dialog.newBuilder().setId("dialog-" + calls))).build().toByteArray());
    ParticipantType[] types = {ParticipantType.CONTACT, ParticipantType.AGENT};
    for (int s = 0; s < SEGMENTS.length; s++) {
      call.receive(StreamEvent.newBuilder().setSessionId("session-1").setSegmentStart(SegmentStartEvent.newBuilder()
          .setSegmentId(SEGMENTS[s])
          .setParticipant(Participant.newBuilder().setId("p" + s).setType(types[s]))
          .setAudioFormat(AudioFormat.newBuilder().setCodec(Codec.PCMU).setRate(8000).setPtime(100)))
          .build().toByteArray());
    }
    next = 0;
  }
}
