package dev.callstream.server.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Malformed messages are reported with a reason, and reasons end up in WARN logs: no part of a
 * {@code media} value (call audio) may ever appear in one, nor in any cause's message.
 */
class StreamCodecPayloadSecrecyTest {
  private static final String AUDIO = audio();
  /** A distinctive slice of the audio's base64. */
  private static final String SLICE = AUDIO.substring(8, 20);

  private static String audio() {
    byte[] bytes = new byte[160];
    new Random(7).nextBytes(bytes);
    return Base64.getEncoder().encodeToString(bytes);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"event\":\"Media\",\"perspective\":\"Participant\",\"media\":%s}", // unquoted: an unrecognized token
      "{\"event\":\"Media\",\"perspective\":\"Participant\",\"media\":%s", // unquoted and unterminated
      "{\"event\":\"Media\",\"perspective\":\"Participant\",\"media\":\"%s", // unterminated string
      "{\"event\":\"Media\",\"perspective\":\"Participant\",\"media\":\"%s\" \"x\"}", // missing comma
      "{\"event\":\"Media\",\"perspective\":\"Participant\",\"media\":\"%s!!\"}", // invalid base64
      "{\"event\":\"Media\",\"perspective\":\"Participant\",\"media\":[\"%s\"]}", // wrong type
      "{\"event\":\"Media\",\"perspective\":\"Participant\",\"media\":\"%s\"}}", // trailing content
      "{\"event\":\"Media\",\"perspective\":\"Participant\",\"media\":true%s}", // broken literal
      "{\"event\":\"Media\",\"perspective\":\"Participant\",\"media\":1%s}", // broken number
      "{\"event\":\"Media\",\"perspective\":\"Participant\",%s:1}", // audio as a field name
      "{\"event\":\"Media\",\"perspective\":\"%s\",\"media\":\"AAAA\"}", // audio as the perspective
      "%s", // audio alone
      "[%s]", // audio in an array
  })
  void aMalformedMediaNeverQuotesItsAudio(String template) {
    String message = String.format(template, AUDIO);
    StreamCodec codec = new StreamCodec();

    MalformedMessageException fromText = catchThrowableOfType(MalformedMessageException.class,
        () -> codec.decode(message));
    byte[] utf8 = message.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    MalformedMessageException fromBytes = catchThrowableOfType(MalformedMessageException.class,
        () -> codec.decode(utf8, 0, utf8.length));

    assertThat(fromText).as("rejected as text: %s", message).isNotNull();
    assertThat(fromBytes).as("rejected as bytes: %s", message).isNotNull();
    for (MalformedMessageException error : List.of(fromText, fromBytes)) {
      for (String text : messages(error)) {
        assertThat(text).doesNotContain(SLICE).doesNotContain(AUDIO.substring(0, 8));
      }
    }
  }

  @org.junit.jupiter.api.Test
  void anUnknownPerspectiveIsQuotedOnlyWhenItIsAShortWord() {
    StreamCodec codec = new StreamCodec();
    assertThat(catchThrowableOfType(MalformedMessageException.class,
        () -> codec.decode("{\"event\":\"Media\",\"perspective\":\"Caller\",\"media\":\"AAAA\"}")))
        .hasMessageContaining("unknown perspective \"Caller\"");
    assertThat(catchThrowableOfType(MalformedMessageException.class,
        () -> codec.decode("{\"event\":\"Media\",\"perspective\":\"x\\n[main] INFO forged\",\"media\":\"AAAA\"}")))
        .hasMessageContaining("unknown perspective of 20 characters")
        .hasMessageNotContaining("forged");
  }

  /** Every message and toString along the cause chain, as a log line with a stack trace would show. */
  private static List<String> messages(Throwable error) {
    List<String> texts = new ArrayList<>();
    for (Throwable t = error; t != null; t = t.getCause()) {
      texts.add(String.valueOf(t.getMessage()));
      texts.add(t.toString());
    }
    return texts;
  }
}
