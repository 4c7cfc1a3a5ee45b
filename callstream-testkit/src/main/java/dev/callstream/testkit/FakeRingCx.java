package dev.callstream.testkit;

import dev.callstream.testkit.internal.RunningCalls;
import dev.callstream.testkit.internal.SenderSettings;
import dev.callstream.testkit.internal.TrustAll;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import javax.net.ssl.TrustManagerFactory;

/**
 * Plays RingCX's side of gRPC audio streaming ({@code ringcentral.ringcx.streaming.v1beta2.Streaming/Stream})
 * against any server ({@code grpc://} plaintext HTTP/2 or {@code grpcs://} TLS): for tests, and as
 * the load generator of benchmarks. The gRPC counterpart of {@link FakeEngageVoice}.
 *
 * <p>Each call is one client-streaming RPC that sends, in timeline order ({@link RingCxScript}):
 * {@code DialogInit}; a {@code SegmentStart} when each participant joins (by default a contact and an
 * agent, PCMU 8000 Hz 100 ms, i.e. 800-byte chunks); {@code SegmentMedia} chunks with {@code seq} from
 * 1 per segment; {@code SegmentInfo} events (hold, unhold) at their times; a {@code SegmentStop} when
 * each participant leaves; then it half-closes the stream and waits for the server's status. Every
 * event carries the script's {@code session_id}; a secret is sent as the {@code authorization:
 * Bearer S} request metadata.
 *
 * <p>By default each call opens its own connection (channel), as the platform does; {@link
 * Builder#sharedConnection(boolean)} multiplexes every call on one. Sending respects gRPC's client-side
 * flow control: events are written only while the stream is ready, so a slow server slows the fake
 * down instead of filling its memory.
 *
 * <p>Faults ({@link Fault}) are chosen per call from the same seeding as {@link FakeEngageVoice} (the
 * sender's seed and the call's {@link RingCxScript#index()}), drawn per media chunk in sending order;
 * {@link Fault#ABORT} cancels the RPC mid-call without stops, {@link Fault#GARBAGE} sends three
 * malformed events (an unknown oneof case with unknown fields, media for an unknown segment id, a
 * {@code SegmentInfo} for an unknown segment id). {@link RingCxCallResult} says what was injected.
 *
 * <pre>{@code
 * try (FakeRingCx ringCx = FakeRingCx.builder(URI.create("grpcs://127.0.0.1:10443"))
 *     .insecure(true).secret("s3cret").pacing(Pacing.FLOOD).build()) {
 *   RingCxCallResult call = ringCx.play(RingCxScript.builder().maxDuration(Duration.ofSeconds(5)).build());
 *   RingCxLoadResult load = ringCx.run(100, i -> RingCxScript.numbered(1, i).maxDuration(Duration.ofSeconds(60)).build());
 * }
 * }</pre>
 *
 * <h2>Resources and threading</h2>
 * One instance holds a small executor for gRPC callbacks and one clock thread that wakes calls when
 * their next event is due; the connections use grpc-java's shared Netty event loops. Thousands of
 * concurrent calls share them (no thread per call). All methods are thread-safe. {@link #close()}
 * cancels calls still running and stops the threads.
 */
public final class FakeRingCx implements AutoCloseable {
  final String host;
  final int port;
  final boolean tls;
  final ChannelCredentials credentials;
  final String authority;
  final SenderSettings settings;
  final ScheduledThreadPoolExecutor clock;
  final ExecutorService executor;
  final ManagedChannel sharedChannel;
  private final RunningCalls<RingCxCallResult> running = new RunningCalls<>("fake-ringcx-clock");

  private FakeRingCx(Builder builder) {
    this.host = builder.host;
    this.port = builder.port;
    this.tls = builder.tls;
    this.credentials = builder.credentials();
    this.authority = builder.authority;
    this.settings = builder.settings.build();
    this.clock = running.clock();
    int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
    this.executor = Executors.newFixedThreadPool(threads, RunningCalls.daemonThreads("fake-ringcx"));
    this.sharedChannel = builder.sharedConnection ? newChannel() : null;
  }

  /**
   * A builder for a sender that plays calls to {@code target}: {@code grpc://HOST:PORT} (plaintext
   * HTTP/2) or {@code grpcs://HOST:PORT} (TLS; default port 443).
   */
  public static Builder builder(URI target) {
    return new Builder(target);
  }

  /** Plays one call and waits until it ends; a failed call is reported in the result, not thrown. */
  public RingCxCallResult play(RingCxScript script) {
    return start(script).join();
  }

  /**
   * Starts one call. The future completes with the call's result (never exceptionally) when the call
   * ended: after the server's status, an abort, or a failure.
   */
  public CompletableFuture<RingCxCallResult> start(RingCxScript script) {
    Objects.requireNonNull(script, "script");
    return running.start(() -> new RingCxCallRunner(this, script));
  }

  /**
   * Plays {@code calls} concurrent calls (script {@code i} from {@code scripts.apply(i)}, which should
   * set {@link RingCxScript.Builder#index(int)} to {@code i}; see {@link RingCxScript#numbered}) and
   * waits for all of them.
   */
  public RingCxLoadResult run(int calls, IntFunction<RingCxScript> scripts) {
    return RunningCalls.run(calls, i -> start(scripts.apply(i)), RingCxLoadResult::of);
  }

  /** Cancels the calls still running, closes the connections and stops this sender's threads. Idempotent. */
  @Override
  public void close() {
    running.abortAll();
    if (sharedChannel != null) {
      sharedChannel.shutdownNow();
      try {
        sharedChannel.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    running.stopClock();
    executor.shutdown();
  }

  ManagedChannel newChannel() {
    ManagedChannelBuilder<?> channel = Grpc.newChannelBuilderForAddress(host, port, credentials)
        .executor(executor)
        .userAgent("callstream-fake-ringcx");
    if (authority != null) {
      channel.overrideAuthority(authority);
    }
    return channel.build();
  }

  /** Configures a {@link FakeRingCx}. Not thread-safe. */
  public static final class Builder {
    private final String host;
    private final int port;
    private final boolean tls;
    private boolean insecure;
    private X509Certificate[] trusted;
    private ChannelCredentials channelCredentials;
    private String authority;
    private final SenderSettings.Builder settings = new SenderSettings.Builder();
    private boolean sharedConnection;

    private Builder(URI target) {
      Objects.requireNonNull(target, "target");
      String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("grpc") && !scheme.equals("grpcs")) {
        throw new IllegalArgumentException("target is not grpc:// or grpcs://: " + target);
      }
      if (target.getHost() == null) {
        throw new IllegalArgumentException("target has no host: " + target);
      }
      this.tls = scheme.equals("grpcs");
      this.host = target.getHost().startsWith("[") ? target.getHost().substring(1, target.getHost().length() - 1) : target.getHost();
      this.port = target.getPort() >= 0 ? target.getPort() : (tls ? 443 : 80);
    }

    /**
     * Trusts any server certificate and host name (for servers with a self-signed certificate).
     * Applies to this sender's connections only. Default false.
     */
    public Builder insecure(boolean insecure) {
      this.insecure = insecure;
      return this;
    }

    /**
     * Trusts exactly these certificates (e.g. a test server's self-signed one), with normal host name
     * verification. Default: the JDK's trust store.
     */
    public Builder trustCertificates(X509Certificate... certificates) {
      if (certificates.length == 0) {
        throw new IllegalArgumentException("no certificates");
      }
      this.trusted = certificates.clone();
      return this;
    }

    /**
     * Uses the caller's gRPC channel credentials (TLS settings, client certificates...) instead of
     * the ones {@link #insecure} or {@link #trustCertificates} would build.
     */
    public Builder channelCredentials(ChannelCredentials credentials) {
      this.channelCredentials = Objects.requireNonNull(credentials, "credentials");
      return this;
    }

    /** The authority (TLS host name) to claim instead of the target's host. Default: the host. */
    public Builder authority(String authority) {
      this.authority = Objects.requireNonNull(authority, "authority");
      return this;
    }

    /** Sends {@code authorization: Bearer <secret>} metadata on every call. Default none. */
    public Builder secret(String secret) {
      settings.secret(secret);
      return this;
    }

    /**
     * Default {@link Pacing#REALTIME}: each segment's chunk {@code k} is due {@code k * ptime} after
     * it joined; {@link Pacing#FLOOD} sends as fast as the server's flow control allows.
     */
    public Builder pacing(Pacing pacing) {
      settings.pacing(pacing);
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
     * The fraction of chunks (per segment) each of {@link Fault#DROP}, {@link Fault#DUPLICATE} and
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

    /** Whether all calls share one connection (HTTP/2 streams) instead of one each. Default false. */
    public Builder sharedConnection(boolean sharedConnection) {
      this.sharedConnection = sharedConnection;
      return this;
    }

    public FakeRingCx build() {
      int choices = (insecure ? 1 : 0) + (trusted != null ? 1 : 0) + (channelCredentials != null ? 1 : 0);
      if (choices > 1) {
        throw new IllegalStateException("choose one of insecure, trustCertificates and channelCredentials");
      }
      if (!tls && (insecure || trusted != null)) {
        throw new IllegalStateException("insecure and trustCertificates need a grpcs:// target");
      }
      return new FakeRingCx(this);
    }

    ChannelCredentials credentials() {
      if (channelCredentials != null) {
        return channelCredentials;
      }
      if (!tls) {
        return InsecureChannelCredentials.create();
      }
      if (insecure) {
        return TlsChannelCredentials.newBuilder().trustManager(TrustAll.trustManager()).build();
      }
      if (trusted != null) {
        try {
          KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
          store.load(null, null);
          for (int i = 0; i < trusted.length; i++) {
            store.setCertificateEntry("trusted-" + i, trusted[i]);
          }
          TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
          factory.init(store);
          return TlsChannelCredentials.newBuilder().trustManager(factory.getTrustManagers()).build();
        } catch (GeneralSecurityException | IOException e) {
          throw new IllegalStateException("cannot trust the given certificates: " + e.getMessage(), e);
        }
      }
      return TlsChannelCredentials.create();
    }
  }
}
