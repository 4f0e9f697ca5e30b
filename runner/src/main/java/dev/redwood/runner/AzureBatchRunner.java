package dev.redwood.runner;

import dev.redwood.runner.driver.AzureBatchPipelineResult;
import dev.redwood.runner.driver.JobLauncher;
import dev.redwood.runner.options.AzureBatchPipelineOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineRunner;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Runs a bounded Beam pipeline as Azure Batch tasks ({@code --runner=AzureBatchRunner}). With no
 * Azure configuration it runs on the local backend: worker JVMs on this machine acting as Batch
 * nodes, a directory as the blob store. {@link #run} returns once the job is submitted.
 */
public class AzureBatchRunner extends PipelineRunner<AzureBatchPipelineResult> {
  private final AzureBatchPipelineOptions options;
  private final boolean inProcessByDefault;

  protected AzureBatchRunner(AzureBatchPipelineOptions options, boolean inProcessByDefault) {
    this.options = options;
    this.inProcessByDefault = inProcessByDefault;
  }

  /** Beam's factory method, called for {@code --runner=AzureBatchRunner}. */
  public static AzureBatchRunner fromOptions(PipelineOptions options) {
    return new AzureBatchRunner(options.as(AzureBatchPipelineOptions.class), false);
  }

  @Override
  public AzureBatchPipelineResult run(Pipeline pipeline) {
    try {
      return JobLauncher.launch(pipeline, options, inProcessByDefault);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not submit the pipeline: " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "AzureBatchRunner";
  }
}
