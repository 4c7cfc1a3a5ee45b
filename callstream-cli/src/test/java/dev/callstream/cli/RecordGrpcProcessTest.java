package dev.callstream.cli;

import static dev.callstream.cli.RecordTestSupport.assertSamples;
import static dev.callstream.cli.RecordTestSupport.callJson;
import static dev.callstream.cli.RecordTestSupport.folderOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.callstream.testsupport.Wav;
import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import dev.callstream.testsupport.G711Reference;
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
import dev.callstream.grpc.proto.StreamingGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code callstream record --grpc-port} as a real process, with an in-JVM grpc-java client as RingCX. */
class RecordGrpcProcessTest {
  private static final Pattern GRPC_LISTENING = Pattern.compile("listening on (grpcs?)://127\\.0\\.0\\.1:(\\d+)");
  private static final int CHUNK = 800; // 100 ms of PCMU

  @TempDir Path dir;
  private RecordTestProcess child;
  private ManagedChannel channel;

  @AfterEach
  void cleanUp() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
    if (child != null) {
      child.destroyIfAlive();
    }
  }

  @Test
  void recordsAGrpcCallBesideTheWebSocketListenerAndRefusesWrongSecrets() throws Exception {
    child = RecordTestProcess.start("--port", "0", "--grpc-port", "0", "--tls", "none", "--secret", "s3cret",
        "--recordings", dir.toString());
    int wsPort = child.awaitListening();
    assertThat(wsPort).isPositive();
    Matcher grpc = GRPC_LISTENING.matcher(child.nextLine());
    assertThat(grpc.matches()).as("second stdout line").isTrue();
    assertThat(grpc.group(1)).isEqualTo("grpc");
    channel = NettyChannelBuilder.forAddress("127.0.0.1", Integer.parseInt(grpc.group(2))).usePlaintext().build();

    assertThat(wrongSecretStatus("Bearer n0t-the-secret")).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(wrongSecretStatus(null)).isEqualTo(Status.Code.UNAUTHENTICATED);

    byte[] agent = codes(7, 20 * CHUNK);
    byte[] contact = codes(91, 20 * CHUNK);
    Outcome call = open("Bearer s3cret");
    call.requests.onNext(dialogInit("dlg/1", "sess-1"));
    call.requests.onNext(segmentStart("seg-agent", ParticipantType.AGENT));
    call.requests.onNext(segmentStart("seg-contact", ParticipantType.CONTACT));
    for (int i = 0; i < 20; i++) {
      call.requests.onNext(media("seg-agent", i + 1, agent, i));
      call.requests.onNext(media("seg-contact", i + 1, contact, i));
    }
    call.requests.onNext(stop("seg-agent"));
    call.requests.onNext(stop("seg-contact"));
    call.requests.onCompleted();
    assertThat(call.status.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);

    String started = child.nextLine();
    assertThat(started).matches("call started dlg_1-sess-1 \\S+");
    String ended = child.nextLine();
    assertThat(ended).matches("call ended dlg_1-sess-1 stopped complete=true \\S+");
    Path folder = folderOf(ended);
    assertThat(folder).isEqualTo(dir.toAbsolutePath().resolve("dlg_1-sess-1"));
    assertSamples(Wav.read(folder.resolve("agent.wav")).samples(), G711Reference.decodeMulaw(agent), "agent.wav");
    assertSamples(Wav.read(folder.resolve("conference.wav")).samples(), G711Reference.decodeMulaw(contact),
        "conference.wav");
    assertSamples(Wav.read(folder.resolve("segment-seg-agent.wav")).samples(),
        G711Reference.decodeMulaw(agent), "segment-seg-agent.wav");
    assertSamples(Wav.read(folder.resolve("stereo.wav")).samples(),
        RecordTestAudio.interleave(G711Reference.decodeMulaw(agent), G711Reference.decodeMulaw(contact)), "stereo.wav");
    JsonNode json = callJson(folder);
    assertThat(json.get("transport").asText()).isEqualTo("grpc");
    assertThat(json.get("complete").asBoolean()).isTrue();
    assertThat(json.get("endReason").asText()).isEqualTo("stopped");
    assertThat(json.get("dialog").get("id").asText()).isEqualTo("dlg/1");
    assertThat(json.get("segments")).hasSize(2);

    try (Stream<Path> folders = Files.list(dir)) {
      assertThat(folders).as("refused calls leave nothing on disk").containsExactly(folder);
    }
    assertThat(child.terminate()).isZero();
    assertThat(child.stderr.toString()).doesNotContain("s3cret").doesNotContain("n0t-the-secret");
  }

  @Test
  void maxCallsCountsAcrossBothTransports() throws Exception {
    child = RecordTestProcess.start("--port", "0", "--grpc-port", "0", "--tls", "none", "--max-calls", "1",
        "--recordings", dir.toString());
    int wsPort = child.awaitListening();
    Matcher grpc = GRPC_LISTENING.matcher(child.nextLine());
    assertThat(grpc.matches()).isTrue();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", Integer.parseInt(grpc.group(2))).usePlaintext().build();

    Outcome open = open(null);
    open.requests.onNext(dialogInit("first", "s"));
    assertThat(child.nextLine()).startsWith("call started first-s ");

    Outcome refused = open(null);
    refused.requests.onNext(dialogInit("second", "s"));
    assertThat(refused.status.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    CompletableFuture<WebSocket> ws = HttpClient.newHttpClient().newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + wsPort + "/?callId=ws"), new WebSocket.Listener() {});
    assertThatThrownBy(ws::join).isInstanceOf(CompletionException.class)
        .cause().isInstanceOf(WebSocketHandshakeException.class)
        .satisfies(e -> assertThat(((WebSocketHandshakeException) e).getResponse().statusCode()).isEqualTo(503));

    open.requests.onCompleted();
    assertThat(open.status.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
    assertThat(child.nextLine()).startsWith("call ended first-s closed complete=false ");
    assertThat(child.terminate()).isZero();
  }

  @Test
  void withTlsTheGrpcListenerIsGrpcsAndSigtermEndsOpenCallsWithShutdown() throws Exception {
    // A drain of zero: open calls end with shutdown at once
    child = RecordTestProcess.start("--port", "0", "--grpc-port", "0", "--recordings", dir.toString(),
        "--drain-timeout", "0");
    child.awaitListening();
    Matcher grpc = GRPC_LISTENING.matcher(child.nextLine());
    assertThat(grpc.matches()).isTrue();
    assertThat(grpc.group(1)).isEqualTo("grpcs");
    channel = NettyChannelBuilder.forAddress("127.0.0.1", Integer.parseInt(grpc.group(2)))
        .sslContext(GrpcSslContexts.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build())
        .build();
    Outcome call = open(null);
    call.requests.onNext(dialogInit("tls-call", "s"));
    call.requests.onNext(segmentStart("a", ParticipantType.AGENT));
    call.requests.onNext(media("a", 1, codes(0, CHUNK), 0));
    assertThat(child.nextLine()).startsWith("call started tls-call-s ");

    assertThat(child.terminate()).isZero();
    List<String> rest = child.remainingLines();
    assertThat(rest).anySatisfy(line -> assertThat(line).matches("call ended tls-call-s shutdown complete=false \\S+"));
    assertThat(call.status.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    Path folder = dir.toAbsolutePath().resolve("tls-call-s");
    assertThat(callJson(folder).get("endReason").asText()).isEqualTo("shutdown");
  }

  private Status.Code wrongSecretStatus(String authorization) throws Exception {
    Outcome call = open(authorization);
    call.requests.onNext(dialogInit("refused", "s"));
    call.requests.onCompleted();
    return call.status.get(10, TimeUnit.SECONDS).getCode();
  }

  private Outcome open(String authorization) {
    StreamingGrpc.StreamingStub stub = StreamingGrpc.newStub(channel);
    if (authorization != null) {
      Metadata headers = new Metadata();
      headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), authorization);
      stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    Outcome outcome = new Outcome();
    outcome.requests = stub.stream(outcome);
    return outcome;
  }

  /** The response side of one stream: its final status. */
  private static final class Outcome implements StreamObserver<Empty> {
    final CompletableFuture<Status> status = new CompletableFuture<>();
    StreamObserver<StreamEvent> requests;

    @Override
    public void onNext(Empty value) {}

    @Override
    public void onError(Throwable t) {
      status.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      status.complete(Status.OK);
    }
  }

  private static byte[] codes(int offset, int length) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) (i * 7 + offset);
    }
    return bytes;
  }

  private static StreamEvent dialogInit(String dialogId, String sessionId) {
    return StreamEvent.newBuilder().setSessionId(sessionId).setDialogInit(DialogInitEvent.newBuilder()
        .setAccount(Account.newBuilder().setId("acc").setSubAccountId("sub").setRcAccountId("rc"))
        .setDialog(Dialog.newBuilder().setId(dialogId))).build();
  }

  private static StreamEvent segmentStart(String id, ParticipantType type) {
    return StreamEvent.newBuilder().setSegmentStart(SegmentStartEvent.newBuilder().setSegmentId(id)
        .setParticipant(Participant.newBuilder().setId("p-" + id).setType(type))
        .setAudioFormat(AudioFormat.newBuilder().setCodec(Codec.PCMU).setRate(8000).setPtime(100))).build();
  }

  private static StreamEvent media(String id, int seq, byte[] audio, int chunk) {
    return StreamEvent.newBuilder().setSegmentMedia(SegmentMediaEvent.newBuilder().setSegmentId(id)
        .setAudioContent(AudioContent.newBuilder().setSeq(seq).setDuration(100)
            .setPayload(ByteString.copyFrom(audio, chunk * CHUNK, CHUNK)))).build();
  }

  private static StreamEvent stop(String id) {
    return StreamEvent.newBuilder().setSegmentStop(SegmentStopEvent.newBuilder().setSegmentId(id)).build();
  }
}
