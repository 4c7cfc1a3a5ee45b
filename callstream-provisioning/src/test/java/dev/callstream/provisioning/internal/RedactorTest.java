package dev.callstream.provisioning.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedactorTest {
  @Test
  void masksSensitiveJsonAndFormFieldsAndKnownValues() {
    String masked =
        Redactor.mask(
            "{\"secret\" : \"a\\\"b\", \"accessToken\":\"xyz\"} rcAccessToken=abc&x=1 hello KNOWN",
            List.of("KNOWN", ""));

    assertThat(masked)
        .isEqualTo("{\"secret\" : \"***\", \"accessToken\":\"***\"} rcAccessToken=***&x=1 hello ***");
  }

  @Test
  void masksSensitiveFieldsAtAnyDepthInATree() throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    JsonNode tree =
        mapper.readTree("{\"a\":[{\"Secret\":\"s\"}],\"b\":{\"refreshToken\":\"r\",\"secret\":null}}");

    Redactor.maskFields(tree);

    assertThat(tree)
        .isEqualTo(
            mapper.readTree(
                "{\"a\":[{\"Secret\":\"***\"}],\"b\":{\"refreshToken\":\"***\",\"secret\":null}}"));
  }
}
