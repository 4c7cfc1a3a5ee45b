package dev.callstream.core;

/** Who a {@link Participant} is; a value this version does not know becomes {@link #UNKNOWN}. */
public enum ParticipantType {
  /** The customer (caller or callee). */
  CONTACT,
  /** An agent: the only type on the {@link AudioChannel#AGENT} side. */
  AGENT,
  /** An automated participant (IVR, virtual agent). */
  BOT,
  /** A type this version does not know. */
  UNKNOWN;

  /** The side this participant's audio belongs to: {@link AudioChannel#AGENT} for agents, else conference. */
  public AudioChannel side() {
    return this == AGENT ? AudioChannel.AGENT : AudioChannel.CONFERENCE;
  }
}
