package dev.redwood.examples.acoustics;

import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsRegistrar;

/** Makes {@link AcousticsOptions} known to Beam (for --help and option validation). */
public final class AcousticsOptionsRegistrar implements PipelineOptionsRegistrar {
  @Override
  public Iterable<Class<? extends PipelineOptions>> getPipelineOptions() {
    return List.of(AcousticsOptions.class);
  }
}
