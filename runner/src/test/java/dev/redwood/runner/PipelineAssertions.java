package dev.redwood.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.util.HashSet;
import java.util.Set;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;

/**
 * For tests that build a plain {@code Pipeline} with PAsserts: checks that every assertion ran and
 * passed, as {@code TestPipeline} does, so that a branch the runner dropped fails the test instead
 * of asserting nothing.
 */
public final class PipelineAssertions {
  private PipelineAssertions() {}

  /** Runs {@code p} to completion and checks its PAsserts; returns the result for more checks. */
  public static PipelineResult run(Pipeline p) {
    int asserts = PAssert.countAsserts(p);
    PipelineResult result = p.run();
    assertThat(result.waitUntilFinish(), is(PipelineResult.State.DONE));
    assertRan(result, asserts);
    return result;
  }

  /** Checks that {@code result} (of {@code p}, finished) committed a success for every PAssert. */
  public static void assertAllRan(Pipeline p, PipelineResult result) {
    assertThat(result.waitUntilFinish(), is(PipelineResult.State.DONE));
    assertRan(result, PAssert.countAsserts(p));
  }

  private static void assertRan(PipelineResult result, int asserts) {
    assertThat("PAssert steps that failed", steps(result, PAssert.FAILURE_COUNTER), is(0L));
    assertThat(
        "PAssert steps that ran", steps(result, PAssert.SUCCESS_COUNTER), is((long) asserts));
  }

  /**
   * How many PAssert steps report a positive value of the counter {@code name}: committed where the
   * result has committed values, else attempted (a portable client's results), each step once.
   */
  private static long steps(PipelineResult result, String name) {
    Set<String> steps = new HashSet<>();
    for (MetricResult<Long> counter :
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named(PAssert.class, name))
                    .build())
            .getCounters()) {
      long value = counter.hasCommitted() ? counter.getCommitted() : counter.getAttempted();
      if (value > 0) {
        steps.add(counter.getKey().stepName());
      }
    }
    return steps.size();
  }
}
