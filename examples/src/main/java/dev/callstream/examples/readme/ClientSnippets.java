package dev.callstream.examples.readme;

import dev.callstream.core.CallSession;
import dev.callstream.examples.TalkTimeAnalytics;
import dev.callstream.kafka.KafkaCallSource;
import dev.callstream.provisioning.MediaControlClient;
import dev.callstream.provisioning.ProductType;
import dev.callstream.provisioning.StartStreamRequest;
import dev.callstream.provisioning.StreamScope;
import dev.callstream.provisioning.StreamStartOutcome;
import dev.callstream.provisioning.StreamingProfile;
import dev.callstream.provisioning.StreamingProfileClient;
import java.util.function.BiConsumer;

/**
 * The README's provisioning, media-control and Kafka blocks, compiled (compared by
 * {@code ReadmeSnippetsTest}). Not run: they need a RingCentral account or a Kafka broker; the
 * examples {@code ProvisionProfile}, {@code StreamAgentLeg} and {@code KafkaTalkTime} run the same
 * calls against mock servers and an embedded broker in their tests.
 */
final class ClientSnippets {

  private ClientSnippets() {}

  static StreamingProfile provisioning(String ringCentralToken, String secret) {
    // readme:begin provisioning
    StreamingProfileClient client = StreamingProfileClient.builder()
        .rcAccessToken(ringCentralToken)        // exchanged for a RingCX token, cached and refreshed
        .build();
    StreamingProfile profile = client.create(StreamingProfile.builder()
        .productType(ProductType.QUEUE).productId(1234)
        .subAccountId("99990001").mainAccountId("99990000").rcAccountId("123456789")
        .streamingUrl("wss://stream.example.com").secret(secret).build());
    // readme:end provisioning
    return profile;
  }

  static StreamStartOutcome mediaControl(String ringCentralToken, String rcAccountId, String subAccountId,
      String dialogId, String segmentId) {
    // readme:begin media-control
    MediaControlClient media = MediaControlClient.builder().rcAccessToken(ringCentralToken).build();
    StreamScope agentLeg = StreamScope.segment(rcAccountId, subAccountId, dialogId, segmentId);
    String streamId = MediaControlClient.streamId("qa-review", dialogId, segmentId); // same keys, same id
    StreamStartOutcome outcome = media.start(agentLeg, StartStreamRequest.builder()
        .url("wss://media.example.com/audio").streamId(streamId).build());
    // ... later, or from another process that derives the same streamId:
    media.stop(agentLeg, streamId);
    // readme:end media-control
    return outcome;
  }

  static KafkaCallSource kafka(BiConsumer<CallSession, TalkTimeAnalytics.Summary> print) {
    // readme:begin kafka-workers
    KafkaCallSource workers = KafkaCallSource.builder("broker:9092", TalkTimeAnalytics.factory(print))
        .topic("callstream").group("analytics").consumers(2).start();   // close() to stop
    // readme:end kafka-workers
    return workers;
  }
}
