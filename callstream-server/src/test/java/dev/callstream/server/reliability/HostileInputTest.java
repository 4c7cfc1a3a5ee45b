package dev.callstream.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.callstream.testsupport.Wav;
import dev.callstream.testsupport.WebSocketPeer;
import dev.callstream.testsupport.PlatformJson;
import dev.callstream.core.recording.CallRecorder;
import dev.callstream.server.CallStreamServer;
import dev.callstream.transport.Authenticator;
import dev.callstream.transport.Tls;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Over 10,000 malformed or hostile messages on over 100 connections, while 10 clean calls stream in
 * real time through the same server into a {@link CallRecorder}: the clean recordings are bit-exact,
 * every hostile connection ends the way its rule says, the server keeps serving, and threads and file
 * descriptors return to where they were. Seeded: a failure replays with the same messages.
 *
 * <p>The rules, one per {@link Hostility} class:
 * <ul>
 *   <li>{@code MALFORMED_FLOOD}: malformed messages are skipped and reported; the 100th of a call
 *       closes it with 1007.
 *   <li>{@code TOLERATED}: protocol oddities that are not malformed are tolerated and the call ends
 *       normally (1000 after both Stops): unknown events (delivered as unknown), Media before Start,
 *       Start twice (the second is reported and ignored), sequence numbers that are huge, negative,
 *       fractional or not numbers (dropped as late or placed without a sequence), ids of the wrong
 *       type, and up to 50 malformed messages in between (below the 1007 limit).
 *   <li>{@code BINARY}: binary frames are refused with 1003.
 *   <li>{@code OVERSIZED}: a message over 64 KiB is refused with 1009 before it is buffered.
 *   <li>{@code MEDIA_BEFORE_SECRET} and {@code WRONG_START_SECRET}: a call that must prove its secret
 *       at Start and sends Media first, or the wrong secret, is closed with 1008.
 * </ul>
 */
class HostileInputTest {
  private static final long SEED = 20240611L;
  private static final String SECRET = "fuzz-secret-0f9e8d";
  private static final Map<String, String> BEARER = Map.of("Authorization", "Bearer " + SECRET);
  private static final int CLEAN_CALLS = 10;
  private static final int CLEAN_FRAMES = 150; // 3 s per call

  enum Hostility {
    MALFORMED_FLOOD(1007), TOLERATED(1000), BINARY(1003), OVERSIZED(1009, BROKEN_WHILE_SENDING),
    MEDIA_BEFORE_SECRET(1008), WRONG_START_SECRET(1008);

    /** The outcomes its rule allows: the close code, and for OVERSIZED a write broken by the refusal. */
    final Integer[] outcomes;

    Hostility(Integer... outcomes) {
      this.outcomes = outcomes;
    }
  }

  /** An oversized message's write broke before the client could read the server's close frame. */
  private static final int BROKEN_WHILE_SENDING = -1009;

  @TempDir
  Path recordings;

  @Test
  void hostileTrafficNeitherDisturbsCleanCallsNorLeaksResources() throws Exception {
    CallStreamServer server = CallStreamServer.builder()
        .host("127.0.0.1").port(0).tls(Tls.none())
        .authenticator(Authenticator.secrets(List.of(SECRET)))
        .listenerFactory(CallRecorder.create(recordings))
        .build().start();
    ThreadPoolExecutor attackers = new ThreadPoolExecutor(6, 6, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
    ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(2);
    ThreadPoolExecutor clientThreads = new ThreadPoolExecutor(4, 4, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
    // the test's own threads exist before the baseline is taken
    attackers.prestartAllCoreThreads();
    timer.prestartAllCoreThreads();
    clientThreads.prestartAllCoreThreads();
    try {
      URI uri = server.uri();
      HttpClient client = WebSocketPeer.client(clientThreads);
      // warm up every pool (client selector, server I/O and dispatch threads) before the baseline
      new CleanCall("warmup", "0", 5, SEED).playFlooding(client, uri, BEARER);
      await().atMost(Duration.ofSeconds(10)).until(() -> server.activeCalls() == 0);
      int threadsBefore = threads();
      long fdsBefore = openFiles();

      List<CleanCall> clean = new ArrayList<>();
      List<CompletableFuture<Integer>> cleanCloses = new ArrayList<>();
      for (int i = 0; i < CLEAN_CALLS; i++) {
        CleanCall call = new CleanCall("clean" + i, "s" + i, CLEAN_FRAMES, SEED + i);
        clean.add(call);
        cleanCloses.add(call.play(client, uri, BEARER, timer));
      }

      Random random = new Random(SEED);
      List<Hostility> plan = new ArrayList<>();
      addTimes(plan, Hostility.MALFORMED_FLOOD, 60);
      addTimes(plan, Hostility.TOLERATED, 40);
      addTimes(plan, Hostility.BINARY, 5);
      addTimes(plan, Hostility.OVERSIZED, 5);
      addTimes(plan, Hostility.MEDIA_BEFORE_SECRET, 5);
      addTimes(plan, Hostility.WRONG_START_SECRET, 5);
      java.util.Collections.shuffle(plan, random);
      AtomicInteger messages = new AtomicInteger();
      List<Future<int[]>> outcomes = new ArrayList<>();
      for (int i = 0; i < plan.size(); i++) {
        Hostility kind = plan.get(i);
        long seed = random.nextLong();
        int index = i;
        outcomes.add(attackers.submit(() -> attack(client, uri, kind, index, new Random(seed), messages)));
      }
      Map<Hostility, List<Integer>> codes = new EnumMap<>(Hostility.class);
      for (int i = 0; i < plan.size(); i++) {
        int[] outcome = outcomes.get(i).get(60, TimeUnit.SECONDS);
        codes.computeIfAbsent(plan.get(i), k -> new ArrayList<>()).add(outcome[0]);
      }

      assertThat(messages.get()).as("hostile messages sent").isGreaterThanOrEqualTo(10_000);
      assertThat(plan).as("hostile connections").hasSizeGreaterThanOrEqualTo(100);
      codes.forEach((kind, list) ->
          assertThat(list).as("close codes of %s connections", kind).isSubsetOf(kind.outcomes));

      for (CompletableFuture<Integer> close : cleanCloses) {
        assertThat(close.get(30, TimeUnit.SECONDS)).as("clean call close code").isEqualTo(1000);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> server.activeCalls() == 0);
      for (CleanCall call : clean) {
        call.assertRecordedExactly(recordings.resolve(call.folderName()), "stopped", true);
      }
      for (File folder : recordings.toFile().listFiles(File::isDirectory)) {
        for (String track : List.of("agent.wav", "conference.wav", "stereo.wav")) {
          Path wav = folder.toPath().resolve(track);
          if (wav.toFile().exists()) {
            Wav.read(wav); // every recording, clean or hostile, is a valid file
          }
        }
      }

      // the server still serves, and what the attack took has been given back
      CleanCall after = new CleanCall("after", "1", 25, SEED - 1);
      assertThat(after.playFlooding(client, uri, BEARER)).isEqualTo(1000);
      await().atMost(Duration.ofSeconds(10)).until(() -> server.activeCalls() == 0);
      after.assertRecordedExactly(recordings.resolve(after.folderName()), "stopped", true);
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
        assertThat(threads()).as("threads (before: %d): %s", threadsBefore, threadNames())
            .isLessThanOrEqualTo(threadsBefore + 4);
        assertThat(openFiles()).as("open file descriptors (before: %d)", fdsBefore).isLessThanOrEqualTo(fdsBefore + 8);
      });
    } finally {
      attackers.shutdownNow();
      timer.shutdownNow();
      server.close();
      clientThreads.shutdownNow();
    }
  }

  private static void addTimes(List<Hostility> plan, Hostility kind, int times) {
    for (int i = 0; i < times; i++) {
      plan.add(kind);
    }
  }

  /** Runs one hostile connection; returns {close code}. */
  private static int[] attack(HttpClient client, URI uri, Hostility kind, int index, Random random,
      AtomicInteger messages) throws Exception {
    String callId = "hostile" + index;
    Map<String, String> headers = kind == Hostility.MEDIA_BEFORE_SECRET || kind == Hostility.WRONG_START_SECRET
        ? Map.of() : BEARER;
    WebSocketPeer peer = WebSocketPeer.connect(client, uri, "callId=" + callId + "&sessionId=" + index, headers);
    try {
      switch (kind) {
        case MALFORMED_FLOOD:
          peer.send(PlatformJson.connected()).send(PlatformJson.start(callId, "x"));
          for (int i = 0; i < 100; i++) {
            peer.send(malformed(random));
          }
          break;
        case TOLERATED:
          tolerated(peer, callId, random);
          break;
        case BINARY:
          peer.send(PlatformJson.start(callId, "x"));
          byte[] bytes = new byte[1 + random.nextInt(2000)];
          random.nextBytes(bytes);
          peer.sendBinary(bytes);
          break;
        case OVERSIZED:
          peer.send(PlatformJson.start(callId, "x"));
          byte[] audio = new byte[48 * 1024 + random.nextInt(64 * 1024)];
          random.nextBytes(audio);
          try {
            peer.send(PlatformJson.media("Participant", 0, audio)); // base64 makes it over 64 KiB
          } catch (CompletionException e) {
            // The server refuses the message from its frame header, before the body is read, so its
            // close can arrive while this client is still writing the body: the JDK client then fails
            // the send ("closed output" after it read the 1009; a broken pipe when the server's reset
            // came first, and then it never reads the close frame; LimitsTest checks that case on
            // the listener's side).
            assertThat(e).hasRootCauseInstanceOf(java.io.IOException.class);
            int code = peer.awaitCloseCode(20);
            return new int[] {code == WebSocketPeer.NO_CLOSE_FRAME ? BROKEN_WHILE_SENDING : code};
          }
          break;
        case MEDIA_BEFORE_SECRET:
          peer.send(PlatformJson.connected()).send(PlatformJson.media("Participant", 0, new byte[160]));
          break;
        case WRONG_START_SECRET:
          peer.send(PlatformJson.connected())
              .send(PlatformJson.start(PlatformJson.quote(callId), "x", ",\"secret\":\"not-" + random.nextInt(1000) + "\""));
          break;
        default:
          throw new AssertionError(kind);
      }
      return new int[] {peer.awaitCloseCode(20)};
    } finally {
      messages.addAndGet(peer.sent());
      peer.abort();
    }
  }

  private static void tolerated(WebSocketPeer peer, String callId, Random random) {
    byte[] frame = new byte[160];
    peer.send(PlatformJson.media("Participant", 0, frame)); // Media before Start
    peer.send(PlatformJson.connected());
    peer.send(PlatformJson.start(callId, "x"));
    peer.send(PlatformJson.start(PlatformJson.quote(callId), "x", ",\"note\":\"again\"")); // Start twice
    int malformed = 0;
    for (int i = 0; i < 120; i++) {
      random.nextBytes(frame);
      switch (random.nextInt(9)) {
        case 0:
          peer.send("{\"event\":\"Surprise" + random.nextInt(100) + "\",\"data\":{\"x\":[1,2,3]}}");
          break;
        case 1:
          peer.send(PlatformJson.media("Participant", Integer.toString(Integer.MAX_VALUE - random.nextInt(10)), frame));
          break;
        case 2:
          peer.send(PlatformJson.media("Conference", "\"99999999999999999999\"", frame));
          break;
        case 3:
          peer.send(PlatformJson.media("Participant", "-" + (1 + random.nextInt(1000)), frame));
          break;
        case 4:
          peer.send(PlatformJson.media("Conference", "\"seven\"", frame));
          break;
        case 5:
          peer.send(PlatformJson.media("Participant", "1.5e3", frame));
          break;
        case 6:
          peer.send(PlatformJson.start("{\"nested\":[" + random.nextInt() + "]}", "-1", ",\"agentId\":\"abc\""));
          break;
        case 7:
          if (malformed < 50) {
            peer.send(malformed(random));
            malformed++;
            break;
          }
          // fall through
        default:
          peer.send(PlatformJson.media(random.nextBoolean() ? "Participant" : "Conference", i, frame));
          break;
      }
    }
    peer.send(PlatformJson.stop("Participant")).send(PlatformJson.stop("Conference"));
  }

  /** A message the codec must reject, whatever the random draw. */
  static String malformed(Random random) {
    byte[] payload = new byte[160];
    random.nextBytes(payload);
    String media = Base64.getEncoder().encodeToString(payload);
    String valid = random.nextBoolean()
        ? "{\"event\":\"Media\",\"perspective\":\"Participant\",\"sequenceId\":\"" + random.nextInt(1000)
            + "\",\"media\":\"" + media + "\"}"
        : PlatformJson.start("call" + random.nextInt(), "s");
    switch (random.nextInt(16)) {
      case 0: { // cut anywhere before the closing brace, then junk that can never close the object
        String junk = "abc:,[1 x\\".substring(0, random.nextInt(10));
        return valid.substring(0, random.nextInt(valid.length() - 1)) + junk;
      }
      case 1:
        return "{\"event\":" + random.nextInt() + ",\"perspective\":\"Participant\",\"media\":\"" + media + "\"}";
      case 2:
        return "{\"event\":\"Media\",\"perspective\":[\"Participant\"],\"media\":\"" + media + "\"}";
      case 3:
        return "{\"event\":\"Media\",\"perspective\":\"Participant\",\"media\":{\"b64\":\"" + media + "\"}}";
      case 4:
        return "{\"event\":\"Media\",\"perspective\":\"Participant\",\"media\":\"" + media.substring(0, 20) + "!*?\"}";
      case 5:
        return "{\"event\":\"Media\",\"perspective\":\"Participant\",\"sequenceId\":1}";
      case 6:
        return "{\"event\":\"Media\",\"sequenceId\":1,\"media\":\"" + media + "\"}";
      case 7:
        return "{\"perspective\":\"Participant\",\"media\":\"" + media + "\"}";
      case 8:
        return "{\"event\":\"Start\",\"metadata\":" + "[".repeat(40 + random.nextInt(2000)) + "]".repeat(3) + "}";
      case 9:
        return "{\"event\":\"Start\",\"metadata\":\"call" + random.nextInt() + "\"}";
      case 10:
        return "{\"event\":\"Stop\",\"metadata\":" + random.nextInt() + "}";
      case 11:
        return List.of("[]", "42", "\"Media\"", "null", "", "   ", "true").get(random.nextInt(7));
      case 12:
        return valid + "}" + valid;
      case 13:
        return "{\"event\":\"Media\",\"perspective\":\"Narrator\",\"media\":\"" + media + "\"}";
      case 14:
        return "{\"event\":\"Media\",\"perspective\":\"Participant\",\"media\":" + media + "}";
      default:
        return "\u0000\u0001" + valid;
    }
  }

  private static int threads() {
    return ManagementFactory.getThreadMXBean().getThreadCount();
  }

  private static List<String> threadNames() {
    List<String> names = new ArrayList<>();
    Thread.getAllStackTraces().keySet().forEach(thread -> names.add(thread.getName()));
    java.util.Collections.sort(names);
    return names;
  }

  private static long openFiles() {
    String[] fds = new File("/proc/self/fd").list();
    return fds == null ? 0 : fds.length;
  }
}
