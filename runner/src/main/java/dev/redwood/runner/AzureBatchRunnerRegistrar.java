package dev.redwood.runner;

import dev.redwood.runner.options.AzureBatchPipelineOptions;
import java.util.List;
import org.apache.beam.sdk.PipelineRunner;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsRegistrar;
import org.apache.beam.sdk.runners.PipelineRunnerRegistrar;

/**
 * Makes {@code --runner=AzureBatchRunner} (or {@code AzureBatch}, or the test runner) and the
 * Redwood options known to Beam through {@link java.util.ServiceLoader}.
 */
public final class AzureBatchRunnerRegistrar {
  private AzureBatchRunnerRegistrar() {}

  /** Registers the runners. */
  public static final class Runner implements PipelineRunnerRegistrar {
    @Override
    public Iterable<Class<? extends PipelineRunner<?>>> getPipelineRunners() {
      return List.of(AzureBatchRunner.class, TestAzureBatchRunner.class);
    }
  }

  /** Registers {@link AzureBatchPipelineOptions}. */
  public static final class Options implements PipelineOptionsRegistrar {
    @Override
    public Iterable<Class<? extends PipelineOptions>> getPipelineOptions() {
      return List.of(AzureBatchPipelineOptions.class);
    }
  }
}
