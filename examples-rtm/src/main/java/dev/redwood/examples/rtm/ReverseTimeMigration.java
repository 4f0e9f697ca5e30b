package dev.redwood.examples.rtm;

import dev.redwood.examples.rtm.imaging.WaterMute;
import dev.redwood.examples.rtm.io.Float32Grid;
import dev.redwood.examples.rtm.io.SegyFormat;
import dev.redwood.examples.rtm.io.Storage;
import dev.redwood.examples.rtm.model.GaussianSmoothing;
import dev.redwood.examples.rtm.model.VelocityModel;
import dev.redwood.examples.rtm.pictures.Pictures;
import dev.redwood.examples.rtm.pipeline.MigrateShotFn;
import dev.redwood.examples.rtm.pipeline.ModelShotFn;
import dev.redwood.examples.rtm.pipeline.RtmPipelines;
import dev.redwood.examples.rtm.pipeline.WriteImageFn;
import dev.redwood.examples.rtm.survey.ShotGeometry;
import dev.redwood.examples.rtm.survey.ShotRecord;
import dev.redwood.examples.rtm.wave.PaddedGrid;
import dev.redwood.examples.rtm.wave.SourceWavefield;
import dev.redwood.examples.rtm.wave.StencilKernels;
import dev.redwood.examples.rtm.wave.TimeAxis;
import dev.redwood.runner.driver.AzureBatchPipelineResult;
import java.io.IOException;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.ParDo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seismic imaging example, and Redwood's main job: acquires a synthetic 2D survey over a
 * velocity model (one pipeline, one task per shot, SEG-Y records out), then migrates it with
 * reverse-time migration (a second pipeline: one task per shot, per-shot images stacked with
 * Combine through the shuffle), and draws the model and the image.
 *
 * <pre>mvn -B -q -DskipTests package exec:exec@main-job   (from the repository root)</pre>
 *
 * Options: {@link RtmOptions} ({@code --help} lists them).
 */
public final class ReverseTimeMigration {
  private static final Logger LOG = LoggerFactory.getLogger(ReverseTimeMigration.class);

  /** What a run produced. */
  public record MigrationResult(
      VelocityModel truth,
      VelocityModel background,
      float[] stack,
      float[] image,
      List<String> records,
      double acquisitionSeconds,
      double migrationSeconds,
      double meanShotMigrationMillis,
      List<String> reports) {

    public double shotsPerMinute() {
      return records.size() / (migrationSeconds / 60);
    }
  }

  private ReverseTimeMigration() {}

  public static void main(String[] args) throws IOException {
    if (Arrays.asList(args).contains("--help")) {
      PipelineOptionsFactory.printHelp(System.out, RtmOptions.class);
      return;
    }
    RtmOptions options;
    MigrationResult result;
    try {
      options =
          PipelineOptionsFactory.fromArgs(ExampleArgs.withDefaults(args))
              .withValidation()
              .as(RtmOptions.class);
      result = run(options);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(2);
      return;
    }
    String out = options.getOutputDirectory();
    System.out.printf(
        "RTM done: %d shots over %s%n"
            + "  acquisition %.1f s, migration %.1f s (%.1f shots per minute; %.1f s of compute per"
            + " shot)%n"
            + "  pictures: %s, %s, %s, %s%n",
        result.records().size(),
        result.truth(),
        result.acquisitionSeconds(),
        result.migrationSeconds(),
        result.shotsPerMinute(),
        result.meanShotMigrationMillis() / 1000,
        Storage.resolve(out, "model.png"),
        Storage.resolve(out, "migration-velocity.png"),
        Storage.resolve(out, "image.png"),
        Storage.resolve(out, "shot-record.png"));
    // Last, where a newcomer looks: the pages that show what each pipeline of the run did.
    if (!result.reports().isEmpty()) {
      System.out.println("  run reports: " + String.join(", ", result.reports()));
    }
  }

  /** Runs the example: survey (unless --shotRecords), migration, pictures. */
  public static MigrationResult run(RtmOptions options) throws IOException {
    VelocityModel truth =
        SurveySetup.model(
            options, options.getModelNz(), options.getModelNx(), options.getGridSpacing());
    OptionChecks.positive("frequency", options.getFrequency());
    OptionChecks.positive("recordingTime", options.getRecordingTime());
    OptionChecks.notNegative("smoothing", options.getSmoothing());
    OptionChecks.within("clipPercentile", options.getClipPercentile(), 0, 100);
    OptionChecks.frequencyResolved(options.getFrequency(), truth);
    List<ShotGeometry> shots =
        SurveySetup.acquisition(options, options.getShots(), truth).shotsOver(truth);
    VelocityModel background = GaussianSmoothing.smoothKeepingWater(truth, options.getSmoothing());
    TimeAxis time =
        TimeAxis.forModel(
            truth.max(), truth.spacing(), options.getRecordingTime(), options.getCourantFraction());
    int sponge = options.getSpongeCells();
    // Before the first write: the driver reads and writes the same file systems as the tasks.
    FileSystems.setDefaultPipelineOptions(options);
    String out = Storage.absolute(options.getOutputDirectory());
    Float32Grid.writeModel(Storage.resolve(out, "model.bin"), truth, ByteOrder.LITTLE_ENDIAN);
    Float32Grid.writeModel(
        Storage.resolve(out, "migration-velocity.bin"), background, ByteOrder.LITTLE_ENDIAN);

    PaddedGrid grid = new PaddedGrid(truth.nz(), truth.nx(), sponge);
    int fields = SourceWavefield.fieldsHeld(time.samples());
    LOG.info(
        "model {}; grid {} with sponge; {}; {} shots, {} receivers each; stencil kernel: {};"
            + " checkpointing holds {} wavefields ({} MiB) per shot",
        truth,
        grid,
        time,
        shots.size(),
        shots.get(0).receivers(),
        StencilKernels.best().name(),
        fields,
        (long) fields * grid.size() * 4 / (1 << 20));

    List<String> records;
    List<String> reports = new ArrayList<>();
    double acquisitionSeconds = 0;
    if (options.getShotRecords() == null) {
      String recordsDirectory = Storage.subdirectory(out, "shots");
      Pipeline acquire = Pipeline.create(options);
      RtmPipelines.acquire(
          acquire, shots, truth, sponge, time, options.getFrequency(), recordsDirectory);
      long start = System.nanoTime();
      PipelineResult acquired = acquire.run();
      acquired.waitUntilFinish();
      reports.addAll(reportsOf(acquired));
      acquisitionSeconds = (System.nanoTime() - start) / 1e9;
      records = new ArrayList<>();
      for (ShotGeometry shot : shots) {
        records.add(ModelShotFn.recordPath(recordsDirectory, shot));
      }
      LOG.info(
          "acquired {} shot records in {} s",
          records.size(),
          String.format("%.1f", acquisitionSeconds));
    } else {
      records = match(Storage.absolute(options.getShotRecords()));
    }

    Pipeline migrate = Pipeline.create(options);
    RtmPipelines.migrate(
            migrate,
            records,
            background,
            sponge,
            options.getFrequency(),
            options.getIlluminationNormalisation())
        .apply(
            "WriteImage",
            ParDo.of(
                new WriteImageFn(
                    out,
                    truth.nz(),
                    truth.nx(),
                    options.getLaplacianFilter(),
                    options.getMuteWater() ? WaterMute.seafloorRows(background) : null)));
    long start = System.nanoTime();
    PipelineResult result = migrate.run();
    result.waitUntilFinish();
    reports.addAll(reportsOf(result));
    double migrationSeconds = (System.nanoTime() - start) / 1e9;

    float[] stack =
        Float32Grid.read(Storage.resolve(out, WriteImageFn.STACK), ByteOrder.LITTLE_ENDIAN);
    float[] image =
        Float32Grid.read(Storage.resolve(out, WriteImageFn.IMAGE), ByteOrder.LITTLE_ENDIAN);
    drawPictures(options, out, truth, background, image, records);
    return new MigrationResult(
        truth,
        background,
        stack,
        image,
        records,
        acquisitionSeconds,
        migrationSeconds,
        meanMillis(result, MigrateShotFn.class, "shot-migration-ms"),
        reports);
  }

  /** Where Redwood wrote the run reports of a pipeline (none on other runners). */
  private static List<String> reportsOf(PipelineResult result) {
    return result instanceof AzureBatchPipelineResult redwood
        ? redwood.reportLocations()
        : List.of();
  }

  private static void drawPictures(
      RtmOptions options,
      String out,
      VelocityModel truth,
      VelocityModel background,
      float[] image,
      List<String> records)
      throws IOException {
    int scale = Math.max(1, 600 / truth.nx());
    Pictures.velocity(truth, scale, Storage.resolve(out, "model.png"));
    Pictures.velocity(
        background,
        truth.min(),
        truth.max(),
        scale,
        Storage.resolve(out, "migration-velocity.png"));
    Pictures.seismic(
        image,
        truth.nz(),
        truth.nx(),
        options.getClipPercentile(),
        scale,
        Storage.resolve(out, "image.png"));
    ShotRecord middle = SegyFormat.decode(Storage.read(records.get(records.size() / 2)));
    Pictures.shotRecord(middle, 98, 600, Storage.resolve(out, "shot-record.png"));
  }

  private static List<String> match(String glob) throws IOException {
    MatchResult match = FileSystems.match(glob);
    List<String> paths = new ArrayList<>();
    if (match.status() == MatchResult.Status.OK) {
      for (MatchResult.Metadata m : match.metadata()) {
        paths.add(m.resourceId().toString());
      }
    }
    if (paths.isEmpty()) {
      throw new IllegalArgumentException("--shotRecords=" + glob + " matches no files");
    }
    paths.sort(null);
    return paths;
  }

  static double meanMillis(PipelineResult result, Class<?> namespace, String name) {
    try {
      MetricQueryResults metrics =
          result
              .metrics()
              .queryMetrics(
                  MetricsFilter.builder()
                      .addNameFilter(MetricNameFilter.named(namespace, name))
                      .build());
      for (MetricResult<DistributionResult> d : metrics.getDistributions()) {
        DistributionResult value = d.getAttempted();
        if (value != null && value.getCount() > 0) {
          return value.getMean();
        }
      }
    } catch (UnsupportedOperationException e) {
      LOG.debug("runner reports no metrics: {}", e.toString());
    }
    return Double.NaN;
  }
}
