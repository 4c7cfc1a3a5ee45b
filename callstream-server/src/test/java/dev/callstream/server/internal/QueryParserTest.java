package dev.callstream.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.callstream.core.CallInfo;
import dev.callstream.core.Transport;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueryParserTest {

  @Test
  void callIdSpellingsAllMapToCallId() {
    assertThat(QueryParser.parse("callId=a").callId()).isEqualTo("a");
    assertThat(QueryParser.parse("call_id=b").callId()).isEqualTo("b");
    assertThat(QueryParser.parse("Call%20ID=c").callId()).isEqualTo("c");
    assertThat(QueryParser.parse("Call+ID=c2").callId()).isEqualTo("c2");
    assertThat(QueryParser.parse("CALL-ID=d").callId()).isEqualTo("d");
    assertThat(QueryParser.parse("uii=e").callId()).isEqualTo("e");
    assertThat(QueryParser.parse("call.id=f").callId()).isEqualTo("f");
  }

  @Test
  void everyTypedFieldIsFilledFromTheDocumentedDescriptions() {
    CallInfo info = QueryParser.parse("Call%20ID=1&Session%20ID=2&Caller%20ANI=3&DNIS=4&EV%20Account%20ID=5"
        + "&EV%20Subaccount%20ID=6&RingCentral%20Office%20Account%20ID=7&Agent%20ID=8&Product%20Type=Queue&Product%20ID=10");
    assertThat(info.callId()).isEqualTo("1");
    assertThat(info.sessionId()).isEqualTo("2");
    assertThat(info.ani()).isEqualTo("3");
    assertThat(info.dnis()).isEqualTo("4");
    assertThat(info.accountId()).isEqualTo("5");
    assertThat(info.subaccountId()).isEqualTo("6");
    assertThat(info.rcAccountId()).isEqualTo("7");
    assertThat(info.agentId()).isEqualTo("8");
    assertThat(info.productType()).isEqualTo("Queue");
    assertThat(info.productId()).isEqualTo("10");
    assertThat(info.parameters()).containsEntry("Call ID", "1").hasSize(10);
  }

  @Test
  void camelCaseKeysAsTheTestkitSendsThem() {
    CallInfo info = QueryParser.parse("callId=c&sessionId=s&ani=a&dnis=d&accountId=ac&subaccountId=sa"
        + "&rcAccountId=rc&agentId=ag&productType=Campaign&productId=p&rcOfficeAccountId=ignored");
    assertThat(info).extracting(CallInfo::callId, CallInfo::sessionId, CallInfo::ani, CallInfo::dnis, CallInfo::accountId,
            CallInfo::subaccountId, CallInfo::rcAccountId, CallInfo::agentId, CallInfo::productType, CallInfo::productId)
        .containsExactly("c", "s", "a", "d", "ac", "sa", "rc", "ag", "Campaign", "p");
  }

  @Test
  void unknownKeysAreKeptInOrderWithTheFirstValuePerKey() {
    CallInfo info = QueryParser.parse("z=1&secret=s3&callId=x&z=2&flag&&callId=y");
    assertThat(info.parameters()).containsExactly(
        Map.entry("z", "1"), Map.entry("secret", "s3"), Map.entry("callId", "x"), Map.entry("flag", ""));
    assertThat(info.callId()).isEqualTo("x");
    assertThat(info.toString()).doesNotContain("s3");
  }

  @Test
  void firstSpellingOfATypedFieldWins() {
    assertThat(QueryParser.parse("call_id=first&callId=second").callId()).isEqualTo("first");
  }

  @Test
  void valuesArePercentDecodedAsUtf8WithPlusAsSpace() {
    CallInfo info = QueryParser.parse("ani=%2B1%20555+0100&name=Jos%C3%A9&eq=a%3Db%26c&emoji=%F0%9F%98%80");
    assertThat(info.ani()).isEqualTo("+1 555 0100");
    assertThat(info.parameters()).containsEntry("name", "José").containsEntry("eq", "a=b&c").containsEntry("emoji", "😀");
  }

  @Test
  void malformedEscapesAreKeptLiterallyAndNeverThrow() {
    CallInfo info = QueryParser.parse("a=100%&b=%zz&c=%4&d=%e9&callId=x%2");
    assertThat(info.parameters()).containsEntry("a", "100%").containsEntry("b", "%zz").containsEntry("c", "%4")
        .containsEntry("d", "\uFFFD");
    assertThat(info.callId()).isEqualTo("x%2");
  }

  @Test
  void nullOrEmptyQueryGivesAnEmptyInfo() {
    assertThat(QueryParser.parse(null).parameters()).isEmpty();
    assertThat(QueryParser.parse("").callId()).isNull();
    assertThat(CallInfo.empty(Transport.WSS).parameters()).isEmpty();
  }

  @Test
  void moreThanAHundredParametersAreIgnored() {
    StringBuilder q = new StringBuilder();
    for (int i = 0; i < 150; i++) {
      q.append("k").append(i).append("=v&");
    }
    q.append("callId=late");
    CallInfo info = QueryParser.parse(q.toString());
    assertThat(info.parameters()).hasSize(100).containsKey("k99").doesNotContainKey("k100");
    assertThat(info.callId()).isNull();
  }

  @Test
  void aQueryLongerThan8KibIsTruncated() {
    String q = "callId=c&big=" + "x".repeat(20_000) + "&sessionId=s";
    CallInfo info = QueryParser.parse(q);
    assertThat(info.callId()).isEqualTo("c");
    assertThat(info.sessionId()).isNull();
    assertThat(info.parameters().get("big")).hasSize(8 * 1024 - "callId=c&big=".length());
  }

  @Test
  void fromParametersMatchesKeysLooselyAndIsBounded() {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("Session ID", "s");
    params.put("AGENT_ID", "7");
    for (int i = 0; i < 200; i++) {
      params.put("x" + i, "v");
    }
    CallInfo info = QueryParser.fromParameters(params);
    assertThat(info.sessionId()).isEqualTo("s");
    assertThat(info.agentId()).isEqualTo("7");
    assertThat(info.parameters()).hasSize(100);
  }
}
