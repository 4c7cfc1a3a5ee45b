package dev.callstream.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callstream.testsupport.WebSocketPeer;
import dev.callstream.testsupport.PlatformJson;
import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallInfo;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamException;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.EndReason;
import dev.callstream.core.Gap;
import dev.callstream.core.Segment;
import dev.callstream.core.TransportEvent;
import dev.callstream.core.recording.CallRecorder;
import dev.callstream.server.wire.Start;
import dev.callstream.server.wire.Stop;
import dev.callstream.server.wire.Unknown;
import dev.callstream.transport.Authenticator;
import dev.callstream.transport.Tls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A secret named in any of the ways people name them (secret, api_key, X-Auth-Token, password,
 * clientSecret, accessToken, credentials.pwd, refresh_token, authorization...) in the query, the
 * Start or Stop metadata or an unknown event never reaches a listener, call.json or an exception
 * message; the secret that is checked is still accepted exactly where CONTRACTS.md section 2 says.
 */
class SecretNamesTest extends ServerTestSupport {
  private static final String SECRET = "Chk-9f2Lq7Wx";
  /** Every value below is a credential under a name the one rule calls secret. */
  private static final List<String> HIDDEN = List.of(SECRET, "QS-api-1d8", "QS-tok-2e7", "QS-pw-3c6",
      "SS-cs-4b5", "SS-ak-5a4", "SS-at-6f3", "SS-pw-7e2", "SS-pwd-8d1", "ST-rt-9c0", "UN-au-0b9", "UN-ak-1a8");

  @TempDir Path recordings;

  /** Everything a listener is given, as text, and the errors it is told about. */
  private static final class Seen implements CallStreamListener {
    final List<String> texts = new CopyOnWriteArrayList<>();
    final CompletableFuture<EndReason> end = new CompletableFuture<>();
    final CallStreamListener recorder;

    Seen(CallInfo info, CallStreamListener recorder) {
      this.recorder = recorder;
      texts.add(info.parameters().toString());
      texts.add(info.toString());
    }

    @Override
    public void onStart(CallSession session) {
      texts.add(String.valueOf(session.metadata()));
      texts.add(session.info().parameters().toString());
      texts.add(session.wireDetails().toString());
      recorder.onStart(session);
    }

    @Override
    public void onSegmentStart(CallSession session, Segment segment) {
      recorder.onSegmentStart(session, segment);
    }

    @Override
    public void onAudio(CallSession session, AudioFrame frame) {
      recorder.onAudio(session, frame);
    }

    @Override
    public void onGap(CallSession session, Gap gap) {
      recorder.onGap(session, gap);
    }

    @Override
    public void onSegmentStop(CallSession session, Segment segment) {
      texts.add(session.wireDetails().toString());
      recorder.onSegmentStop(session, segment);
    }

    @Override
    public void onTransportEvent(CallSession session, TransportEvent event) {
      texts.add(event.fields().toString());
      if (event instanceof Start start) {
        texts.add(start.metadata().toString());
        texts.add(start.toString());
      } else if (event instanceof Stop stop) {
        texts.add(stop.metadata().toString());
      } else if (event instanceof Unknown unknown) {
        texts.add(unknown.json());
      }
      recorder.onTransportEvent(session, event);
    }

    @Override
    public void onError(CallSession session, CallStreamException error) {
      texts.add(String.valueOf(error.getMessage()));
      recorder.onError(session, error);
    }

    @Override
    public void onEnd(CallSession session, EndReason reason, Throwable cause) {
      texts.add(String.valueOf(cause));
      recorder.onEnd(session, reason, cause);
      end.complete(reason);
    }
  }

  private final List<Seen> seen = new CopyOnWriteArrayList<>();

  private CallStreamServer server() {
    CallRecorder recorder = CallRecorder.create(recordings);
    return start(builder -> builder.tls(Tls.none())
        .authenticator(Authenticator.secrets(List.of(SECRET)))
        .listenerFactory(info -> {
          Seen listener = new Seen(info, recorder.create(info));
          seen.add(listener);
          return listener;
        }));
  }

  private static String startWith(String callId, String secretField) {
    String base = PlatformJson.startWithSecret(callId, secretField);
    return base.substring(0, base.length() - 2) + ",\"clientSecret\":\"SS-cs-4b5\",\"apiKey\":\"SS-ak-5a4\","
        + "\"accessToken\":\"SS-at-6f3\",\"Password\":\"SS-pw-7e2\",\"credentials\":{\"user\":\"u\",\"pwd\":\"SS-pwd-8d1\"}}}";
  }

  private static void playCall(WebSocketPeer peer, String callId, String secretField) {
    peer.send(PlatformJson.connected(), startWith(callId, secretField),
        "{\"event\":\"Surprise\",\"authorization\":\"UN-au-0b9\",\"nested\":{\"x-api-key\":\"UN-ak-1a8\"}}");
    for (int sequence = 0; sequence < 3; sequence++) {
      peer.send(PlatformJson.media("Participant", sequence, PlatformJson.frame(sequence)), PlatformJson.media("Conference", sequence,
          PlatformJson.frame(sequence)));
    }
    String stop = "{\"event\":\"Stop\",\"metadata\":{\"duration\":1,\"refresh_token\":\"ST-rt-9c0\"}}";
    peer.send(stop, stop);
  }

  private void assertHiddenEverywhere(Seen listener) throws Exception {
    assertThat(listener.end.get(10, TimeUnit.SECONDS)).isEqualTo(EndReason.STOPPED);
    String everything = String.join("\n", listener.texts);
    assertThat(everything).as("what the listener saw").contains("Surprise", "duration");
    for (String value : HIDDEN) {
      assertThat(everything).as("what the listener saw").doesNotContain(value);
    }
  }

  @Test
  void secretsUnderAnyNameReachNoListenerAndNoCallJsonWhenTheQueryAndHeaderCarryTheCheckedOne() throws Exception {
    CallStreamServer server = server();
    WebSocketPeer peer = Peers.connect(server, "callId=q1&sessionId=1&secret=" + SECRET
        + "&api_key=QS-api-1d8&X-Auth-Token=QS-tok-2e7&password=QS-pw-3c6", Map.of("Authorization", "Bearer " + SECRET));
    playCall(peer, "q1", null);
    assertThat(peer.awaitCloseCode(10)).isEqualTo(1000);
    assertHiddenEverywhere(seen.get(0));
    assertThat(seen.get(0).texts.get(0)).contains("callId=q1");
    assertCallJsonsHideEverything(1);
  }

  @Test
  void theStartSecretIsStillCheckedAndOtherNamesAreHiddenToo() throws Exception {
    CallStreamServer server = server();
    WebSocketPeer wrong = Peers.connect(server, "callId=w1&sessionId=1");
    wrong.send(PlatformJson.connected(), startWith("w1", "not-" + SECRET));
    assertThat(wrong.awaitCloseCode(10)).isEqualTo(1008);

    WebSocketPeer right = Peers.connect(server, "callId=s1&sessionId=1&api_key=QS-api-1d8");
    playCall(right, "s1", SECRET);
    assertThat(right.awaitCloseCode(10)).isEqualTo(1000);
    assertThat(seen).hasSize(1);
    assertHiddenEverywhere(seen.get(0));
    assertCallJsonsHideEverything(1);
  }

  private void assertCallJsonsHideEverything(int calls) throws Exception {
    List<Path> jsons;
    try (Stream<Path> files = Files.walk(recordings)) {
      jsons = files.filter(file -> file.getFileName().toString().equals("call.json")).toList();
    }
    assertThat(jsons).hasSize(calls);
    for (Path json : jsons) {
      String text = Files.readString(json);
      assertThat(text).contains("\"complete\" : true");
      for (String value : HIDDEN) {
        assertThat(text).as(json.toString()).doesNotContain(value);
      }
    }
  }
}
