package dev.callstream.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.callstream.provisioning.ApiException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProvisionProfileTest {
  private static final String[] ARGS = {"99990001", "99990000", "37439510", "1234", "wss://stream.example.com:8443"};
  private static final String PROFILE = "{\"productType\":\"QUEUE\",\"productId\":1234,\"subAccountId\":\"99990001\","
      + "\"mainAccountId\":\"99990000\",\"rcAccountId\":\"37439510\","
      + "\"streamingUrl\":\"wss://stream.example.com:8443\",\"secret\":\"s3cret-value\"}";

  private final MockWebServer ringCx = new MockWebServer();
  private final ByteArrayOutputStream output = new ByteArrayOutputStream();
  private final ObjectMapper mapper = new ObjectMapper();
  private Map<String, String> env;

  @BeforeEach
  void start() throws IOException {
    ringCx.start(InetAddress.getLoopbackAddress(), 0);
    String baseUrl = ringCx.url("/").toString().replaceFirst("/$", "");
    env = Map.of("RINGCX_BASE_URL", baseUrl, "RINGCX_TOKEN", "ringcx-token-1", "STREAM_SECRET", "s3cret-value");
  }

  @AfterEach
  void stop() {
    ringCx.close();
  }

  @Test
  void createsReadsAndDeletesTheQueuesProfile() throws Exception {
    ringCx.enqueue(json(200, PROFILE));
    ringCx.enqueue(json(200, PROFILE));
    ringCx.enqueue(new MockResponse.Builder().code(200).body("Streaming profile deleted").build());

    ProvisionProfile.run(ARGS, env, new PrintStream(output, true, UTF_8));

    RecordedRequest create = take();
    assertThat(create.getMethod()).isEqualTo("POST");
    assertThat(create.getTarget()).isEqualTo("/platform/api/media/product");
    assertThat(create.getHeaders().get("Authorization")).isEqualTo("Bearer ringcx-token-1");
    assertThat(mapper.readTree(create.getBody().utf8())).isEqualTo(mapper.readTree(PROFILE));
    RecordedRequest read = take();
    assertThat(read.getMethod()).isEqualTo("GET");
    assertThat(read.getTarget()).isEqualTo("/platform/api/media/product/account/99990001/type/QUEUE/id/1234");
    assertThat(read.getHeaders().get("Authorization")).isEqualTo("Bearer ringcx-token-1");
    RecordedRequest delete = take();
    assertThat(delete.getMethod()).isEqualTo("DELETE");
    assertThat(delete.getTarget()).isEqualTo("/platform/api/media/product/account/99990001/type/QUEUE/id/1234");

    assertThat(output.toString(UTF_8).lines()).containsExactly(
        "created: StreamingProfile[productType=QUEUE, productId=1234, subAccountId=99990001, mainAccountId=99990000,"
            + " rcAccountId=37439510, streamingUrl=wss://stream.example.com:8443, secret=***]",
        "read:    StreamingProfile[productType=QUEUE, productId=1234, subAccountId=99990001, mainAccountId=99990000,"
            + " rcAccountId=37439510, streamingUrl=wss://stream.example.com:8443, secret=***]",
        "deleted: queue 1234");
  }

  @Test
  void stopsAtTheFirstErrorWithTheServersMessage() throws Exception {
    ringCx.enqueue(json(409, "{\"message\":\"a profile already exists for this queue\"}"));

    assertThatThrownBy(() -> ProvisionProfile.run(ARGS, env, new PrintStream(output, true, UTF_8)))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(409))
        .hasMessageContaining("a profile already exists for this queue")
        .hasMessageNotContaining("s3cret-value")
        .hasMessageNotContaining("ringcx-token-1");
    assertThat(take().getMethod()).isEqualTo("POST");
    assertThat(ringCx.getRequestCount()).isEqualTo(1);
    assertThat(output.toString(UTF_8)).isEmpty();
  }

  private RecordedRequest take() throws InterruptedException {
    RecordedRequest request = ringCx.takeRequest(5, TimeUnit.SECONDS);
    assertThat(request).as("request within 5 s").isNotNull();
    return request;
  }

  private static MockResponse json(int code, String body) {
    return new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json").body(body).build();
  }
}
