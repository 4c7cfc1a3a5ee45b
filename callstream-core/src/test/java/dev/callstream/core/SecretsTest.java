package dev.callstream.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretsTest {

  @Test
  void namesAreSecretWhateverTheirCaseAndSeparators() {
    for (String name : List.of("secret", "Secret", "SECRET", "client_secret", "clientSecret", "x-secret-value",
        "token", "accessToken", "access_token", "X-Auth-Token", "rcAccessToken", "refresh.token",
        "password", "Password", "db_password", "passwd", "PassPhrase", "Authorization", "proxy-authorization",
        "apikey", "apiKey", "api_key", "API-KEY", "x_api_key", "accessKey", "aws_access_key_id", "private_key",
        "credential", "credentials", "Credentials", "auth", "AUTH", "pwd", "pass")) {
      assertThat(Secrets.isSecretKey(name)).as(name).isTrue();
    }
  }

  @Test
  void callFieldsAreNotSecret() {
    for (String name : List.of("callId", "sessionId", "accountId", "subaccountId", "rcAccountId", "agentId",
        "productType", "productId", "ani", "dnis", "contentType", "sampleRateHertz", "perspective", "event",
        "duration", "end_time", "author", "passenger", "keyboard", "language", "dialogType", "")) {
      assertThat(Secrets.isSecretKey(name)).as(name).isFalse();
    }
    assertThat(Secrets.isSecretKey(null)).isFalse();
  }

  @Test
  void parametersLoseOnlyTheirSecretsAndStayTheSameObjectWithoutAny() {
    Map<String, String> clean = new LinkedHashMap<>(Map.of("callId", "c"));
    assertThat(Secrets.withoutSecretParameters(clean)).isSameAs(clean);
    Map<String, String> query = new LinkedHashMap<>();
    query.put("callId", "c");
    query.put("secret", "v1");
    query.put("api_key", "v2");
    query.put("sessionId", "s");
    assertThat(Secrets.withoutSecretParameters(query)).containsExactly(Map.entry("callId", "c"), Map.entry("sessionId", "s"));
  }

  @Test
  void fieldsLoseSecretsAtAnyDepth() {
    Map<String, Object> nested = new LinkedHashMap<>();
    nested.put("token", "v1");
    nested.put("keep", 1);
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("callId", "c");
    fields.put("auth", Map.of("user", "u", "password", "v2"));
    fields.put("list", List.of(nested, "plain"));
    fields.put("Credentials", "v3");
    Map<String, Object> cleaned = Secrets.withoutSecrets(fields);
    assertThat(cleaned.toString()).doesNotContain("v1", "v2", "v3").contains("keep=1", "plain", "callId=c");
    assertThat(cleaned).doesNotContainKeys("auth", "Credentials");
    Map<String, Object> clean = Map.of("a", List.of(Map.of("b", 1)));
    assertThat(Secrets.withoutSecrets(clean)).isSameAs(clean);
  }

  @Test
  void maskedKeepsTheNamesAndHidesTheValues() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("apiKey", "v1");
    fields.put("inner", List.of(Map.of("client_secret", 42)));
    fields.put("ok", "yes");
    assertThat(Secrets.masked(fields).toString()).isEqualTo("{apiKey=***, inner=[{client_secret=***}], ok=yes}");
    assertThat(Secrets.masked("plain")).isEqualTo("plain");
  }

  @Test
  void textMasksJsonMembersAndFormParametersByName() {
    String text = "{\"event\":\"X\",\"apiKey\" : \"v\\\"1\",\"n\":{\"Password\":12345,\"flag\":true},"
        + "\"refresh_token\":false,\"ok\":\"secret=inside\"} GET /?callId=c&X-Auth-Token=v2&pwd=v3 rest";
    assertThat(Secrets.maskText(text)).isEqualTo("{\"event\":\"X\",\"apiKey\" : \"***\",\"n\":{\"Password\":\"***\","
        + "\"flag\":true},\"refresh_token\":\"***\",\"ok\":\"secret=***\"} GET /?callId=c&X-Auth-Token=***&pwd=*** rest");
    assertThat(Secrets.maskText("no secrets here")).isEqualTo("no secrets here");
  }
}
