package dev.callstream.cli;

import static dev.callstream.cli.RecordTestSupport.callJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.callstream.testsupport.Wav;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callstream.testsupport.G711Reference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code callstream record --grpc-port} with TLS and a secret, fed by an independent client not written
 * in Java: callstream-bench's grpc_sender.py (Debian's python3-grpcio; skipped without it). 20
 * concurrent calls with drop, duplicate, reorder and garbage faults, then calls cut by abort, then a
 * wrong secret; every recording is compared sample by sample with the audio the sender dumped.
 */
class RecordGrpcPythonClientTest {
  private static final String PYTHON = "/usr/bin/python3";
  private static final Path SENDER = Path.of("../callstream-bench/src/main/python/grpc_sender.py");
  private static final Pattern GRPC_LISTENING = Pattern.compile("listening on grpcs://127\\.0\\.0\\.1:(\\d+)");
  private static final int CHUNK = 800;
  /** The receiver's default reorder window in chunks. */
  private static final int REORDER_WINDOW = 5;
  private final ObjectMapper json = new ObjectMapper();
  @TempDir Path dir;
  private RecordTestProcess child;

  @BeforeAll
  static void needsPythonGrpc() throws Exception {
    boolean available;
    try {
      Process probe = new ProcessBuilder(PYTHON, "-c",
          "import grpc, google.protobuf, shutil, sys; sys.exit(0 if shutil.which('protoc') else 1)").redirectErrorStream(true).start();
      available = probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0;
    } catch (IOException e) {
      available = false;
    }
    Assumptions.assumeTrue(available,
        "skipped: needs /usr/bin/python3 with grpc and protobuf, and protoc (apt-get install python3-grpcio python3-protobuf protobuf-compiler)");
  }

  @AfterEach
  void cleanUp() {
    if (child != null) {
      child.destroyIfAlive();
    }
  }

  private record Sent(int exit, List<JsonNode> reports, JsonNode summary) {}

  private Sent send(int port, String secret, String... more) throws Exception {
    List<String> command = new ArrayList<>(List.of(PYTHON, SENDER.toString(),
        "--target", "127.0.0.1:" + port, "--tls", "--trust-server-certificate", "--secret", secret,
        "--gen-dir", "target/python-gen"));
    command.addAll(List.of(more));
    Path stderr = Files.createTempFile(dir, "sender", ".err");
    Process sender = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
    String out = new String(sender.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(sender.waitFor(120, TimeUnit.SECONDS)).isTrue();
    List<JsonNode> lines = new ArrayList<>();
    for (String line : out.strip().split("\n")) {
      lines.add(json.readTree(line));
    }
    assertThat(lines).as("sender output %s %s", out, Files.readString(stderr)).isNotEmpty();
    return new Sent(sender.exitValue(), lines.subList(0, lines.size() - 1), lines.get(lines.size() - 1));
  }

  /**
   * A segment's recording holds each planned chunk at its place from seq 1 (RingCX numbers from 1, so
   * a lost first chunk is silence; only a run of lost first chunks longer than the reorder window
   * moves the start to the first chunk that arrived), silence for a dropped one, and silence after
   * the last chunk that arrived (files last the whole call).
   */
  private static void assertSegment(short[] recorded, byte[] planned, JsonNode faults, String what) {
    Set<Integer> dropped = new HashSet<>();
    faults.path("dropped").forEach(n -> dropped.add(n.asInt()));
    int chunks = planned.length / CHUNK;
    int firstArrived = 1;
    while (dropped.contains(firstArrived)) {
      firstArrived++;
    }
    int base = firstArrived - 1 <= REORDER_WINDOW ? 1 : firstArrived;
    int last = chunks;
    while (dropped.contains(last)) {
      last--;
    }
    assertThat(recorded.length).as("%s: samples", what).isBetween((last - base + 1) * CHUNK, chunks * CHUNK);
    short[] expected = G711Reference.decodeMulaw(planned);
    for (int i = 0; i < recorded.length; i++) {
      int seq = base + i / CHUNK;
      short want = seq > last || dropped.contains(seq) ? 0 : expected[(seq - 1) * CHUNK + i % CHUNK];
      if (recorded[i] != want) {
        fail("%s: sample %d (seq %d) is %d, expected %d", what, i, seq, recorded[i], want);
      }
    }
  }

  @Test
  void twentyPythonCallsWithFaultsOverTlsAreRecordedBitExact() throws Exception {
    child = RecordTestProcess.start("--port", "0", "--grpc-port", "0", "--secret", "s3cret", "--recordings",
        dir.resolve("rec").toString());
    child.awaitListening();
    Matcher grpc = GRPC_LISTENING.matcher(child.nextLine());
    assertThat(grpc.matches()).as("the gRPC listener is grpcs").isTrue();
    int port = Integer.parseInt(grpc.group(1));

    Path dump = dir.resolve("dump");
    Sent faulty = send(port, "s3cret", "--calls", "20", "--duration", "3", "--flood", "--seed", "11",
        "--fault", "drop,duplicate,reorder,garbage", "--fault-rate", "0.05", "--dump", dump.toString());
    assertThat(faulty.exit()).as("%s", faulty.reports()).isZero();
    assertThat(faulty.summary().path("failedCalls").asInt()).isZero();
    Set<String> ended = new HashSet<>();
    for (int i = 0; i < 40; i++) {
      String line = child.nextLine();
      if (line.startsWith("call ended ")) {
        assertThat(line).matches("call ended \\S+ stopped complete=true \\S+");
        ended.add(line.split(" ")[2]);
      }
    }
    assertThat(ended).hasSize(20);
    int faultsSeen = 0;
    for (JsonNode report : faulty.reports()) {
      String dialog = report.path("dialogId").asText();
      Path folder = dir.resolve("rec").resolve(dialog + "-" + report.path("sessionId").asText());
      assertThat(ended).contains(folder.getFileName().toString());
      JsonNode call = callJson(folder);
      assertThat(call.path("transport").asText()).isEqualTo("grpc");
      assertThat(call.path("complete").asBoolean()).isTrue();
      for (String role : List.of("contact", "agent")) {
        String segment = dialog + "-" + role;
        JsonNode faults = report.path("segments").path(segment);
        byte[] planned = Files.readAllBytes(dump.resolve(segment + ".ul"));
        short[] alone = Wav.read(folder.resolve("segment-" + segment + ".wav")).samples();
        assertSegment(alone, planned, faults, segment);
        // one participant per side: agent.wav and conference.wav are that segment, to the call's length
        short[] side = Wav.read(folder.resolve(role.equals("agent") ? "agent.wav" : "conference.wav")).samples();
        assertSegment(java.util.Arrays.copyOf(side, Math.min(side.length, alone.length)), planned, faults, role);
        JsonNode counters = null;
        for (JsonNode s : call.path("segments")) {
          if (s.path("id").asText().equals(segment)) {
            counters = s;
          }
        }
        assertThat(counters).as("call.json segment %s", segment).isNotNull();
        assertThat(counters.path("duplicates").asInt()).isEqualTo(faults.path("duplicated").size());
        assertThat(counters.path("reordered").asInt()).isEqualTo(faults.path("reordered").size());
        faultsSeen += faults.path("dropped").size() + faults.path("duplicated").size() + faults.path("reordered").size();
      }
    }
    assertThat(faultsSeen).as("faults injected across the calls").isPositive();

    Sent aborted = send(port, "s3cret", "--calls", "2", "--duration", "3", "--flood", "--seed", "12", "--fault", "abort",
        "--dialog-prefix", "cut");
    assertThat(aborted.exit()).isZero();
    assertThat(aborted.reports()).allSatisfy(r -> assertThat(r.path("aborted").asBoolean()).isTrue());
    List<String> abortEnds = new ArrayList<>();
    while (abortEnds.size() < 2) {
      String line = child.nextLine();
      if (line.startsWith("call ended ")) {
        abortEnds.add(line);
      }
    }
    assertThat(abortEnds).allSatisfy(line -> assertThat(line).matches("call ended cut-\\S+ closed complete=false \\S+"));

    Sent refused = send(port, "bogus-x9q", "--calls", "1", "--duration", "1", "--flood", "--dialog-prefix", "refused");
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.reports().get(0).path("status").asText()).isEqualTo("UNAUTHENTICATED");
    try (Stream<Path> folders = Files.list(dir.resolve("rec"))) {
      assertThat(folders.map(p -> p.getFileName().toString())).hasSize(22).noneMatch(name -> name.startsWith("refused"));
    }
    assertThat(child.terminate()).isZero();
    assertThat(child.stderr.toString()).doesNotContain("s3cret").doesNotContain("bogus-x9q");
  }
}
