package dev.callstream.testkit;

import dev.callstream.grpc.proto.Codec;
import dev.callstream.grpc.proto.ParticipantType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * One participant's segment of a {@link RingCxScript}: who joins ({@code SegmentStart}), when on the
 * call's timeline, in which audio format, with which audio, which {@code SegmentInfo} events it
 * carries and when it leaves ({@code SegmentStop}). Immutable; build with {@link #contact(String)},
 * {@link #agent(String)}, {@link #bot(String)} or {@link #builder(String, ParticipantType)}.
 *
 * <p>The segment's chunks are numbered {@code seq} 1, 2, 3... and chunk {@code k} (0-based) is due
 * at {@code joinAt + k * ptime} on the call's timeline; its audio is the source's samples from
 * {@code k * ptime} on (the source starts when the participant joins). A source shorter than the
 * segment is padded with silence.
 *
 * <pre>{@code
 * RingCxSegment bot = RingCxSegment.bot("seg-bot")
 *     .audio(AudioSource.fromFile(Path.of("bot.wav")))
 *     .joinAt(Duration.ofSeconds(2)).leaveAt(Duration.ofSeconds(6))
 *     .hold(Duration.ofSeconds(3), Duration.ofSeconds(4))
 *     .build();
 * }</pre>
 */
public final class RingCxSegment {
  private final String id;
  private final String participantId;
  private final ParticipantType participantType;
  private final String participantName;
  private final Codec codec;
  private final int rate;
  private final int ptimeMillis;
  private final boolean sendFormat;
  private final AudioSource audio;
  private final Duration joinAt;
  private final Duration leaveAt;
  private final List<Info> infos;

  /**
   * A {@code SegmentInfo} event at {@code at} on the call's timeline.
   *
   * @param at from the call's start (not the segment's)
   * @param event e.g. {@code hold}, {@code unhold}
   * @param data the optional data, or null
   */
  public record Info(Duration at, String event, String data) {
    public Info {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(event, "event");
      if (at.isNegative()) {
        throw new IllegalArgumentException("info at < 0: " + at);
      }
    }
  }

  private RingCxSegment(Builder builder) {
    this.id = builder.id;
    this.participantId = builder.participantId != null ? builder.participantId : builder.id;
    this.participantType = builder.participantType;
    this.participantName = builder.participantName;
    this.codec = builder.codec;
    this.rate = builder.rate;
    this.ptimeMillis = builder.ptimeMillis;
    this.sendFormat = builder.sendFormat;
    this.audio = builder.audio;
    this.joinAt = builder.joinAt;
    this.leaveAt = builder.leaveAt;
    List<Info> sorted = new ArrayList<>(builder.infos);
    sorted.sort(Comparator.comparing(Info::at)); // stable: same-time events keep their order
    this.infos = List.copyOf(sorted);
  }

  /** A segment of a {@code CONTACT} participant (the caller). */
  public static Builder contact(String segmentId) {
    return builder(segmentId, ParticipantType.CONTACT);
  }

  /** A segment of an {@code AGENT} participant. */
  public static Builder agent(String segmentId) {
    return builder(segmentId, ParticipantType.AGENT);
  }

  /** A segment of a {@code BOT} participant (wire value 5). */
  public static Builder bot(String segmentId) {
    return builder(segmentId, ParticipantType.BOT);
  }

  /** A segment of any participant type (including {@code PARTICIPANT_TYPE_UNSPECIFIED}). */
  public static Builder builder(String segmentId, ParticipantType type) {
    return new Builder(segmentId, type);
  }

  public String id() {
    return id;
  }

  /** The participant id sent; defaults to the segment id. */
  public String participantId() {
    return participantId;
  }

  public ParticipantType participantType() {
    return participantType;
  }

  /** The participant name sent, or null (the field is then absent). */
  public String participantName() {
    return participantName;
  }

  public Codec codec() {
    return codec;
  }

  /** Sample rate in hertz as declared in the {@code AudioFormat}. */
  public int rate() {
    return rate;
  }

  /** Chunk duration in milliseconds. */
  public int ptimeMillis() {
    return ptimeMillis;
  }

  /** Whether {@code SegmentStart} carries the optional {@code audio_format} (default true). */
  public boolean sendsFormat() {
    return sendFormat;
  }

  /** The audio, or null for the script's default for this participant type. */
  public AudioSource audio() {
    return audio;
  }

  /** When the participant joins, from the call's start. */
  public Duration joinAt() {
    return joinAt;
  }

  /** When the participant leaves, from the call's start, or null: at the call's end. */
  public Duration leaveAt() {
    return leaveAt;
  }

  /** The {@code SegmentInfo} events, by time. */
  public List<Info> infos() {
    return infos;
  }

  @Override
  public String toString() {
    return "RingCxSegment[" + id + ", " + participantType + ", " + codec + "/" + rate + "/" + ptimeMillis + " ms]";
  }

  /** Builds a {@link RingCxSegment}. Not thread-safe. */
  public static final class Builder {
    private final String id;
    private final ParticipantType participantType;
    private String participantId;
    private String participantName;
    private Codec codec = Codec.PCMU;
    private int rate = 8000;
    private int ptimeMillis = 100;
    private boolean sendFormat = true;
    private AudioSource audio;
    private Duration joinAt = Duration.ZERO;
    private Duration leaveAt;
    private final List<Info> infos = new ArrayList<>();

    private Builder(String id, ParticipantType participantType) {
      this.id = Objects.requireNonNull(id, "segmentId");
      this.participantType = Objects.requireNonNull(participantType, "participantType");
    }

    /** Default: the segment id. */
    public Builder participantId(String participantId) {
      this.participantId = Objects.requireNonNull(participantId, "participantId");
      return this;
    }

    /** Default none (the optional field is absent). */
    public Builder participantName(String participantName) {
      this.participantName = Objects.requireNonNull(participantName, "participantName");
      return this;
    }

    /**
     * The codec (default {@code PCMU}). {@code PCMU} and {@code L16} (16-bit big-endian) carry the
     * source's samples exactly, {@code PCMA} the A-law code of each of them; for {@code OPUS}, {@code FLAC} and the other
     * values the payload is the source's mu-law bytes, placeholder content of a plausible size.
     */
    public Builder codec(Codec codec) {
      if (codec == null || codec == Codec.UNRECOGNIZED) {
        throw new IllegalArgumentException("codec must be a wire value: " + codec);
      }
      this.codec = codec;
      return this;
    }

    /**
     * The declared sample rate (default 8000). Sources are 8 kHz, so the decodable codecs must stay
     * at 8000; the placeholder codecs may declare any rate.
     */
    public Builder rate(int rate) {
      if (rate <= 0) {
        throw new IllegalArgumentException("rate <= 0: " + rate);
      }
      this.rate = rate;
      return this;
    }

    /** Chunk duration in milliseconds, 1 to 1000 (default 100, RingCX's). */
    public Builder ptime(int ptimeMillis) {
      if (ptimeMillis < 1 || ptimeMillis > 1000) {
        throw new IllegalArgumentException("ptime not in [1, 1000] ms: " + ptimeMillis);
      }
      this.ptimeMillis = ptimeMillis;
      return this;
    }

    /** Whether {@code SegmentStart} carries the optional {@code audio_format} (default true). */
    public Builder sendFormat(boolean sendFormat) {
      this.sendFormat = sendFormat;
      return this;
    }

    /** The audio (default: speech-like, chosen by the script per participant type). */
    public Builder audio(AudioSource audio) {
      this.audio = Objects.requireNonNull(audio, "audio");
      return this;
    }

    /** When the participant joins, from the call's start (default 0). */
    public Builder joinAt(Duration joinAt) {
      if (joinAt.isNegative()) {
        throw new IllegalArgumentException("joinAt < 0: " + joinAt);
      }
      this.joinAt = joinAt;
      return this;
    }

    /** When the participant leaves, from the call's start (default: at the call's end). */
    public Builder leaveAt(Duration leaveAt) {
      this.leaveAt = Objects.requireNonNull(leaveAt, "leaveAt");
      return this;
    }

    /** Adds a {@code SegmentInfo} at {@code at} on the call's timeline. */
    public Builder info(Duration at, String event, String data) {
      infos.add(new Info(at, event, data));
      return this;
    }

    /**
     * Adds {@code SegmentInfo} {@code hold} at {@code from} and {@code unhold} at {@code to} (no
     * data). Media keeps flowing, as nothing in RingCX's documentation says otherwise.
     */
    public Builder hold(Duration from, Duration to) {
      if (to.compareTo(from) < 0) {
        throw new IllegalArgumentException("unhold before hold: " + from + " > " + to);
      }
      info(from, "hold", null);
      return info(to, "unhold", null);
    }

    public RingCxSegment build() {
      if (leaveAt != null && leaveAt.compareTo(joinAt) < 0) {
        throw new IllegalArgumentException("segment " + id + " leaves before it joins: " + leaveAt + " < " + joinAt);
      }
      boolean decodable = codec == Codec.PCMU || codec == Codec.PCMA || codec == Codec.L16;
      if (decodable && rate != 8000) {
        throw new IllegalArgumentException("segment " + id + ": " + codec + " audio comes from 8 kHz sources; rate must be 8000: " + rate);
      }
      return new RingCxSegment(this);
    }
  }
}
