package dev.callstream.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callstream.testsupport.Wav;
import dev.callstream.testsupport.G711Reference;
import dev.callstream.testsupport.WebSocketPeer;
import dev.callstream.testsupport.PlatformJson;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One well-behaved call: Connected, Start, {@code frames} 20 ms mu-law frames per perspective paced in
 * real time (random codes from a seed, so every G.711 code occurs), both Stops. Remembers what it
 * sent to check the recording sample by sample.
 */
final class CleanCall {
  static final int FRAME_BYTES = 160;

  final String callId;
  final String sessionId;
  private final int frames;
  private final byte[] agent;
  private final byte[] conference;

  CleanCall(String callId, String sessionId, int frames, long seed) {
    this.callId = callId;
    this.sessionId = sessionId;
    this.frames = frames;
    Random random = new Random(seed);
    this.agent = new byte[frames * FRAME_BYTES];
    this.conference = new byte[frames * FRAME_BYTES];
    random.nextBytes(agent);
    random.nextBytes(conference);
  }

  /** The recorder's folder name for this call (ids here are already in the safe alphabet). */
  String folderName() {
    return callId + "-" + sessionId;
  }

  /**
   * Streams the call in real time on {@code timer}.
   *
   * @return the close code the server sent after the Stops
   */
  CompletableFuture<Integer> play(HttpClient client, URI server, Map<String, String> headers,
      ScheduledExecutorService timer) {
    CompletableFuture<Integer> result = new CompletableFuture<>();
    WebSocketPeer peer;
    try {
      peer = WebSocketPeer.connect(client, server, "callId=" + callId + "&sessionId=" + sessionId, headers);
      peer.send(PlatformJson.connected()).send(PlatformJson.start(callId, sessionId));
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
      return result;
    }
    AtomicInteger next = new AtomicInteger();
    CompletableFuture<ScheduledFuture<?>> task = new CompletableFuture<>();
    task.complete(timer.scheduleAtFixedRate(() -> {
      if (result.isDone()) {
        return;
      }
      try {
        int n = next.getAndIncrement();
        if (n < frames) {
          peer.send(PlatformJson.media("Participant", n, slice(agent, n)));
          peer.send(PlatformJson.media("Conference", n, slice(conference, n)));
          return;
        }
        peer.send(PlatformJson.stop("Participant")).send(PlatformJson.stop("Conference"));
        task.join().cancel(false);
        result.complete(peer.awaitCloseCode(15));
      } catch (Exception | Error e) {
        task.join().cancel(false);
        result.completeExceptionally(e);
      }
    }, 0, 20, TimeUnit.MILLISECONDS));
    return result;
  }

  /** Plays as fast as the socket takes it (no pacing) and waits for the close code. */
  int playFlooding(HttpClient client, URI server, Map<String, String> headers) throws Exception {
    WebSocketPeer peer = WebSocketPeer.connect(client, server, "callId=" + callId + "&sessionId=" + sessionId, headers);
    peer.send(PlatformJson.connected()).send(PlatformJson.start(callId, sessionId));
    for (int n = 0; n < frames; n++) {
      peer.send(PlatformJson.media("Participant", n, slice(agent, n)));
      peer.send(PlatformJson.media("Conference", n, slice(conference, n)));
    }
    peer.send(PlatformJson.stop("Participant")).send(PlatformJson.stop("Conference"));
    return peer.awaitCloseCode(15);
  }

  static byte[] slice(byte[] audio, int frame) {
    return Arrays.copyOfRange(audio, frame * FRAME_BYTES, (frame + 1) * FRAME_BYTES);
  }

  /** The first {@code frames} frames of the agent side as sent. */
  byte[] agentSent(int frameCount) {
    return Arrays.copyOf(agent, frameCount * FRAME_BYTES);
  }

  byte[] conferenceSent(int frameCount) {
    return Arrays.copyOf(conference, frameCount * FRAME_BYTES);
  }

  /** Checks the three WAV files hold exactly the G.711 reference decode of what was sent, and call.json. */
  void assertRecordedExactly(Path folder, String endReason, boolean complete) throws Exception {
    assertRecorded(folder, frames, frames);
    JsonNode json = new ObjectMapper().readTree(folder.resolve("call.json").toFile());
    assertThat(json.path("complete").asBoolean()).as("%s complete", folder).isEqualTo(complete);
    assertThat(json.path("endReason").asText()).as("%s endReason", folder).isEqualTo(endReason);
    for (String side : new String[] {"agent", "conference"}) {
      JsonNode stats = json.path("channels").path(side);
      assertThat(stats.path("frames").asInt()).as("%s %s frames", folder, side).isEqualTo(frames);
      assertThat(stats.path("gaps").asInt()).as("%s %s gaps", folder, side).isZero();
    }
  }

  /** The WAV files hold the reference decode of the first frames sent per side (the longer side sets the length). */
  void assertRecorded(Path folder, int agentFrames, int conferenceFrames) throws Exception {
    short[] agentPcm = G711Reference.decodeMulaw(agentSent(agentFrames));
    short[] conferencePcm = G711Reference.decodeMulaw(conferenceSent(conferenceFrames));
    int length = Math.max(agentPcm.length, conferencePcm.length);
    agentPcm = Arrays.copyOf(agentPcm, length);
    conferencePcm = Arrays.copyOf(conferencePcm, length);
    Wav agentWav = Wav.read(folder.resolve("agent.wav"));
    Wav conferenceWav = Wav.read(folder.resolve("conference.wav"));
    Wav stereoWav = Wav.read(folder.resolve("stereo.wav"));
    assertThat(agentWav.channels()).isEqualTo(1);
    assertThat(agentWav.sampleRate()).isEqualTo(8000);
    assertThat(stereoWav.channels()).isEqualTo(2);
    assertThat(agentWav.samples()).as("%s agent.wav", folder).isEqualTo(agentPcm);
    assertThat(conferenceWav.samples()).as("%s conference.wav", folder).isEqualTo(conferencePcm);
    assertThat(stereoWav.channel(0)).as("%s stereo left", folder).isEqualTo(agentPcm);
    assertThat(stereoWav.channel(1)).as("%s stereo right", folder).isEqualTo(conferencePcm);
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
