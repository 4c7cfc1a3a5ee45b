package dev.callstream.testkit;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One call to play: the ids the platform sends (in the upgrade query and in Start), the audio of
 * each side and an optional length limit. Immutable; build with {@link #builder()}.
 *
 * <p>The call lasts as long as its longer side, at most {@link #maxDuration()}; the shorter side is
 * padded with mu-law silence. When both sides are endless generated audio a duration is required.
 *
 * <pre>{@code
 * CallScript script = CallScript.builder()
 *     .callId("call-1").sessionId("1")
 *     .agent(AudioSource.fromFile(Path.of("agent.wav")))
 *     .conference(AudioSource.speechLike(2))
 *     .maxDuration(Duration.ofSeconds(30))
 *     .build();
 * }</pre>
 */
public final class CallScript {
  private final int index;
  private final Map<String, String> ids;
  private final Map<String, String> extraQuery;
  private final Map<String, Object> extraMetadata;
  private final AudioSource agent;
  private final AudioSource conference;
  private final Duration maxDuration;
  private final long frames;

  private CallScript(Builder builder) {
    this.index = builder.index;
    this.ids = Map.copyOf(builder.ids);
    this.extraQuery = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(builder.extraQuery));
    this.extraMetadata = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(builder.extraMetadata));
    this.agent = builder.agent != null ? builder.agent : DefaultAudio.AGENT;
    this.conference = builder.conference != null ? builder.conference : DefaultAudio.CONFERENCE;
    this.maxDuration = builder.maxDuration;
    long longest = Math.max(agent.frameCount(), conference.frameCount());
    if (maxDuration != null) {
      longest = Math.min(longest, AudioSource.framesIn(maxDuration));
    }
    if (longest == AudioSource.UNLIMITED) {
      throw new IllegalArgumentException("both sources are endless: set maxDuration or use a finite source");
    }
    this.frames = longest;
  }

  /** Generated once, on first use: immutable and shared by every script (1,000 calls build 1,000 scripts). */
  private static final class DefaultAudio {
    static final AudioSource AGENT = AudioSource.speechLike(1);
    static final AudioSource CONFERENCE = AudioSource.speechLike(2);
  }

  /** A builder with the defaults below; set at least a duration or a finite source. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The script {@code callstream send} plays for call {@code index} of a run with {@code seed}: call
   * id {@code call-<seed>-<index>}, session id {@code <index + 1>}, the other ids at their defaults.
   */
  public static Builder numbered(long seed, int index) {
    return builder().index(index).callId("call-" + seed + "-" + index).sessionId(Integer.toString(index + 1));
  }

  /** This script's index in a run; with the sender's seed it chooses the call's faults. */
  public int index() {
    return index;
  }

  public String callId() {
    return ids.get("callId");
  }

  public String sessionId() {
    return ids.get("sessionId");
  }

  /**
   * The ten upgrade query parameters in the platform's order ({@code callId, sessionId, ani, dnis,
   * accountId, subaccountId, rcAccountId, agentId, productType, productId}) followed by the extra
   * ones.
   */
  public Map<String, String> query() {
    Map<String, String> query = new LinkedHashMap<>();
    for (String name : Builder.ID_NAMES) {
      query.put(name, ids.get(name));
    }
    query.putAll(extraQuery);
    return query;
  }

  /** One of the ten ids by its query parameter name, e.g. {@code ani}. */
  public String id(String name) {
    return ids.get(name);
  }

  /** Extra fields added to Start's metadata (e.g. a {@code secret}). */
  public Map<String, Object> extraMetadata() {
    return extraMetadata;
  }

  public AudioSource agent() {
    return agent;
  }

  public AudioSource conference() {
    return conference;
  }

  /** The length limit, or null when the sources decide. */
  public Duration maxDuration() {
    return maxDuration;
  }

  /** The call's length in 20 ms frames (per side). */
  public long frames() {
    return frames;
  }

  @Override
  public String toString() {
    return "CallScript[index=" + index + ", callId=" + callId() + ", frames=" + frames + "]";
  }

  /** Builds a {@link CallScript}. Not thread-safe. */
  public static final class Builder {
    static final String[] ID_NAMES = {
      "callId", "sessionId", "ani", "dnis", "accountId", "subaccountId", "rcAccountId", "agentId",
      "productType", "productId"
    };

    private int index;
    private final Map<String, String> ids = new LinkedHashMap<>();
    private final Map<String, String> extraQuery = new LinkedHashMap<>();
    private final Map<String, Object> extraMetadata = new LinkedHashMap<>();
    private AudioSource agent;
    private AudioSource conference;
    private Duration maxDuration;

    private Builder() {
      ids.put("callId", "call-1");
      ids.put("sessionId", "1");
      ids.put("ani", "6505550100");
      ids.put("dnis", "6505550199");
      ids.put("accountId", "99990000");
      ids.put("subaccountId", "99990001");
      ids.put("rcAccountId", "123456789");
      ids.put("agentId", "123");
      ids.put("productType", "Queue");
      ids.put("productId", "1234");
    }

    /** The call's index in its run (default 0); see {@link CallScript#index()}. */
    public Builder index(int index) {
      if (index < 0) {
        throw new IllegalArgumentException("index < 0: " + index);
      }
      this.index = index;
      return this;
    }

    /** Default {@code call-1}. */
    public Builder callId(String callId) {
      return id("callId", callId);
    }

    /** Default {@code 1}. */
    public Builder sessionId(String sessionId) {
      return id("sessionId", sessionId);
    }

    /**
     * Sets one of the ten ids by its query parameter name ({@code ani}, {@code dnis},
     * {@code accountId}, {@code subaccountId}, {@code rcAccountId}, {@code agentId},
     * {@code productType}, {@code productId}...).
     */
    public Builder id(String name, String value) {
      if (!ids.containsKey(name)) {
        throw new IllegalArgumentException("not a call id parameter: " + name);
      }
      ids.put(name, Objects.requireNonNull(value, name));
      return this;
    }

    /** Adds a query parameter after the ten ids (e.g. {@code secret}). */
    public Builder queryParameter(String name, String value) {
      extraQuery.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** Adds a field to Start's metadata after the standard ones (e.g. {@code secret}). */
    public Builder metadata(String name, Object value) {
      extraMetadata.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** The agent's audio (perspective {@code Participant}); default {@code speechLike(1)}. */
    public Builder agent(AudioSource agent) {
      this.agent = Objects.requireNonNull(agent, "agent");
      return this;
    }

    /** The conference's audio (perspective {@code Conference}); default {@code speechLike(2)}. */
    public Builder conference(AudioSource conference) {
      this.conference = Objects.requireNonNull(conference, "conference");
      return this;
    }

    /** Cuts the call to at most this long (whole 20 ms frames). */
    public Builder maxDuration(Duration maxDuration) {
      if (maxDuration.isNegative()) {
        throw new IllegalArgumentException("maxDuration < 0: " + maxDuration);
      }
      this.maxDuration = maxDuration;
      return this;
    }

    /** @throws IllegalArgumentException when both sources are endless and no duration is set */
    public CallScript build() {
      return new CallScript(this);
    }
  }
}
