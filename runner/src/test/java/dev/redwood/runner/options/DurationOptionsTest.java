package dev.redwood.runner.options;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

class DurationOptionsTest {
  @Test
  void unitsAndIsoDurations() {
    assertThat(DurationOptions.parse("o", "90m"), is(Duration.ofMinutes(90)));
    assertThat(DurationOptions.parse("o", "48h"), is(Duration.ofHours(48)));
    assertThat(DurationOptions.parse("o", "7d"), is(Duration.ofDays(7)));
    assertThat(DurationOptions.parse("o", "30s"), is(Duration.ofSeconds(30)));
    assertThat(DurationOptions.parse("o", "P3D"), is(Duration.ofDays(3)));
    assertThat(DurationOptions.parse("o", "PT25S"), is(Duration.ofSeconds(25)));
    assertThat(DurationOptions.parse("o", "0"), is(Duration.ZERO));
  }

  @Test
  void somethingElseIsRefusedNamingTheOption() {
    for (String bad : new String[] {"", "2 weeks", "-5h", "P-1D", "h"}) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> DurationOptions.parse("maxRunDuration", bad));
      assertThat(e.getMessage(), containsString("--maxRunDuration=" + bad + " is not a duration"));
    }
  }

  @Test
  void durationOptionsAreCheckedAtSubmitNamingTheOption() {
    AzureBatchPipelineOptions defaults =
        PipelineOptionsFactory.fromArgs().as(AzureBatchPipelineOptions.class);
    assertThat(
        DurationOptions.parse("taskLogRetention", defaults.getTaskLogRetention()),
        is(Duration.ofDays(7)));
    assertThat(
        DurationOptions.parse("maxRunDuration", defaults.getMaxRunDuration()),
        is(Duration.ofHours(48)));
    for (String option : new String[] {"taskLogRetention", "maxRunDuration"}) {
      AzureBatchPipelineOptions bad =
          PipelineOptionsFactory.fromArgs("--" + option + "=3w")
              .as(AzureBatchPipelineOptions.class);
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> OptionsValidator.validate(bad));
      assertThat(e.getMessage(), containsString("--" + option + "=3w"));
    }
  }
}
