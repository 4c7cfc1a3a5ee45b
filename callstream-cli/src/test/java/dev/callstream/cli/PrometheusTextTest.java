package dev.callstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The test's own Prometheus text parser accepts the format and refuses what breaks it. */
class PrometheusTextTest {

  @Test
  void parsesTypedFamiliesLabelsEscapesAndSpecialValues() {
    PrometheusText text = PrometheusText.parse("""
        # HELP a_total Things.
        # TYPE a_total counter
        a_total{x="1",y="q\\"uote\\\\ and \\n"} 3.0
        # TYPE b gauge
        b NaN
        # TYPE h histogram
        h_bucket{le="+Inf"} 2 1700000000000
        h_count 2
        h_sum -1.5e3
        """);
    assertThat(text.types).containsEntry("a_total", "counter").containsEntry("b", "gauge");
    assertThat(text.value("a_total", "y", "q\"uote\\ and \n", "x", "1")).isEqualTo(3.0);
    assertThat(text.value("h_sum")).isEqualTo(-1500.0);
    assertThat(text.value("b")).isNaN();
  }

  @Test
  void refusesWhatTheFormatForbids() {
    assertThatThrownBy(() -> PrometheusText.parse("# TYPE a gauge\na 1")).hasMessageContaining("newline");
    assertThatThrownBy(() -> PrometheusText.parse("a 1\n")).hasMessageContaining("untyped");
    assertThatThrownBy(() -> PrometheusText.parse("# TYPE a gauge\na{x=1} 1\n")).hasMessageContaining("unquoted");
    assertThatThrownBy(() -> PrometheusText.parse("# TYPE a gauge\na one\n")).hasMessageContaining("bad value");
    assertThatThrownBy(() -> PrometheusText.parse("# TYPE a gauge\na 1\na 2\n")).hasMessageContaining("twice");
    assertThatThrownBy(() -> PrometheusText.parse("# TYPE a gauge\n# TYPE a counter\n")).hasMessageContaining("second TYPE");
    assertThatThrownBy(() -> PrometheusText.parse("# TYPE 1a gauge\n")).hasMessageContaining("bad metric name");
    assertThatThrownBy(() -> PrometheusText.parse("# TYPE a gauge\na{x=\"\\t\"} 1\n")).hasMessageContaining("bad escape");
    assertThatThrownBy(() -> PrometheusText.parse("# TYPE a gauge\na_total 1\n")).hasMessageContaining("untyped");
  }
}
