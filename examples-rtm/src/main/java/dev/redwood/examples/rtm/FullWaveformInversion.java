package dev.redwood.examples.rtm;

import dev.redwood.examples.rtm.fwi.Lbfgs;
import dev.redwood.examples.rtm.fwi.MisfitGradient;
import dev.redwood.examples.rtm.fwi.SlownessParameters;
import dev.redwood.examples.rtm.imaging.WaterMute;
import dev.redwood.examples.rtm.io.Float32Grid;
import dev.redwood.examples.rtm.io.Storage;
import dev.redwood.examples.rtm.model.GaussianSmoothing;
import dev.redwood.examples.rtm.model.VelocityModel;
import dev.redwood.examples.rtm.pictures.Pictures;
import dev.redwood.examples.rtm.pipeline.ModelShotFn;
import dev.redwood.examples.rtm.pipeline.RtmPipelines;
import dev.redwood.examples.rtm.pipeline.WriteGradientFn;
import dev.redwood.examples.rtm.survey.ShotGeometry;
import dev.redwood.examples.rtm.wave.Medium;
import dev.redwood.examples.rtm.wave.TimeAxis;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.ParDo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The full-waveform inversion example: acquires a synthetic survey in the true model (one
 * pipeline), then improves a smooth starting model with L-BFGS, each misfit and gradient evaluation
 * being one pipeline that computes every shot's misfit and gradient in its own task and sums them
 * with Combine. Prints the misfit at each iteration and draws the true, starting and inverted
 * models.
 *
 * <pre>mvn -B -q -DskipTests package exec:exec@fwi   (from the repository root)</pre>
 *
 * Options: {@link FwiOptions} ({@code --help} lists them).
 */
public final class FullWaveformInversion {
  private static final Logger LOG = LoggerFactory.getLogger(FullWaveformInversion.class);

  /** What a run produced: the models and the misfit after each iteration (index 0: start). */
  public record InversionResult(
      VelocityModel truth,
      VelocityModel start,
      VelocityModel inverted,
      List<Double> misfits,
      int evaluations,
      String stop) {}

  private FullWaveformInversion() {}

  public static void main(String[] args) throws Exception {
    if (Arrays.asList(args).contains("--help")) {
      PipelineOptionsFactory.printHelp(System.out, FwiOptions.class);
      return;
    }
    InversionResult result;
    FwiOptions options;
    try {
      options =
          PipelineOptionsFactory.fromArgs(ExampleArgs.withDefaults(args))
              .withValidation()
              .as(FwiOptions.class);
      result = run(options);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(2);
      return;
    }
    List<Double> misfits = result.misfits();
    System.out.printf(
        "FWI done: misfit %.4e -> %.4e (%.1f%% of the start) in %d iterations, %d evaluations (%s)"
            + "%n  pictures: %s%n",
        misfits.get(0),
        misfits.get(misfits.size() - 1),
        100 * misfits.get(misfits.size() - 1) / misfits.get(0),
        misfits.size() - 1,
        result.evaluations(),
        result.stop(),
        Storage.resolve(options.getOutputDirectory(), "fwi-*.png"));
  }

  public static InversionResult run(FwiOptions options) throws Exception {
    VelocityModel truth =
        SurveySetup.model(
            options, options.getModelNz(), options.getModelNx(), options.getGridSpacing());
    OptionChecks.positive("frequency", options.getFrequency());
    OptionChecks.positive("recordingTime", options.getRecordingTime());
    OptionChecks.notNegative("smoothing", options.getSmoothing());
    OptionChecks.atLeast("iterations", options.getIterations(), 1);
    OptionChecks.atLeast("lbfgsMemory", options.getLbfgsMemory(), 1);
    OptionChecks.positive("minVelocity", options.getMinVelocity());
    if (!(options.getMaxVelocity() > options.getMinVelocity())) {
      throw new IllegalArgumentException(
          "--maxVelocity ("
              + options.getMaxVelocity()
              + ") must exceed --minVelocity ("
              + options.getMinVelocity()
              + ")");
    }
    if (truth.max() > options.getMaxVelocity() || truth.min() < options.getMinVelocity()) {
      throw new IllegalArgumentException(
          String.format(
              "the true model's velocities (%.0f-%.0f m/s) must lie within --minVelocity and"
                  + " --maxVelocity (%.0f-%.0f m/s)",
              truth.min(), truth.max(), options.getMinVelocity(), options.getMaxVelocity()));
    }
    OptionChecks.frequencyResolved(
        options.getFrequency(),
        new VelocityModel(1, 1, truth.spacing(), new float[] {(float) options.getMinVelocity()}));
    List<ShotGeometry> shots =
        SurveySetup.acquisition(options, options.getShots(), truth).shotsOver(truth);
    VelocityModel start = GaussianSmoothing.smoothKeepingWater(truth, options.getSmoothing());
    // One time step for every model the inversion may try: stable up to the velocity bound.
    TimeAxis time =
        TimeAxis.forModel(
            options.getMaxVelocity(),
            truth.spacing(),
            options.getRecordingTime(),
            options.getCourantFraction());
    int sponge = options.getSpongeCells();
    double frequency = options.getFrequency();
    FileSystems.setDefaultPipelineOptions(options);
    String out = Storage.absolute(options.getOutputDirectory());
    LOG.info("FWI: true model {}; {} shots; {}", truth, shots.size(), time);

    String recordsDirectory = Storage.subdirectory(out, "shots");
    Pipeline acquire = Pipeline.create(options);
    RtmPipelines.acquire(acquire, shots, truth, sponge, time, frequency, recordsDirectory);
    acquire.run().waitUntilFinish();
    List<String> records = new ArrayList<>();
    for (ShotGeometry shot : shots) {
      records.add(ModelShotFn.recordPath(recordsDirectory, shot));
    }

    // The sponge's damping stays that of the starting model throughout, so the misfit depends on
    // the model only through the squared slowness the gradient is taken for.
    float[] damping = Medium.of(start, sponge, time).damping();
    SlownessParameters parameters = new SlownessParameters(start, WaterMute.seafloorRows(start));
    int[] evaluation = {0};
    Lbfgs.Objective objective =
        x -> {
          VelocityModel model = parameters.toModel(x);
          String path =
              Storage.resolve(
                  Storage.subdirectory(out, "evaluations"),
                  String.format("evaluation-%03d.bin", ++evaluation[0]));
          Pipeline pipeline = Pipeline.create(options);
          RtmPipelines.gradient(pipeline, records, model, sponge, damping, frequency)
              .apply("WriteGradient", ParDo.of(new WriteGradientFn(path)));
          long t0 = System.nanoTime();
          pipeline.run().waitUntilFinish();
          MisfitGradient sum = WriteGradientFn.read(path);
          LOG.info(
              "evaluation {}: misfit {} over {} shots in {} s",
              evaluation[0],
              String.format("%.6e", sum.misfit()),
              sum.shots(),
              String.format("%.1f", (System.nanoTime() - t0) / 1e9));
          if (sum.shots() != records.size()) {
            throw new IllegalStateException(
                "evaluation summed " + sum.shots() + " shots, expected " + records.size());
          }
          return new Lbfgs.Evaluation(sum.misfit(), parameters.gradient(sum.gradient()));
        };
    List<Double> misfits = new ArrayList<>();
    Lbfgs optimiser =
        new Lbfgs(
            options.getLbfgsMemory(),
            parameters.lowerBounds(options.getMaxVelocity()),
            parameters.upperBounds(options.getMinVelocity()),
            0.03);
    Lbfgs.LbfgsResult result =
        optimiser.minimise(
            parameters.start(),
            objective,
            options.getIterations(),
            (k, value, x, evaluations, step) -> {
              misfits.add(value);
              String line =
                  k == 0
                      ? String.format("FWI iteration 0: misfit %.6e (starting model)", value)
                      : String.format(
                          "FWI iteration %d: misfit %.6e (%.1f%% of the start), %d evaluations so"
                              + " far, step %.3g",
                          k, value, 100 * value / misfits.get(0), evaluations, step);
              System.out.println(line);
            });

    VelocityModel inverted = parameters.toModel(result.x());
    Float32Grid.writeModel(Storage.resolve(out, "fwi-true.bin"), truth, ByteOrder.LITTLE_ENDIAN);
    Float32Grid.writeModel(Storage.resolve(out, "fwi-start.bin"), start, ByteOrder.LITTLE_ENDIAN);
    Float32Grid.writeModel(
        Storage.resolve(out, "fwi-inverted.bin"), inverted, ByteOrder.LITTLE_ENDIAN);
    int scale = Math.max(1, 600 / truth.nx());
    Pictures.velocity(truth, truth.min(), truth.max(), scale, Storage.resolve(out, "fwi-true.png"));
    Pictures.velocity(
        start, truth.min(), truth.max(), scale, Storage.resolve(out, "fwi-start.png"));
    Pictures.velocity(
        inverted, truth.min(), truth.max(), scale, Storage.resolve(out, "fwi-inverted.png"));
    StringBuilder history = new StringBuilder("iteration,misfit\n");
    for (int k = 0; k < misfits.size(); k++) {
      history.append(k).append(',').append(misfits.get(k)).append('\n');
    }
    Storage.write(
        Storage.resolve(out, "fwi-misfit.csv"),
        history.toString().getBytes(StandardCharsets.UTF_8));
    return new InversionResult(
        truth, start, inverted, misfits, result.evaluations(), result.stop());
  }
}
