package dev.lifeline.workflows.playbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void parsesIsoAndShorthand() {
    assertThat(Durations.parse("PT30M")).isEqualTo(Duration.ofMinutes(30));
    assertThat(Durations.parse("p2d")).isEqualTo(Duration.ofDays(2));
    assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Durations.parse(" 2d4h ")).isEqualTo(Duration.ofHours(52));
  }

  @Test
  void refusesWhatIsNotADurationNamingTheForms() {
    assertThatThrownBy(() -> Durations.parse("soon")).hasMessageContaining("shorthand like 30m");
    assertThatThrownBy(() -> Durations.parse("PT")).hasMessageContaining("ISO-8601");
    assertThatThrownBy(() -> Durations.parse(" ")).hasMessageContaining("is empty");
  }

  @Test
  void readsDurationsForPeople() {
    assertThat(Durations.human(Duration.ofSeconds(-5))).isEqualTo("0 s");
    assertThat(Durations.human(119)).isEqualTo("119 s");
    assertThat(Durations.human(120)).isEqualTo("2 min");
    assertThat(Durations.human(Duration.ofMinutes(30))).isEqualTo("30 min");
    assertThat(Durations.human(Duration.ofHours(1))).isEqualTo("1 h");
    assertThat(Durations.human(Duration.ofMinutes(90))).isEqualTo("90 min");
    assertThat(Durations.human(Duration.ofMinutes(200))).isEqualTo("3 h 20 min");
    assertThat(Durations.human(Duration.ofHours(24))).isEqualTo("24 h");
    assertThat(Durations.human(Duration.ofDays(3).plusHours(5))).isEqualTo("3 days");
  }
}
