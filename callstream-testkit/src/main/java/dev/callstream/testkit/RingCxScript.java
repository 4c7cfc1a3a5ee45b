package dev.callstream.testkit;

import dev.callstream.grpc.proto.DialogType;
import dev.callstream.grpc.proto.ParticipantType;
import dev.callstream.grpc.proto.ProductType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One RingCX call to play over gRPC: the stream's {@code session_id}, the {@code DialogInit} (account
 * and dialog), the segments (participants joining and leaving at chosen times, each with its audio
 * format, audio and {@code SegmentInfo} events) and extra request metadata. Immutable; build with
 * {@link #builder()}.
 *
 * <p>Without segments the script plays RingCX's usual call: a {@code CONTACT} segment {@code contact}
 * and an {@code AGENT} segment {@code agent}, both from the start to the end, PCMU 8000 Hz 100 ms.
 *
 * <p>The call ends at {@link Builder#maxDuration} when set, otherwise when the last segment leaves
 * (a segment without {@code leaveAt} leaves at its audio's end); a segment without {@code leaveAt}
 * lasts until the call's end, its audio padded with silence. Endless audio needs a duration.
 *
 * <pre>{@code
 * RingCxScript script = RingCxScript.builder()
 *     .dialogId("dialog-1").sessionId("s-1")
 *     .segment(RingCxSegment.contact("c1").build())
 *     .segment(RingCxSegment.agent("a1").joinAt(Duration.ofSeconds(1)).build())
 *     .maxDuration(Duration.ofSeconds(5))
 *     .build();
 * }</pre>
 */
public final class RingCxScript {
  private final int index;
  private final String sessionId;
  private final String dialogId;
  private final DialogType dialogType;
  private final String accountId;
  private final String subAccountId;
  private final String rcAccountId;
  private final String ani;
  private final String dnis;
  private final String language;
  private final Map<String, String> attributes;
  private final String productId;
  private final ProductType productType;
  private final Map<String, String> headers;
  private final List<RingCxSegment> segments;
  private final List<AudioSource> audio;
  private final long[] chunks;
  private final Duration duration;

  private RingCxScript(Builder builder) {
    this.index = builder.index;
    this.sessionId = builder.sessionId;
    this.dialogId = builder.dialogId;
    this.dialogType = builder.dialogType;
    this.accountId = builder.accountId;
    this.subAccountId = builder.subAccountId;
    this.rcAccountId = builder.rcAccountId;
    this.ani = builder.ani;
    this.dnis = builder.dnis;
    this.language = builder.language;
    this.attributes = Collections.unmodifiableMap(new LinkedHashMap<>(builder.attributes));
    this.productId = builder.productId;
    this.productType = builder.productType;
    this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(builder.headers));
    List<RingCxSegment> planned = new ArrayList<>(builder.segments);
    if (planned.isEmpty()) {
      planned.add(RingCxSegment.contact("contact").participantName("Caller").build());
      planned.add(RingCxSegment.agent("agent").participantName("Agent").build());
    }
    this.segments = List.copyOf(planned);
    Set<String> ids = new HashSet<>();
    List<AudioSource> sources = new ArrayList<>();
    for (RingCxSegment segment : segments) {
      if (!ids.add(segment.id())) {
        throw new IllegalArgumentException("two segments with id " + segment.id());
      }
      AudioSource source = segment.audio();
      if (source == null) {
        source = segment.participantType() == ParticipantType.AGENT ? builder.agentAudio : builder.otherAudio;
      }
      sources.add(source);
    }
    this.audio = List.copyOf(sources);
    long endMillis;
    if (builder.maxDuration != null) {
      endMillis = builder.maxDuration.toMillis();
    } else {
      endMillis = 0;
      for (int i = 0; i < segments.size(); i++) {
        RingCxSegment segment = segments.get(i);
        long end;
        if (segment.leaveAt() != null) {
          end = segment.leaveAt().toMillis();
        } else if (audio.get(i).frameCount() == AudioSource.UNLIMITED) {
          throw new IllegalArgumentException(
              "segment " + segment.id() + " has endless audio and no leaveAt: set maxDuration or a finite source");
        } else {
          end = segment.joinAt().toMillis() + audio.get(i).frameCount() * 20;
        }
        endMillis = Math.max(endMillis, end);
      }
    }
    this.duration = Duration.ofMillis(endMillis);
    this.chunks = new long[segments.size()];
    for (int i = 0; i < segments.size(); i++) {
      RingCxSegment segment = segments.get(i);
      long join = segment.joinAt().toMillis();
      if (join > endMillis) {
        throw new IllegalArgumentException("segment " + segment.id() + " joins at " + join + " ms, after the call's end at " + endMillis + " ms");
      }
      long leave = segment.leaveAt() == null ? endMillis : Math.min(endMillis, segment.leaveAt().toMillis());
      chunks[i] = (leave - join) / segment.ptimeMillis();
    }
  }

  /** A builder with the defaults below. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The script {@code callstream send --url grpc://...} plays for call {@code index} of a run with
   * {@code seed}: dialog id {@code dialog-<seed>-<index>}, session id {@code <index + 1>}.
   */
  public static Builder numbered(long seed, int index) {
    return builder().index(index).dialogId("dialog-" + seed + "-" + index).sessionId(Integer.toString(index + 1));
  }

  /** This script's index in a run; with the sender's seed it chooses the call's faults. */
  public int index() {
    return index;
  }

  /** {@code StreamEvent.session_id}, on every event. */
  public String sessionId() {
    return sessionId;
  }

  /** {@code DialogInit.dialog.id}. */
  public String dialogId() {
    return dialogId;
  }

  public DialogType dialogType() {
    return dialogType;
  }

  public String accountId() {
    return accountId;
  }

  public String subAccountId() {
    return subAccountId;
  }

  public String rcAccountId() {
    return rcAccountId;
  }

  /** Null when the optional field is not sent. */
  public String ani() {
    return ani;
  }

  /** Null when the optional field is not sent. */
  public String dnis() {
    return dnis;
  }

  /** Null when the optional field is not sent. */
  public String language() {
    return language;
  }

  public Map<String, String> attributes() {
    return attributes;
  }

  /** The product sent on every {@code SegmentStart}, or null when the optional field is absent. */
  public String productId() {
    return productId;
  }

  public ProductType productType() {
    return productType;
  }

  /** Extra request metadata (beside {@code authorization}). */
  public Map<String, String> headers() {
    return headers;
  }

  /** The segments in the order they were added (a tie in time is sent in this order). */
  public List<RingCxSegment> segments() {
    return segments;
  }

  /** Segment {@code i}'s audio: its own, or the script's default for its participant type. */
  public AudioSource audio(int segment) {
    return audio.get(segment);
  }

  /** Segment {@code i}'s number of chunks (whole chunks between joining and leaving). */
  public long chunks(int segment) {
    return chunks[segment];
  }

  /** The call's length on its timeline. */
  public Duration duration() {
    return duration;
  }

  @Override
  public String toString() {
    return "RingCxScript[index=" + index + ", dialogId=" + dialogId + ", segments=" + segments.size() + ", duration=" + duration + "]";
  }

  /** Builds a {@link RingCxScript}. Not thread-safe. */
  public static final class Builder {
    private int index;
    private String sessionId = "1";
    private String dialogId = "dialog-1";
    private DialogType dialogType = DialogType.INBOUND;
    private String accountId = "99990000";
    private String subAccountId = "99990001";
    private String rcAccountId = "123456789";
    private String ani = "6505550100";
    private String dnis = "6505550199";
    private String language = "en-US";
    private final Map<String, String> attributes = new LinkedHashMap<>();
    private String productId = "1234";
    private ProductType productType = ProductType.QUEUE;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final List<RingCxSegment> segments = new ArrayList<>();
    private AudioSource agentAudio = DefaultAudio.AGENT;
    private AudioSource otherAudio = DefaultAudio.OTHER;
    private Duration maxDuration;

    private Builder() {}

    /** The call's index in its run (default 0); see {@link RingCxScript#index()}. */
    public Builder index(int index) {
      if (index < 0) {
        throw new IllegalArgumentException("index < 0: " + index);
      }
      this.index = index;
      return this;
    }

    /** Default {@code 1}. */
    public Builder sessionId(String sessionId) {
      this.sessionId = Objects.requireNonNull(sessionId, "sessionId");
      return this;
    }

    /** Default {@code dialog-1}. */
    public Builder dialogId(String dialogId) {
      this.dialogId = Objects.requireNonNull(dialogId, "dialogId");
      return this;
    }

    /** Default {@code INBOUND}. */
    public Builder dialogType(DialogType dialogType) {
      this.dialogType = Objects.requireNonNull(dialogType, "dialogType");
      return this;
    }

    /** Account id, sub-account id and RingCentral account id (defaults 99990000, 99990001, 123456789). */
    public Builder account(String accountId, String subAccountId, String rcAccountId) {
      this.accountId = Objects.requireNonNull(accountId, "accountId");
      this.subAccountId = Objects.requireNonNull(subAccountId, "subAccountId");
      this.rcAccountId = Objects.requireNonNull(rcAccountId, "rcAccountId");
      return this;
    }

    /** Default 6505550100; null leaves the optional field out. */
    public Builder ani(String ani) {
      this.ani = ani;
      return this;
    }

    /** Default 6505550199; null leaves the optional field out. */
    public Builder dnis(String dnis) {
      this.dnis = dnis;
      return this;
    }

    /** Default en-US; null leaves the optional field out. */
    public Builder language(String language) {
      this.language = language;
      return this;
    }

    /** Adds a dialog attribute (default none). */
    public Builder attribute(String name, String value) {
      attributes.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** The product on every {@code SegmentStart} (default 1234, QUEUE); a null id leaves it out. */
    public Builder product(String productId, ProductType productType) {
      this.productId = productId;
      this.productType = Objects.requireNonNull(productType, "productType");
      return this;
    }

    /** Adds request metadata (lower-case ASCII name; not {@code authorization}: see the sender's secret). */
    public Builder header(String name, String value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      if (name.equalsIgnoreCase("authorization")) {
        throw new IllegalArgumentException("set the authorization with FakeRingCx.Builder.secret");
      }
      headers.put(name, value);
      return this;
    }

    /** Adds a segment; without any, the script plays a contact and an agent (see the class). */
    public Builder segment(RingCxSegment segment) {
      segments.add(Objects.requireNonNull(segment, "segment"));
      return this;
    }

    /** Audio of agent segments that set none (default {@code speechLike(1)}). */
    public Builder agentAudio(AudioSource audio) {
      this.agentAudio = Objects.requireNonNull(audio, "audio");
      return this;
    }

    /** Audio of the other segments (contact, bot...) that set none (default {@code speechLike(2)}). */
    public Builder otherAudio(AudioSource audio) {
      this.otherAudio = Objects.requireNonNull(audio, "audio");
      return this;
    }

    /** Ends the call at this point of its timeline (every segment still in it leaves then). */
    public Builder maxDuration(Duration maxDuration) {
      if (maxDuration.isNegative()) {
        throw new IllegalArgumentException("maxDuration < 0: " + maxDuration);
      }
      this.maxDuration = maxDuration;
      return this;
    }

    /** @throws IllegalArgumentException when the timeline is impossible (see the class) */
    public RingCxScript build() {
      return new RingCxScript(this);
    }
  }

  /** Generated once, on first use, and shared by every script. */
  private static final class DefaultAudio {
    static final AudioSource AGENT = AudioSource.speechLike(1);
    static final AudioSource OTHER = AudioSource.speechLike(2);
  }
}
