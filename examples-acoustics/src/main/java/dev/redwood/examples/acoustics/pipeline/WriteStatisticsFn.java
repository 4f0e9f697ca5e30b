package dev.redwood.examples.acoustics.pipeline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.transforms.DoFn;

/** Writes the scene statistics: a text summary and the histograms as CSV. */
public final class WriteStatisticsFn extends DoFn<SceneStatistics, String> {
  public static final String SUMMARY = "statistics.txt";
  public static final String HISTOGRAMS = "histograms.csv";

  private final String outputDirectory;

  public WriteStatisticsFn(String outputDirectory) {
    this.outputDirectory = outputDirectory;
  }

  @ProcessElement
  public void process(@Element SceneStatistics statistics, OutputReceiver<String> out) throws IOException {
    OutputFiles.write(
        outputDirectory, SUMMARY, "text/plain", statistics.summary().getBytes(StandardCharsets.UTF_8));
    OutputFiles.write(outputDirectory, HISTOGRAMS, "text/csv", statistics.csv().getBytes(StandardCharsets.UTF_8));
    out.output(statistics.summary());
  }
}
