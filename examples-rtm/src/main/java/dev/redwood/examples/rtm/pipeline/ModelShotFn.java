package dev.redwood.examples.rtm.pipeline;

import dev.redwood.examples.rtm.io.SegyFormat;
import dev.redwood.examples.rtm.io.Storage;
import dev.redwood.examples.rtm.model.VelocityModel;
import dev.redwood.examples.rtm.survey.ShotGeometry;
import dev.redwood.examples.rtm.survey.ShotModelling;
import dev.redwood.examples.rtm.survey.ShotRecord;
import dev.redwood.examples.rtm.wave.Medium;
import dev.redwood.examples.rtm.wave.TimeAxis;
import java.io.IOException;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;

/**
 * Acquisition of the synthetic survey, one shot per element: models the shot in the true velocity
 * model and writes its record as a SEG-Y file ({@code shot-0001.sgy}, ...) to the records
 * directory; outputs the file's path. The model travels inside the DoFn (it is part of the task's
 * stage spec), so any node can run any shot.
 */
public final class ModelShotFn extends DoFn<ShotGeometry, String> {
  private static final long serialVersionUID = 1L;

  private final VelocityModel model;
  private final int sponge;
  private final TimeAxis time;
  private final double peakFrequency;
  private final String directory;
  private final Counter shots = Metrics.counter(ModelShotFn.class, "shots-modelled");
  private final Distribution millis = Metrics.distribution(ModelShotFn.class, "shot-modelling-ms");
  private transient Medium medium;

  public ModelShotFn(
      VelocityModel model, int sponge, TimeAxis time, double peakFrequency, String directory) {
    this.model = model;
    this.sponge = sponge;
    this.time = time;
    this.peakFrequency = peakFrequency;
    this.directory = directory;
  }

  /** The record file of a shot in a directory. */
  public static String recordPath(String directory, ShotGeometry shot) {
    return Storage.resolve(directory, String.format("shot-%04d.sgy", shot.shot() + 1));
  }

  @Setup
  public void setup() {
    medium = Medium.of(model, sponge, time);
  }

  @ProcessElement
  public void process(@Element ShotGeometry shot, OutputReceiver<String> out) throws IOException {
    long start = System.nanoTime();
    ShotRecord record = ShotModelling.record(medium, shot, peakFrequency);
    String path = recordPath(directory, shot);
    Storage.write(path, SegyFormat.encode(record));
    shots.inc();
    millis.update((System.nanoTime() - start) / 1_000_000);
    out.output(path);
  }
}
