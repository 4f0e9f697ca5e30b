package dev.redwood.examples.rtm.pipeline;

import dev.redwood.examples.rtm.imaging.ShotMigration;
import dev.redwood.examples.rtm.io.SegyFormat;
import dev.redwood.examples.rtm.io.Storage;
import dev.redwood.examples.rtm.model.VelocityModel;
import dev.redwood.examples.rtm.survey.ShotRecord;
import dev.redwood.examples.rtm.wave.Medium;
import dev.redwood.examples.rtm.wave.TimeAxis;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;

/**
 * Reverse-time migration, one shot per element: reads the shot's SEG-Y record, migrates it in the
 * background velocity model (residual against the background's prediction, optional illumination
 * normalisation) and outputs the shot's image over the model grid, to be stacked.
 */
public final class MigrateShotFn extends DoFn<String, float[]> {
  private static final long serialVersionUID = 1L;

  private final VelocityModel background;
  private final int sponge;
  private final double peakFrequency;
  private final boolean normalise;
  private final Counter shots = Metrics.counter(MigrateShotFn.class, "shots-migrated");
  private final Distribution millis =
      Metrics.distribution(MigrateShotFn.class, "shot-migration-ms");
  private transient Map<TimeAxis, Medium> media;

  public MigrateShotFn(
      VelocityModel background, int sponge, double peakFrequency, boolean normalise) {
    this.background = background;
    this.sponge = sponge;
    this.peakFrequency = peakFrequency;
    this.normalise = normalise;
  }

  @Setup
  public void setup() {
    media = new HashMap<>();
  }

  @ProcessElement
  public void process(@Element String recordPath, OutputReceiver<float[]> out) throws IOException {
    long start = System.nanoTime();
    ShotRecord record = SegyFormat.decode(Storage.read(recordPath));
    // The record's time axis sets the simulation's; shots of one survey share it.
    Medium medium = media.computeIfAbsent(record.time(), t -> Medium.of(background, sponge, t));
    out.output(ShotMigration.image(medium, record, peakFrequency, normalise));
    shots.inc();
    millis.update((System.nanoTime() - start) / 1_000_000);
  }
}
