package dev.redwood.runner;

import dev.redwood.runner.driver.AzureBatchPipelineResult;
import dev.redwood.runner.options.AzureBatchPipelineOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * The runner Beam's {@code TestPipeline} uses ({@code --runner=TestAzureBatchRunner}): runs the
 * pipeline to completion and throws its failure. Local nodes run in-process unless {@code
 * --inProcessNodes=false}; tasks still go through the blob store.
 */
public final class TestAzureBatchRunner extends AzureBatchRunner {

  private TestAzureBatchRunner(AzureBatchPipelineOptions options) {
    super(options, true);
  }

  public static TestAzureBatchRunner fromOptions(PipelineOptions options) {
    AzureBatchPipelineOptions redwood = options.as(AzureBatchPipelineOptions.class);
    redwood.setQuiet(true);
    return new TestAzureBatchRunner(redwood);
  }

  @Override
  public AzureBatchPipelineResult run(Pipeline pipeline) {
    AzureBatchPipelineResult result = super.run(pipeline);
    result.waitUntilFinish();
    return result;
  }

  @Override
  public String toString() {
    return "TestAzureBatchRunner";
  }
}
