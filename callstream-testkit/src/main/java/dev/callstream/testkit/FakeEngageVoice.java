package dev.callstream.testkit;

import dev.callstream.server.wire.SequenceMode;
import dev.callstream.server.wire.StreamCodec;
import dev.callstream.testkit.internal.RunningCalls;
import dev.callstream.testkit.internal.SenderSettings;
import dev.callstream.testkit.internal.TrustAll;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.IntFunction;
import javax.net.ssl.SSLContext;

/**
 * Plays the Engage Voice platform's side of call streaming against any {@code ws://} or
 * {@code wss://} server: for tests, and as the load generator of benchmarks.
 *
 * <p>Each call is one WebSocket connection that sends, in order: the upgrade request with the
 * query parameters {@code callId, sessionId, ani, dnis, accountId, subaccountId, rcAccountId,
 * agentId, productType, productId} (and an {@code Authorization: Bearer} header when a secret is
 * set); {@code Connected}; {@code Start} ({@code contentType: audio/x-mulaw}, {@code
 * sampleRateHertz: 8000} and the ids); {@code Media} frames of 160 mu-law bytes for both
 * perspectives, agent ({@code Participant}) then conference for each 20 ms; one {@code Stop} per
 * perspective; a normal close (1000). Like the platform it retries the upgrade on HTTP 5xx (3
 * attempts in total, short backoff) and gives up on 4xx.
 *
 * <p>Faults ({@link Fault}) are chosen per call from a {@link java.util.SplittableRandom} seeded
 * with the sender's seed and the call's {@link CallScript#index()}: the same seed and index inject
 * the same faults, and {@link CallResult} says which.
 *
 * <pre>{@code
 * try (FakeEngageVoice platform = FakeEngageVoice.builder(URI.create("wss://127.0.0.1:3333/"))
 *     .insecure(true).pacing(Pacing.FLOOD).build()) {
 *   CallResult call = platform.play(CallScript.builder().maxDuration(Duration.ofSeconds(5)).build());
 *   LoadResult load = platform.run(100, i -> CallScript.numbered(1, i).maxDuration(Duration.ofSeconds(60)).build());
 * }
 * }</pre>
 *
 * <h2>Resources and threading</h2>
 * One instance holds one {@link HttpClient} (its own selector thread), a small executor for send
 * completions and one clock thread that wakes calls when their next frame is due; thousands of
 * concurrent calls share them (no thread per call). All methods are thread-safe. {@link #close()}
 * aborts calls still running and stops the threads.
 */
public final class FakeEngageVoice implements AutoCloseable {
  private static final int MAX_ATTEMPTS = 3;

  final URI url;
  final SenderSettings settings;
  final SequenceMode sequenceMode;
  final Duration connectTimeout;
  final Duration closeTimeout;
  final Duration retryBackoff;
  final int maxAttempts = MAX_ATTEMPTS;
  final HttpClient httpClient;
  final StreamCodec codec;
  final ScheduledThreadPoolExecutor clock;
  private final RunningCalls<CallResult> running = new RunningCalls<>("fake-engage-voice-clock");
  private final ExecutorService ownedExecutor;

  private FakeEngageVoice(Builder builder) {
    this.url = builder.url;
    this.settings = builder.settings.build();
    this.sequenceMode = builder.sequenceMode;
    this.connectTimeout = builder.connectTimeout;
    this.closeTimeout = builder.closeTimeout;
    this.retryBackoff = builder.retryBackoff;
    this.codec = builder.codec != null ? builder.codec : new StreamCodec();
    this.clock = running.clock();
    if (builder.httpClient != null) {
      this.ownedExecutor = null;
      this.httpClient = builder.httpClient;
    } else {
      int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
      this.ownedExecutor = Executors.newFixedThreadPool(threads, RunningCalls.daemonThreads("fake-engage-voice"));
      HttpClient.Builder client = HttpClient.newBuilder().executor(ownedExecutor).connectTimeout(connectTimeout);
      if (builder.insecure) {
        SSLContext context = TrustAll.sslContext();
        client.sslContext(context).sslParameters(TrustAll.sslParameters(context));
      } else if (builder.sslContext != null) {
        client.sslContext(builder.sslContext);
      }
      this.httpClient = client.build();
    }
  }

  /** A builder for a sender that plays calls to {@code url} ({@code ws://} or {@code wss://}). */
  public static Builder builder(URI url) {
    return new Builder(url);
  }

  /** Plays one call and waits until it ends; a failed call is reported in the result, not thrown. */
  public CallResult play(CallScript script) {
    return start(script).join();
  }

  /**
   * Starts one call. The future completes with the call's result (never exceptionally) when the
   * call ended: after the server's close reply, an abort, or a failure.
   */
  public CompletableFuture<CallResult> start(CallScript script) {
    Objects.requireNonNull(script, "script");
    return running.start(() -> new CallRunner(this, script));
  }

  /**
   * Plays {@code calls} concurrent calls (script {@code i} from {@code scripts.apply(i)}, which
   * should set {@link CallScript.Builder#index(int)} to {@code i}; see {@link CallScript#numbered})
   * and waits for all of them.
   */
  public LoadResult run(int calls, IntFunction<CallScript> scripts) {
    return RunningCalls.run(calls, i -> start(scripts.apply(i)), LoadResult::of);
  }

  /** Aborts the calls still running and stops this sender's threads. Idempotent. */
  @Override
  public void close() {
    running.abortAll();
    running.stopClock();
    if (ownedExecutor != null) {
      ownedExecutor.shutdown();
    }
  }

  /** Configures a {@link FakeEngageVoice}. Not thread-safe. */
  public static final class Builder {
    private final URI url;
    private boolean insecure;
    private final SenderSettings.Builder settings = new SenderSettings.Builder();
    private SequenceMode sequenceMode = SequenceMode.PER_PERSPECTIVE;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration closeTimeout = Duration.ofSeconds(5);
    private Duration retryBackoff = Duration.ofMillis(100);
    private HttpClient httpClient;
    private SSLContext sslContext;
    private StreamCodec codec;

    private Builder(URI url) {
      Objects.requireNonNull(url, "url");
      String scheme = url.getScheme();
      if (!"ws".equalsIgnoreCase(scheme) && !"wss".equalsIgnoreCase(scheme)) {
        throw new IllegalArgumentException("url is not ws:// or wss://: " + url);
      }
      if (url.getHost() == null) {
        throw new IllegalArgumentException("url has no host: " + url);
      }
      this.url = url;
    }

    /**
     * Trusts any server certificate and host name (for servers with a self-signed certificate).
     * Applies to this sender's own HTTP client only, never to the JVM. Default false.
     */
    public Builder insecure(boolean insecure) {
      this.insecure = insecure;
      return this;
    }

    /** Sends {@code Authorization: Bearer <secret>} on every upgrade request. Default none. */
    public Builder secret(String secret) {
      settings.secret(secret);
      return this;
    }

    /** Default {@link Pacing#REALTIME}. */
    public Builder pacing(Pacing pacing) {
      settings.pacing(pacing);
      return this;
    }

    /**
     * How sequence ids are numbered: {@link SequenceMode#PER_PERSPECTIVE} (default; agent 1, 2,
     * 3... and conference 1, 2, 3...) or {@link SequenceMode#PER_CONNECTION} (agent 1, conference 2,
     * agent 3...).
     */
    public Builder sequenceMode(SequenceMode sequenceMode) {
      if (sequenceMode == null || sequenceMode == SequenceMode.UNDETERMINED) {
        throw new IllegalArgumentException("sequenceMode must be PER_PERSPECTIVE or PER_CONNECTION: " + sequenceMode);
      }
      this.sequenceMode = sequenceMode;
      return this;
    }

    /** The faults to inject (default none). */
    public Builder faults(Set<Fault> faults) {
      settings.faults(faults);
      return this;
    }

    /** The faults to inject (default none). */
    public Builder faults(Fault... faults) {
      return faults(Set.of(faults));
    }

    /**
     * The fraction of frames (per side) each of {@link Fault#DROP}, {@link Fault#DUPLICATE} and
     * {@link Fault#REORDER} hits, between 0 and 0.3. Default 0.02.
     */
    public Builder faultRate(double faultRate) {
      settings.faultRate(faultRate);
      return this;
    }

    /** Seeds the faults of every call (with the call's index). Default 1. */
    public Builder seed(long seed) {
      settings.seed(seed);
      return this;
    }

    /** Timeout of each upgrade attempt. Default 10 s. */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = positive(connectTimeout, "connectTimeout");
      return this;
    }

    /** How long to wait for the server's close reply before dropping the connection. Default 5 s. */
    public Builder closeTimeout(Duration closeTimeout) {
      this.closeTimeout = positive(closeTimeout, "closeTimeout");
      return this;
    }

    /** The wait before the second upgrade attempt (doubled before the third). Default 100 ms. */
    public Builder retryBackoff(Duration retryBackoff) {
      if (retryBackoff.isNegative()) {
        throw new IllegalArgumentException("retryBackoff < 0: " + retryBackoff);
      }
      this.retryBackoff = retryBackoff;
      return this;
    }

    /**
     * Trusts what {@code sslContext} trusts (e.g. exactly one self-signed server certificate), with
     * normal host name verification. Default: the JDK's default trust store.
     */
    public Builder sslContext(SSLContext sslContext) {
      this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
      return this;
    }

    /**
     * Uses the caller's HTTP client (its TLS settings and executor) instead of creating one;
     * {@link #insecure(boolean)} then has no effect and is refused.
     */
    public Builder httpClient(HttpClient httpClient) {
      this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
      return this;
    }

    /** Uses the caller's codec (e.g. built with their ObjectMapper). */
    public Builder codec(StreamCodec codec) {
      this.codec = Objects.requireNonNull(codec, "codec");
      return this;
    }

    public FakeEngageVoice build() {
      if (httpClient != null && (insecure || sslContext != null)) {
        throw new IllegalStateException("insecure or sslContext cannot apply to a caller's httpClient: configure its SSLContext");
      }
      return new FakeEngageVoice(this);
    }

    private static Duration positive(Duration duration, String name) {
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException(name + " <= 0: " + duration);
      }
      return duration;
    }
  }
}
