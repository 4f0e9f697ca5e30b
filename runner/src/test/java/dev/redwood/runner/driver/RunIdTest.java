package dev.redwood.runner.driver;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;

import dev.redwood.runner.options.ExplicitOptions;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

class RunIdTest {
  @Test
  void prefixJobNameTimeAndRandomSuffix() {
    assertThat(
        RunId.of("rtm", "Nightly RTM_v2"),
        matchesPattern("rtm-nightly-rtm-v2-\\d{8}-\\d{6}-[0-9a-f]{6}"));
    assertThat(RunId.of(null, null), matchesPattern("redwood-\\d{8}-\\d{6}-[0-9a-f]{6}"));
  }

  @Test
  void longPartsAreCutSoThePoolIdStillFitsABatchJobId() {
    String id = RunId.of("a".repeat(40), "b".repeat(40) + "-" + "c".repeat(10));
    assertThat(id, matchesPattern("a{24}-b{24}-\\d{8}-\\d{6}-[0-9a-f]{6}"));
  }

  @Test
  void twoRunsInTheSameSecondGetDifferentIds() {
    assertThat(RunId.of("x", null), not(is(RunId.of("x", null))));
  }

  @Test
  void onlyAJobNameTheUserGaveCounts() {
    PipelineOptions defaults = PipelineOptionsFactory.create();
    defaults.getJobName(); // Beam makes one up on first read
    assertThat(ExplicitOptions.isSet(defaults, "jobName"), is(false));
    PipelineOptions given = PipelineOptionsFactory.fromArgs("--jobName=nightly").create();
    assertThat(ExplicitOptions.isSet(given, "jobName"), is(true));
  }
}
