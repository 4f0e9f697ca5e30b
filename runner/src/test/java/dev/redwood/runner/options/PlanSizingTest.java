package dev.redwood.runner.options;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

/** The sizing rules: partitions and splits from the options and the nodes' task slots. */
class PlanSizingTest {

  private static AzureBatchPipelineOptions options(String... args) {
    return PipelineOptionsFactory.fromArgs(args).as(AzureBatchPipelineOptions.class);
  }

  @Test
  void nodeJvmsRunATaskPerCore() {
    AzureBatchPipelineOptions options = options("--localNodes=2");
    assertThat(PlanSizing.localSlotsPerNode(options, false), is(1));
    assertThat(PlanSizing.localNodes(options, false), is(new PlanSizing(4, 4, 8, 0, 64)));
  }

  @Test
  void inProcessNodesHaveManySlotsButFewCores() {
    AzureBatchPipelineOptions options = options("--localNodes=2");
    assertThat(PlanSizing.localSlotsPerNode(options, true), is(16));
    // Four cores' worth of data, spread over all 32 slots when a shuffle only spreads work.
    assertThat(PlanSizing.localNodes(options, true), is(new PlanSizing(8, 32, 16, 0, 64)));
  }

  @Test
  void optionsOverrideTheDefaults() {
    AzureBatchPipelineOptions options =
        options(
            "--taskSlotsPerNode=3",
            "--shufflePartitions=5",
            "--splitSizeMb=2",
            "--shuffleBufferMb=8");
    assertThat(PlanSizing.localSlotsPerNode(options, true), is(3));
    assertThat(PlanSizing.pools(options, 10), is(new PlanSizing(5, 10, 40, 2 * 1024 * 1024, 8)));
  }

  @Test
  void poolsWithoutSlotsYetStillPlanForOne() {
    assertThat(PlanSizing.pools(options(), 0), is(new PlanSizing(2, 2, 4, 0, 64)));
  }
}
