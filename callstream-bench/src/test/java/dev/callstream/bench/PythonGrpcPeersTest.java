package dev.callstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Empty;
import dev.callstream.grpc.proto.Codec;
import dev.callstream.grpc.proto.ParticipantType;
import dev.callstream.grpc.proto.StreamEvent;
import dev.callstream.grpc.proto.StreamingGrpc;
import dev.callstream.testkit.FakeRingCx;
import dev.callstream.testkit.Pacing;
import dev.callstream.testkit.RingCxLoadResult;
import dev.callstream.testkit.RingCxScript;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Assumptions;

/**
 * The Python gRPC peers (Debian's python3-grpcio, python3-protobuf and protoc; skipped without them)
 * against Java counterparts: the bench's grpc_receiver.py counts and decodes what FakeRingCx sends, and
 * grpc_sender.py, the independent client for tests, sends RingCX's protocol to a bare grpc-java receiver.
 */
class PythonGrpcPeersTest {
  private static final String PYTHON = "/usr/bin/python3";
  private static final Path PYTHON_DIR = Path.of("src/main/python");
  private final ObjectMapper json = new ObjectMapper();
  @TempDir Path dir;

  @BeforeAll
  static void needsPythonGrpc() throws Exception {
    boolean available;
    try {
      Process probe = new ProcessBuilder(PYTHON, "-c", "import grpc, google.protobuf, shutil, sys; sys.exit(0 if shutil.which('protoc') else 1)")
          .redirectErrorStream(true).start();
      available = probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0;
    } catch (IOException e) {
      available = false;
    }
    Assumptions.assumeTrue(available,
        "skipped: needs /usr/bin/python3 with grpc and protobuf, and protoc (apt-get install python3-grpcio python3-protobuf protobuf-compiler)");
  }

  @Test
  void thePythonReceiverDecodesEveryChunkFakeRingCxSends() throws Exception {
    ServerProcess.Settings settings = new ServerProcess.Settings(
        Path.of("target/benchmarks.jar"), PYTHON, PYTHON_DIR, null, "", null, dir, null);
    try (ServerProcess receiver = ServerProcess.start("python-grpc", settings);
        FakeRingCx ringCx = FakeRingCx.builder(receiver.uri()).pacing(Pacing.FLOOD).build()) {
      assertThat(receiver.grpc()).isTrue();
      RingCxLoadResult load = ringCx.run(3, i -> RingCxScript.numbered(1, i).maxDuration(Duration.ofSeconds(2)).build());
      assertThat(load.failedCalls()).isZero();

      JsonNode stats = receiver.awaitCallsEnded(3, Duration.ofSeconds(20));
      assertThat(stats.path("ended").asInt()).isEqualTo(3);
      assertThat(stats.path("frames").asLong()).isEqualTo(load.mediaSent()).isEqualTo(3 * 2 * 20);
    }
  }

  /** A bare grpc-java receiver that keeps every call's events by dialog id. */
  private static Server receiver(Map<String, List<StreamEvent>> calls) throws IOException {
    StreamingGrpc.StreamingImplBase service = new StreamingGrpc.StreamingImplBase() {
      @Override
      public StreamObserver<StreamEvent> stream(StreamObserver<Empty> responses) {
        List<StreamEvent> events = new CopyOnWriteArrayList<>();
        return new StreamObserver<>() {
          @Override
          public void onNext(StreamEvent event) {
            events.add(event);
          }

          @Override
          public void onError(Throwable t) {
            calls.put(events.get(0).getDialogInit().getDialog().getId() + " (cancelled)", events);
          }

          @Override
          public void onCompleted() {
            calls.put(events.get(0).getDialogInit().getDialog().getId(), events);
            responses.onNext(Empty.getDefaultInstance());
            responses.onCompleted();
          }
        };
      }
    };
    return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(service).build().start();
  }

  @Test
  void thePythonSenderPlaysRingCxsProtocolWithTheAudioItDumps() throws Exception {
    Map<String, List<StreamEvent>> calls = new ConcurrentHashMap<>();
    Server server = receiver(calls);
    try {
      Path dump = dir.resolve("dump");
      List<String> command = List.of(PYTHON, PYTHON_DIR.resolve("grpc_sender.py").toString(),
          "--target", "127.0.0.1:" + server.getPort(), "--calls", "2", "--duration", "1", "--flood",
          "--fault", "drop,duplicate,reorder", "--fault-rate", "0.1", "--seed", "7",
          "--dump", dump.toString(), "--gen-dir", "target/python-gen");
      Process sender = new ProcessBuilder(command).redirectError(dir.resolve("stderr.txt").toFile()).start();
      String out = new String(sender.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(sender.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(sender.exitValue()).as(out + Files.readString(dir.resolve("stderr.txt"))).isZero();
      String[] lines = out.strip().split("\n");
      JsonNode summary = json.readTree(lines[lines.length - 1]);
      assertThat(summary.path("calls").asInt()).isEqualTo(2);
      assertThat(summary.path("failedCalls").asInt()).isZero();

      for (int i = 0; i < 2; i++) {
        JsonNode report = json.readTree(lines[i]);
        String dialog = report.path("dialogId").asText();
        assertThat(report.path("status").asText()).isEqualTo("OK");
        List<StreamEvent> events = calls.get(dialog);
        assertThat(events).as(dialog).isNotNull();
        assertThat(events.get(0).getDialogInit().getDialog().getId()).isEqualTo(dialog);
        List<String> segments = new ArrayList<>();
        for (StreamEvent start : events.subList(1, 3)) {
          segments.add(start.getSegmentStart().getSegmentId());
          assertThat(start.getSegmentStart().getAudioFormat().getCodec()).isEqualTo(Codec.PCMU);
          assertThat(start.getSegmentStart().getAudioFormat().getPtime()).isEqualTo(100);
        }
        assertThat(events.get(1).getSegmentStart().getParticipant().getType()).isEqualTo(ParticipantType.CONTACT);
        assertThat(events.get(2).getSegmentStart().getParticipant().getType()).isEqualTo(ParticipantType.AGENT);
        assertThat(events.subList(events.size() - 2, events.size())).allMatch(StreamEvent::hasSegmentStop);
        for (String segment : segments) {
          // every chunk that arrived carries the dumped audio at its seq; the faults are the ones reported
          byte[] planned = Files.readAllBytes(dump.resolve(segment + ".ul"));
          JsonNode faults = report.path("segments").path(segment);
          List<Integer> seqs = new ArrayList<>();
          for (StreamEvent e : events) {
            if (e.hasSegmentMedia() && e.getSegmentMedia().getSegmentId().equals(segment)) {
              int seq = e.getSegmentMedia().getAudioContent().getSeq();
              seqs.add(seq);
              byte[] payload = e.getSegmentMedia().getAudioContent().getPayload().toByteArray();
              ByteArrayOutputStream expected = new ByteArrayOutputStream();
              expected.write(planned, (seq - 1) * 800, 800);
              assertThat(payload).as("%s seq %d", segment, seq).isEqualTo(expected.toByteArray());
            }
          }
          assertThat(seqs).hasSize(faults.path("sent").asInt());
          for (JsonNode dropped : faults.path("dropped")) {
            assertThat(seqs).doesNotContain(dropped.asInt());
          }
          for (JsonNode duplicated : faults.path("duplicated")) {
            assertThat(seqs.stream().filter(s -> s == duplicated.asInt()).count()).isEqualTo(2);
          }
          assertThat(planned).hasSize(10 * 800);
        }
      }
    } finally {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
