package dev.callstream.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callstream.provisioning.MediaControlClient;
import dev.callstream.provisioning.NotFoundException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StreamAgentLegTest {
  private static final String[] ARGS = {"37439510", "99990001", "dlg-1", "seg-agent-2", "wss://media.example.com/audio"};
  private static final String SEGMENT =
      "/voice/api/cx/integration/v1/accounts/37439510/sub-accounts/99990001/dialogs/dlg-1/segments/seg-agent-2/streams";

  private final MockWebServer ringCx = new MockWebServer();
  private final ByteArrayOutputStream output = new ByteArrayOutputStream();
  private final ObjectMapper mapper = new ObjectMapper();
  private final AtomicInteger streamed = new AtomicInteger();
  private Map<String, String> env;

  @BeforeEach
  void start() throws IOException {
    ringCx.start(InetAddress.getLoopbackAddress(), 0);
    String baseUrl = ringCx.url("/").toString().replaceFirst("/$", "");
    env = Map.of("RINGCX_BASE_URL", baseUrl, "RINGCX_TOKEN", "ringcx-token-1", "RECEIVER_TOKEN", "rcv-token-9");
  }

  @AfterEach
  void stop() {
    ringCx.close();
  }

  @Test
  void startsTheAgentSegmentsStreamThenStopsItWithTheSameStreamId() throws Exception {
    ringCx.enqueue(new MockResponse.Builder().code(200).build());
    ringCx.enqueue(new MockResponse.Builder().code(200).build());

    boolean done = StreamAgentLeg.run(ARGS, env, new PrintStream(output, true, UTF_8), streamed::incrementAndGet);

    String streamId = MediaControlClient.streamId("agent-leg", "dlg-1", "seg-agent-2");
    assertThat(done).isTrue();
    assertThat(streamed).hasValue(1);
    RecordedRequest start = take();
    assertThat(start.getMethod()).isEqualTo("POST");
    assertThat(start.getTarget()).isEqualTo(SEGMENT);
    assertThat(start.getHeaders().get("Authorization")).isEqualTo("Bearer ringcx-token-1");
    assertThat(mapper.readTree(start.getBody().utf8())).isEqualTo(mapper.readTree(
        "{\"url\":\"wss://media.example.com/audio\",\"streamId\":\"" + streamId + "\",\"token\":\"rcv-token-9\","
            + "\"properties\":{\"encoding\":\"PCMU\",\"rate\":8000,\"ptime\":20}}"));
    RecordedRequest stop = take();
    assertThat(stop.getMethod()).isEqualTo("DELETE");
    assertThat(stop.getTarget()).isEqualTo(SEGMENT + "/" + streamId);
    assertThat(output.toString(UTF_8).lines()).containsExactly("started: " + streamId, "stopped: " + streamId);
  }

  @Test
  void anUncertainStartIsReportedAndNeitherRetriedNorStopped() throws Exception {
    ringCx.enqueue(new MockResponse.Builder().code(504).build());

    boolean done = StreamAgentLeg.run(ARGS, env, new PrintStream(output, true, UTF_8), streamed::incrementAndGet);

    assertThat(done).isFalse();
    assertThat(streamed).hasValue(0);
    assertThat(ringCx.getRequestCount()).isEqualTo(1);
    assertThat(output.toString(UTF_8)).startsWith("uncertain: cs-").contains("HTTP 504").doesNotContain("rcv-token-9");
  }

  @Test
  void aSegmentThatIsGoneIsANotFoundException() {
    ringCx.enqueue(new MockResponse.Builder().code(404).body("{\"message\":\"Segment not found\"}").build());

    assertThatThrownBy(() -> StreamAgentLeg.run(ARGS, env, new PrintStream(output, true, UTF_8), streamed::incrementAndGet))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("Segment not found")
        .hasMessageNotContaining("rcv-token-9");
    assertThat(streamed).hasValue(0);
  }

  private RecordedRequest take() throws InterruptedException {
    RecordedRequest request = ringCx.takeRequest(5, TimeUnit.SECONDS);
    assertThat(request).as("request within 5 s").isNotNull();
    return request;
  }
}
