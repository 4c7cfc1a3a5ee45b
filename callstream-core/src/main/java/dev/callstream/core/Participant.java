package dev.callstream.core;

import java.util.Objects;

/**
 * One party of a call, as the transport names it. A WebSocket call has two synthetic participants,
 * {@code agent} (type {@link ParticipantType#AGENT}) and {@code conference} (type
 * {@link ParticipantType#CONTACT}, standing for everyone but the agent).
 *
 * @param id the transport's participant id, never null (may be empty when the transport sent none)
 * @param type the participant's type, never null
 * @param name a display name, or null
 */
public record Participant(String id, ParticipantType type, String name) {
  public Participant {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
  }
}
