package dev.redwood.examples.rtm.pipeline;

import dev.redwood.examples.rtm.fwi.MisfitGradient;
import dev.redwood.examples.rtm.model.VelocityModel;
import dev.redwood.examples.rtm.survey.ShotGeometry;
import dev.redwood.examples.rtm.wave.TimeAxis;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;

/**
 * The example's pipelines, each one shot per element and one task per shot: acquiring a survey,
 * migrating it (per-shot images stacked with {@code Combine.globally}), and the FWI misfit and
 * gradient (per-shot misfits and gradients summed the same way). Nothing here is specific to
 * Redwood: the same pipelines run on any Beam runner.
 */
public final class RtmPipelines {

  private RtmPipelines() {}

  /** Models every shot in the true model and writes its SEG-Y record; the records' paths. */
  public static PCollection<String> acquire(
      Pipeline pipeline,
      List<ShotGeometry> shots,
      VelocityModel truth,
      int sponge,
      TimeAxis time,
      double peakFrequency,
      String recordsDirectory) {
    return pipeline
        .apply("Shots", Read.from(ShotSource.of(shots, SerializableCoder.of(ShotGeometry.class))))
        .apply(
            "ModelShot",
            ParDo.of(new ModelShotFn(truth, sponge, time, peakFrequency, recordsDirectory)));
  }

  /** Migrates every shot record in the background model; the stack of the shots' images. */
  public static PCollection<float[]> migrate(
      Pipeline pipeline,
      List<String> records,
      VelocityModel background,
      int sponge,
      double peakFrequency,
      boolean normaliseByIllumination) {
    return pipeline
        .apply("ShotRecords", Read.from(ShotSource.of(records, StringUtf8Coder.of())))
        .apply(
            "MigrateShot",
            ParDo.of(new MigrateShotFn(background, sponge, peakFrequency, normaliseByIllumination)))
        .setCoder(FloatArrayCoder.of())
        .apply("Stack", Combine.globally(new ImageStack()).withoutDefaults());
  }

  /** The misfit and gradient of every shot record in the model; their sum. */
  public static PCollection<MisfitGradient> gradient(
      Pipeline pipeline,
      List<String> records,
      VelocityModel model,
      int sponge,
      float[] damping,
      double peakFrequency) {
    return pipeline
        .apply("ShotRecords", Read.from(ShotSource.of(records, StringUtf8Coder.of())))
        .apply("ShotGradient", ParDo.of(new ShotGradientFn(model, sponge, damping, peakFrequency)))
        .setCoder(MisfitGradientCoder.of())
        .apply("SumGradients", Combine.globally(new GradientSum()).withoutDefaults());
  }
}
