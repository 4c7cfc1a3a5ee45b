package dev.callstream.examples;

import dev.callstream.core.AudioChannel;
import dev.callstream.core.AudioFrame;
import dev.callstream.core.CallSession;
import dev.callstream.core.CallStreamListener;
import dev.callstream.core.EndReason;
import dev.callstream.core.Gap;
import dev.callstream.server.CallStreamServer;
import dev.callstream.transport.Tls;
import java.time.Duration;
import java.util.Locale;
import java.util.function.BiConsumer;

/**
 * Talk-time figures computed live from the audio alone: how long the agent and the caller spoke, how
 * long both spoke at once (overtalk) and the longest stretch when nobody spoke.
 *
 * <p>An energy voice activity detector judges every 20 ms frame of each side: speech when its RMS
 * level exceeds {@link #SPEECH_RMS}, held for a short hangover across the dips between syllables.
 * The sides are paired slot by slot by {@link AudioFrame#position()}; missing frames are silence.
 * {@code main} serves until Ctrl-C on port {@code [args[0]]} (default 3333), printing each call's figures.
 */
public final class TalkTimeAnalytics implements CallStreamListener {

  /** A call's figures, each a multiple of 20 ms. */
  public record Summary(Duration agentTalk, Duration callerTalk, Duration overtalk, Duration longestSilence) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "agent %.2f s, caller %.2f s, overtalk %.2f s, longest silence %.2f s",
          agentTalk.toMillis() / 1e3, callerTalk.toMillis() / 1e3, overtalk.toMillis() / 1e3,
          longestSilence.toMillis() / 1e3);
    }
  }

  static final double SPEECH_RMS = 500; // about -36 dBFS: speech is far above, line noise below
  static final int HANGOVER_FRAMES = 3; // 60 ms
  static final int MAX_SKEW = 50;       // slots (< 64) a side may run ahead before the other counts as silent

  private final BiConsumer<CallSession, Summary> onSummary;
  private final long[] recent = new long[2]; // per side: bit (slot % 64) set when speaking in that slot
  private final long[] heard = new long[2];  // per side: slots received so far
  private final int[] hangover = new int[2];
  private long counted, agent, caller, both, silence, longestSilence;

  /** One analyser per call; {@code onSummary} gets the call's figures when it ends. */
  public static CallStreamListener.Factory factory(BiConsumer<CallSession, Summary> onSummary) {
    return call -> new TalkTimeAnalytics(onSummary);
  }

  private TalkTimeAnalytics(BiConsumer<CallSession, Summary> onSummary) {
    this.onSummary = onSummary;
  }

  @Override
  public void onAudio(CallSession session, AudioFrame frame) {
    int side = frame.channel().stereoIndex();
    double energy = 0;
    for (short sample : frame.samples()) {
      energy += sample * sample;
    }
    boolean voice = Math.sqrt(energy / frame.sampleCount()) > SPEECH_RMS;
    record(side, frame.position(), voice || hangover[side] > 0);
    hangover[side] = voice ? HANGOVER_FRAMES : Math.max(0, hangover[side] - 1);
  }

  @Override
  public void onGap(CallSession session, Gap gap) {
    for (long slot = gap.fromPosition(); slot < gap.fromPosition() + gap.frameCount(); slot++) {
      record(gap.channel().stereoIndex(), slot, false);
    }
  }

  @Override
  public void onEnd(CallSession session, EndReason reason, Throwable cause) {
    while (counted < Math.max(heard[0], heard[1])) {
      countSlot();
    }
    onSummary.accept(session, summary());
  }

  /** The figures so far; call it from this call's callbacks. */
  public Summary summary() {
    return new Summary(Duration.ofMillis(20 * agent), Duration.ofMillis(20 * caller),
        Duration.ofMillis(20 * both), Duration.ofMillis(20 * longestSilence));
  }

  private void record(int side, long slot, boolean speaking) {
    if (slot < counted) {
      return; // this side is over a second late: the slot was already counted as silence
    }
    recent[side] = speaking ? recent[side] | 1L << slot : recent[side] & ~(1L << slot); // long shifts use slot % 64
    heard[side] = slot + 1;
    while (counted < Math.min(heard[0], heard[1]) || Math.max(heard[0], heard[1]) - counted > MAX_SKEW) {
      countSlot();
    }
  }

  private void countSlot() {
    boolean agentSpeaks = counted < heard[0] && (recent[0] >>> counted & 1) == 1;
    boolean callerSpeaks = counted < heard[1] && (recent[1] >>> counted & 1) == 1;
    agent += agentSpeaks ? 1 : 0;
    caller += callerSpeaks ? 1 : 0;
    both += agentSpeaks && callerSpeaks ? 1 : 0;
    silence = agentSpeaks || callerSpeaks ? 0 : silence + 1;
    longestSilence = Math.max(longestSilence, silence);
    counted++;
  }

  public static void main(String[] args) throws InterruptedException {
    CallStreamServer server = CallStreamServer.builder()
        .port(args.length > 0 ? Integer.parseInt(args[0]) : 3333)
        .tls(Tls.selfSigned()) // production: Tls.pem(chain, key) or Tls.pkcs12(keystore, password)
        .listenerFactory(factory((call, summary) -> System.out.println(call.callId() + ": " + summary)))
        .build().start();
    System.out.println("listening on " + server.uri());
    Runtime.getRuntime().addShutdownHook(new Thread(server::close));
    server.awaitTermination(); // serve until Ctrl-C has closed the server
  }
}
