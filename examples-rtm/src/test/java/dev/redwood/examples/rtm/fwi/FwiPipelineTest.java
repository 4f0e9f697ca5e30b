package dev.redwood.examples.rtm.fwi;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;

import dev.redwood.examples.rtm.FullWaveformInversion;
import dev.redwood.examples.rtm.FwiOptions;
import dev.redwood.examples.rtm.io.SegyFormat;
import dev.redwood.examples.rtm.io.Storage;
import dev.redwood.examples.rtm.model.GaussianSmoothing;
import dev.redwood.examples.rtm.model.VelocityModel;
import dev.redwood.examples.rtm.pipeline.ModelShotFn;
import dev.redwood.examples.rtm.pipeline.RtmPipelines;
import dev.redwood.examples.rtm.pipeline.WriteGradientFn;
import dev.redwood.examples.rtm.survey.Acquisition;
import dev.redwood.examples.rtm.survey.ShotGeometry;
import dev.redwood.examples.rtm.wave.Medium;
import dev.redwood.examples.rtm.wave.TimeAxis;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.ParDo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FWI through pipelines on {@code TestAzureBatchRunner}: the gradient pipeline's sum equals the
 * per-shot misfits and gradients added up directly, and the whole example, run for a few iterations
 * on a small model, lowers the misfit at every iteration.
 */
class FwiPipelineTest {

  @TempDir Path work;

  private PipelineOptions redwood(String name) {
    return PipelineOptionsFactory.fromArgs(
            "--runner=TestAzureBatchRunner", "--localWorkDir=" + work.resolve(name))
        .create();
  }

  @Test
  void gradientPipelineSumsPerShotGradients() throws Exception {
    VelocityModel truth = GradientTaylorTest.trueModel(30, 50, 10);
    VelocityModel start = GaussianSmoothing.smooth(truth, 60);
    TimeAxis time = TimeAxis.forModel(truth.max(), 10, 0.5, 0.9);
    int sponge = 15;
    List<ShotGeometry> shots = new Acquisition(3, 20, 20, 20).shotsOver(truth);
    String records = work.resolve("shots").toString();
    Pipeline acquire = Pipeline.create(redwood("acquire"));
    RtmPipelines.acquire(acquire, shots, truth, sponge, time, 12, records);
    acquire.run().waitUntilFinish();
    List<String> paths = new ArrayList<>();
    for (ShotGeometry shot : shots) {
      paths.add(ModelShotFn.recordPath(records, shot));
    }

    Medium medium = Medium.of(start, sponge, time);
    String out = work.resolve("gradient.bin").toString();
    Pipeline pipeline = Pipeline.create(redwood("gradient"));
    RtmPipelines.gradient(pipeline, paths, start, sponge, medium.damping(), 12)
        .apply(ParDo.of(new WriteGradientFn(out)));
    pipeline.run().waitUntilFinish();
    MisfitGradient summed = WriteGradientFn.read(out);

    double misfit = 0;
    float[] gradient = new float[truth.nz() * truth.nx()];
    for (String path : paths) {
      MisfitGradient shot = ShotGradient.of(medium, SegyFormat.decode(Storage.read(path)), 12);
      misfit += shot.misfit();
      for (int i = 0; i < gradient.length; i++) {
        gradient[i] += shot.gradient()[i];
      }
    }
    assertThat(summed.shots(), equalTo(3));
    assertThat(summed.misfit(), closeTo(misfit, 1e-9 * misfit));
    float scale = 0;
    double diff = 0;
    for (int i = 0; i < gradient.length; i++) {
      scale = Math.max(scale, Math.abs(gradient[i]));
      diff = Math.max(diff, Math.abs(gradient[i] - summed.gradient()[i]));
    }
    assertThat(diff / scale, lessThan(1e-6));
  }

  @Test
  void inversionLowersTheMisfitEveryIteration() throws Exception {
    FwiOptions options =
        PipelineOptionsFactory.fromArgs(
                "--runner=TestAzureBatchRunner",
                "--localWorkDir=" + work.resolve("fwi-runner"),
                "--outputDirectory=" + work.resolve("fwi"),
                "--modelNz=24",
                "--modelNx=60",
                "--gridSpacing=25",
                "--shots=3",
                "--recordingTime=1.0",
                "--spongeCells=20",
                "--iterations=3")
            .withValidation()
            .as(FwiOptions.class);
    FullWaveformInversion.InversionResult result = FullWaveformInversion.run(options);
    List<Double> misfits = result.misfits();
    assertThat(misfits.size(), equalTo(4));
    for (int k = 1; k < misfits.size(); k++) {
      assertThat("iteration " + k, misfits.get(k), lessThan(misfits.get(k - 1)));
    }
    assertThat(misfits.get(3), lessThan(0.7 * misfits.get(0)));
    assertThat(Files.exists(work.resolve("fwi").resolve("fwi-inverted.png")), equalTo(true));
    assertThat(
        Files.readAllLines(work.resolve("fwi").resolve("fwi-misfit.csv")).size(), equalTo(5));
  }
}
