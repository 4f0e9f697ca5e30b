package dev.redwood.runner.options;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

/** {@code --taskLogRetention}: its forms, its default and the error for a bad value. */
class TaskLogRetentionTest {
  @Test
  void shortFormsIsoDurationsAndZero() {
    assertThat(TaskLogRetention.parse("7d"), is(Duration.ofDays(7)));
    assertThat(TaskLogRetention.parse("48h"), is(Duration.ofHours(48)));
    assertThat(TaskLogRetention.parse("30m"), is(Duration.ofMinutes(30)));
    assertThat(TaskLogRetention.parse("90s"), is(Duration.ofSeconds(90)));
    assertThat(TaskLogRetention.parse("P3D"), is(Duration.ofDays(3)));
    assertThat(TaskLogRetention.parse("pt12h"), is(Duration.ofHours(12)));
    assertThat(TaskLogRetention.parse("0"), is(Duration.ZERO));
  }

  @Test
  void theDefaultIsSevenDays() {
    AzureBatchPipelineOptions options =
        PipelineOptionsFactory.fromArgs().as(AzureBatchPipelineOptions.class);
    assertThat(TaskLogRetention.of(options), is(Duration.ofDays(7)));
  }

  @Test
  void aBadValueFailsValidationNamingTheOption() {
    for (String bad : new String[] {"7", "seven days", "-1d", "P-3D", "3w", ""}) {
      AzureBatchPipelineOptions options =
          PipelineOptionsFactory.fromArgs("--taskLogRetention=" + bad)
              .as(AzureBatchPipelineOptions.class);
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> OptionsValidator.validate(options));
      assertThat(e.getMessage(), containsString("--taskLogRetention=" + bad));
      assertThat(e.getMessage(), containsString("P3D"));
    }
  }
}
