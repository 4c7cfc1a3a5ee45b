package dev.callstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Empty;
import dev.callstream.core.audio.G711;
import dev.callstream.grpc.proto.Codec;
import dev.callstream.grpc.proto.ParticipantType;
import dev.callstream.grpc.proto.StreamEvent;
import dev.callstream.grpc.proto.StreamingGrpc;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code callstream send --url grpc://...} against a bare grpc-java receiver (not our server). */
class SendGrpcCommandTest {
  private static final Context.Key<String> AUTHORIZATION = Context.key("authorization");
  private final ObjectMapper json = new ObjectMapper();
  /** Every call's events, in order of ending, with the authorization it carried first. */
  private final LinkedBlockingQueue<List<Object>> calls = new LinkedBlockingQueue<>();
  private volatile Status refuse;
  private Server server;
  @TempDir Path dir;

  @BeforeEach
  void start() throws Exception {
    StreamingGrpc.StreamingImplBase service = new StreamingGrpc.StreamingImplBase() {
      @Override
      public StreamObserver<StreamEvent> stream(StreamObserver<Empty> responses) {
        List<Object> call = new CopyOnWriteArrayList<>();
        call.add(String.valueOf(AUTHORIZATION.get()));
        if (refuse != null) {
          responses.onError(refuse.asRuntimeException());
        }
        return new StreamObserver<>() {
          @Override
          public void onNext(StreamEvent event) {
            call.add(event);
          }

          @Override
          public void onError(Throwable t) {
            call.add("cancelled");
            calls.add(call);
          }

          @Override
          public void onCompleted() {
            call.add("half-closed");
            calls.add(call);
            responses.onNext(Empty.getDefaultInstance());
            responses.onCompleted();
          }
        };
      }
    };
    io.grpc.ServerInterceptor capture = new io.grpc.ServerInterceptor() {
      @Override
      public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(
          io.grpc.ServerCall<Q, R> call, Metadata headers, io.grpc.ServerCallHandler<Q, R> next) {
        String authorization = headers.get(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER));
        return Contexts.interceptCall(Context.current().withValue(AUTHORIZATION, authorization), call, headers, next);
      }
    };
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(ServerInterceptors.intercept(service, capture))
        .build()
        .start();
  }

  @AfterEach
  void stop() throws Exception {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private String url() {
    return "grpc://127.0.0.1:" + server.getPort();
  }

  private record Run(int exit, String out, String err) {
    String lastLine() {
      String[] lines = out.strip().split("\n");
      return lines[lines.length - 1];
    }
  }

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.run(args, new PrintWriter(out), new PrintWriter(err));
    return new Run(exit, out.toString(), err.toString());
  }

  private List<Object> takeCall() throws InterruptedException {
    List<Object> call = calls.poll(20, TimeUnit.SECONDS);
    assertThat(call).as("a call ended").isNotNull();
    return call;
  }

  private static List<StreamEvent> events(List<Object> call) {
    return call.stream().filter(StreamEvent.class::isInstance).map(StreamEvent.class::cast).collect(Collectors.toList());
  }

  @Test
  void sendsTwoCallsOfContactAndAgentSegmentsAndPrintsTheSummaryAsTheLastLine() throws Exception {
    Run run = run("send", "--url", url(), "--calls", "2", "--flood", "--duration", "1", "--secret", "hunter2", "--seed", "3");

    assertThat(run.exit()).as(run.err()).isZero();
    JsonNode summary = json.readTree(run.lastLine());
    assertThat(summary.get("calls").asInt()).isEqualTo(2);
    assertThat(summary.get("failedCalls").asInt()).isZero();
    assertThat(summary.get("mediaSent").asLong()).isEqualTo(2 * 2 * 10);
    assertThat(summary.get("seconds").isNumber()).isTrue();
    assertThat(summary.get("mediaPerSecond").asDouble()).isPositive();
    assertThat(run.out() + run.err()).doesNotContain("hunter2");

    List<String> dialogs = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      List<Object> call = takeCall();
      assertThat(call.get(0)).isEqualTo("Bearer hunter2");
      assertThat(call.get(call.size() - 1)).isEqualTo("half-closed");
      List<StreamEvent> events = events(call);
      assertThat(events).hasSize(1 + 2 + 20 + 2);
      StreamEvent init = events.get(0);
      assertThat(init.hasDialogInit()).isTrue();
      dialogs.add(init.getDialogInit().getDialog().getId() + "/" + init.getSessionId());
      assertThat(events.get(1).getSegmentStart().getParticipant().getType()).isEqualTo(ParticipantType.CONTACT);
      assertThat(events.get(2).getSegmentStart().getParticipant().getType()).isEqualTo(ParticipantType.AGENT);
      for (StreamEvent start : events.subList(1, 3)) {
        assertThat(start.getSegmentStart().getAudioFormat().getCodec()).isEqualTo(Codec.PCMU);
        assertThat(start.getSegmentStart().getAudioFormat().getRate()).isEqualTo(8000);
        assertThat(start.getSegmentStart().getAudioFormat().getPtime()).isEqualTo(100);
      }
      for (String segment : List.of("contact", "agent")) {
        List<Integer> seqs = events.stream()
            .filter(e -> e.hasSegmentMedia() && e.getSegmentMedia().getSegmentId().equals(segment))
            .peek(e -> assertThat(e.getSegmentMedia().getAudioContent().getPayload().size()).isEqualTo(800))
            .map(e -> e.getSegmentMedia().getAudioContent().getSeq())
            .collect(Collectors.toList());
        assertThat(seqs).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
      }
      assertThat(events.subList(23, 25)).allMatch(StreamEvent::hasSegmentStop);
      assertThat(events.get(23).getSegmentStop().getSegmentId()).isEqualTo("contact");
      assertThat(events.get(24).getSegmentStop().getSegmentId()).isEqualTo("agent");
    }
    assertThat(dialogs).containsExactlyInAnyOrder("dialog-3-0/1", "dialog-3-1/2");
  }

  @Test
  void playsTheAgentFileOnTheAgentSegmentPaddedToWholeChunks() throws Exception {
    // 0.25 s of a ramp as 16-bit PCM WAV: three chunks, the last padded with mu-law silence
    short[] samples = new short[2000];
    for (int i = 0; i < samples.length; i++) {
      samples[i] = (short) (i * 16 - 16000);
    }
    Path wav = dir.resolve("agent.wav");
    Files.write(wav, wav(samples));
    Run run = run("send", "--url", url(), "--flood", "--agent", wav.toString());

    assertThat(run.exit()).as(run.err()).isZero();
    List<StreamEvent> agent = events(takeCall()).stream()
        .filter(e -> e.hasSegmentMedia() && e.getSegmentMedia().getSegmentId().equals("agent"))
        .collect(Collectors.toList());
    assertThat(agent).hasSize(3);
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    for (StreamEvent e : agent) {
      sent.write(e.getSegmentMedia().getAudioContent().getPayload().toByteArray());
    }
    byte[] mulaw = sent.toByteArray();
    for (int i = 0; i < samples.length; i++) {
      assertThat(mulaw[i]).isEqualTo(G711.pcmToMulaw(samples[i]));
    }
    for (int i = samples.length; i < mulaw.length; i++) {
      assertThat(mulaw[i]).isEqualTo((byte) 0xFF);
    }
  }

  @Test
  void anAbortedCallCompletesAndARefusedCallExitsOne() throws Exception {
    Run aborted = run("send", "--url", url(), "--flood", "--duration", "2", "--fault", "abort,garbage");
    assertThat(aborted.exit()).as(aborted.err()).isZero();
    List<Object> call = takeCall();
    assertThat(call.get(call.size() - 1)).isEqualTo("cancelled");
    assertThat(events(call)).noneMatch(StreamEvent::hasSegmentStop);

    refuse = Status.UNAUTHENTICATED.withDescription("no");
    Run refused = run("send", "--url", url(), "--flood", "--duration", "1", "--secret", "wrong");
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(json.readTree(refused.lastLine()).get("failedCalls").asInt()).isEqualTo(1);
    assertThat(refused.err()).contains("UNAUTHENTICATED").doesNotContain("wrong");
  }

  @Test
  void usageErrorsExitTwo() {
    Run sequence = run("send", "--url", url(), "--sequence", "per-connection");
    assertThat(sequence.exit()).isEqualTo(2);
    assertThat(sequence.err()).contains("--sequence applies to ws:// and wss:// only");
    Run scheme = run("send", "--url", "http://127.0.0.1:1");
    assertThat(scheme.exit()).isEqualTo(2);
    assertThat(scheme.err()).contains("grpc://");
  }

  private static byte[] wav(short[] samples) {
    ByteBuffer b = ByteBuffer.allocate(44 + 2 * samples.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes()).putInt(36 + 2 * samples.length).put("WAVE".getBytes());
    b.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 1).putInt(8000).putInt(16000)
        .putShort((short) 2).putShort((short) 16);
    b.put("data".getBytes()).putInt(2 * samples.length);
    for (short s : samples) {
      b.putShort(s);
    }
    return b.array();
  }
}
