package dev.callstream.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PortableCallEndpointTest {

  /** The size limit counts UTF-8 bytes, as the standalone server (which reads bytes) does. */
  @Test
  void utf8LengthCountsBytesAsEncoded() {
    // (A container decodes valid UTF-8 only, so text never holds a lone surrogate.)
    for (String text : new String[] {"", "ascii", "\u00e9t\u00e9", "\u20ac100", "\uD83D\uDE00 smile", "\uDBFF\uDFFF"}) {
      assertThat(PortableCallEndpoint.utf8Length(text)).as(text)
          .isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
    }
  }
}
