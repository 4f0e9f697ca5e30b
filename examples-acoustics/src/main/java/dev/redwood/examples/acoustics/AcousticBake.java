package dev.redwood.examples.acoustics;

import dev.redwood.examples.acoustics.pictures.ProbeMaps;
import dev.redwood.examples.acoustics.pipeline.BakePipeline;
import dev.redwood.examples.acoustics.pipeline.DrawProbeFn;
import dev.redwood.examples.acoustics.pipeline.OutputFiles;
import dev.redwood.examples.acoustics.pipeline.WriteBakeFn;
import dev.redwood.examples.acoustics.pipeline.WriteStatisticsFn;
import dev.redwood.examples.acoustics.scene.FloorPlanText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bakes wave acoustics for a 2D level, Project Triton style: every probe (listener position) is one
 * simulation with the probe as the source; every cell gets the perceptual parameters of the sound
 * between it and the probe; the bake is one indexed file a game queries at run time ({@link
 * dev.redwood.examples.acoustics.encoding.BakeReader}). An ordinary Beam pipeline: run it with
 * {@code --runner=AzureBatchRunner} (Redwood, local backend by default) or any runner.
 */
public final class AcousticBake {
  private static final Logger LOG = LoggerFactory.getLogger(AcousticBake.class);

  private AcousticBake() {}

  public static void main(String[] args) throws IOException {
    PipelineOptionsFactory.register(AcousticsOptions.class);
    long start = System.nanoTime();
    AcousticsOptions options;
    BakeInputs inputs;
    try {
      options = PipelineOptionsFactory.fromArgs(args).withValidation().as(AcousticsOptions.class);
      inputs = BakeInputs.from(options);
    } catch (IllegalArgumentException e) {
      System.err.println("acoustic bake: " + e.getMessage());
      System.exit(2);
      return;
    }
    PipelineResult.State state = run(options, inputs);
    double seconds = (System.nanoTime() - start) / 1e9;
    byte[] summary = OutputFiles.read(inputs.outputDirectory(), WriteStatisticsFn.SUMMARY);
    if (summary != null) {
      System.out.print(new String(summary, StandardCharsets.UTF_8));
    }
    System.out.printf(
        Locale.ROOT,
        "Acoustic bake %s: %d probes of %s in %.1f s; %s written to %s%n",
        state,
        inputs.probes().size(),
        inputs.plan().name(),
        seconds,
        WriteBakeFn.FILE_NAME,
        inputs.outputDirectory());
    if (state != PipelineResult.State.DONE) {
      System.exit(1);
    }
  }

  /** Writes the scene files, builds and runs the pipeline, and waits for it. */
  public static PipelineResult.State run(AcousticsOptions options, BakeInputs inputs)
      throws IOException {
    // The driver writes the scene through the same file systems as the tasks.
    FileSystems.setDefaultPipelineOptions(options);
    writeScene(inputs);
    LOG.info(
        "Baking {} probes of {} at {} Hz (grid {} m, {} steps per probe) into {}",
        inputs.probes().size(),
        inputs.plan(),
        inputs.settings().grid().maxFrequency(),
        String.format(Locale.ROOT, "%.3f", inputs.settings().grid().spacing()),
        inputs.settings().steps(),
        inputs.outputDirectory());
    Pipeline pipeline = Pipeline.create(options);
    BakePipeline.build(pipeline, inputs);
    return pipeline.run().waitUntilFinish();
  }

  /** The plan as text (generated plans can be edited and baked again) and an overview picture. */
  static void writeScene(BakeInputs inputs) throws IOException {
    OutputFiles.write(
        inputs.outputDirectory(),
        "scene.txt",
        "text/plain",
        FloorPlanText.format(inputs.plan()).getBytes(StandardCharsets.UTF_8));
    ProbeMaps maps =
        new ProbeMaps(inputs.plan(), inputs.settings().cells(), DrawProbeFn.PIXELS_PER_METRE);
    OutputFiles.write(
        inputs.outputDirectory(), "scene.png", "image/png", maps.overview(inputs.probes()));
  }
}
