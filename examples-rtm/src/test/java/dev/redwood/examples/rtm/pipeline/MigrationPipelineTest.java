package dev.redwood.examples.rtm.pipeline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThan;

import dev.redwood.examples.rtm.imaging.ShotMigration;
import dev.redwood.examples.rtm.io.Float32Grid;
import dev.redwood.examples.rtm.io.SegyFormat;
import dev.redwood.examples.rtm.io.Storage;
import dev.redwood.examples.rtm.model.GaussianSmoothing;
import dev.redwood.examples.rtm.model.MarmousiLikeModel;
import dev.redwood.examples.rtm.model.VelocityModel;
import dev.redwood.examples.rtm.survey.Acquisition;
import dev.redwood.examples.rtm.survey.ShotGeometry;
import dev.redwood.examples.rtm.survey.ShotModelling;
import dev.redwood.examples.rtm.survey.ShotRecord;
import dev.redwood.examples.rtm.wave.Medium;
import dev.redwood.examples.rtm.wave.TimeAxis;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.ParDo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acquisition and migration pipelines end to end on Redwood's {@code TestAzureBatchRunner}
 * (in-process nodes; every task still reads its spec and inputs through the blob store), checked
 * against the same computation done directly: the SEG-Y records must equal the directly modelled
 * shots, and the stacked image must equal the sum of the per-shot images. The migration also runs
 * on Beam's DirectRunner, which must give the same stack.
 */
class MigrationPipelineTest {

  static final int SPONGE = 20;
  static final double FREQUENCY = 10;

  @TempDir static Path work;

  static VelocityModel truth;
  static VelocityModel background;
  static TimeAxis time;
  static List<ShotGeometry> shots;
  static List<String> records;

  @BeforeAll
  static void acquire() throws IOException {
    truth = MarmousiLikeModel.create(40, 90, 20, 3);
    background = GaussianSmoothing.smoothKeepingWater(truth, 80);
    time = TimeAxis.forModel(truth.max(), truth.spacing(), 1.0, 0.9);
    shots = new Acquisition(3, 20, 20, 40).shotsOver(truth);
    String directory = work.resolve("shots").toString();
    Pipeline pipeline = Pipeline.create(redwood("acquire"));
    RtmPipelines.acquire(pipeline, shots, truth, SPONGE, time, FREQUENCY, directory);
    pipeline.run().waitUntilFinish();
    records = new ArrayList<>();
    for (ShotGeometry shot : shots) {
      records.add(ModelShotFn.recordPath(directory, shot));
    }
  }

  static PipelineOptions redwood(String name) {
    return PipelineOptionsFactory.fromArgs(
            "--runner=TestAzureBatchRunner",
            "--localWorkDir=" + work.resolve("redwood-" + name),
            "--localNodes=2",
            "--taskSlotsPerNode=2")
        .create();
  }

  @Test
  void recordsEqualDirectModelling() throws IOException {
    Medium medium = Medium.of(truth, SPONGE, time);
    for (int s = 0; s < shots.size(); s++) {
      ShotRecord written = SegyFormat.decode(Storage.read(records.get(s)));
      ShotRecord direct = ShotModelling.record(medium, shots.get(s), FREQUENCY);
      assertThat(written.geometry(), equalTo(direct.geometry()));
      assertThat(written.time(), equalTo(direct.time()));
      assertThat("shot " + s + " samples", written.samples(), equalTo(direct.samples()));
    }
  }

  @Test
  void stackedImageEqualsTheSumOfPerShotImages() throws IOException {
    float[] pipelineStack = migrate(redwood("migrate"), "redwood-image");

    Medium medium = Medium.of(background, SPONGE, time);
    float[] direct = new float[truth.nz() * truth.nx()];
    float largestShot = 0;
    for (String record : records) {
      float[] image =
          ShotMigration.image(medium, SegyFormat.decode(Storage.read(record)), FREQUENCY, true);
      for (int i = 0; i < direct.length; i++) {
        direct[i] += image[i];
        largestShot = Math.max(largestShot, Math.abs(image[i]));
      }
    }
    assertThat(largestShot, greaterThan(0f));
    assertThat(relativeDifference(pipelineStack, direct), lessThan(1e-6));
    // Each shot adds something: the stack is not one shot's image.
    assertThat(maxAbs(direct), greaterThan(0f));
  }

  @Test
  void directRunnerGivesTheSameStack() throws IOException {
    PipelineOptions direct = PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create();
    float[] onDirect = migrate(direct, "direct-image");
    float[] onRedwood = migrate(redwood("again"), "redwood-again");
    assertThat(relativeDifference(onDirect, onRedwood), lessThan(1e-6));
  }

  private static float[] migrate(PipelineOptions options, String outputName) throws IOException {
    String out = work.resolve(outputName).toString();
    Pipeline pipeline = Pipeline.create(options);
    RtmPipelines.migrate(pipeline, records, background, SPONGE, FREQUENCY, true)
        .apply(ParDo.of(new WriteImageFn(out, truth.nz(), truth.nx(), true, null)));
    pipeline.run().waitUntilFinish();
    return Float32Grid.read(Storage.resolve(out, WriteImageFn.STACK), ByteOrder.LITTLE_ENDIAN);
  }

  static double relativeDifference(float[] a, float[] b) {
    assertThat(a.length, equalTo(b.length));
    double diff = 0;
    for (int i = 0; i < a.length; i++) {
      diff = Math.max(diff, Math.abs(a[i] - b[i]));
    }
    return diff / Math.max(maxAbs(a), maxAbs(b));
  }

  static float maxAbs(float[] a) {
    float m = 0;
    for (float v : a) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }
}
