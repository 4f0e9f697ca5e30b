package dev.redwood.examples.acoustics.pipeline;

import dev.redwood.examples.acoustics.pictures.HistogramChart;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.beam.sdk.transforms.DoFn;

/** Writes the scene statistics: a text summary, the histograms as CSV and as a chart. */
public final class WriteStatisticsFn extends DoFn<SceneStatistics, String> {
  public static final String SUMMARY = "statistics.txt";
  public static final String HISTOGRAMS = "histograms.csv";
  public static final String CHART = "histograms.png";

  private final String outputDirectory;

  public WriteStatisticsFn(String outputDirectory) {
    this.outputDirectory = outputDirectory;
  }

  @ProcessElement
  public void process(@Element SceneStatistics statistics, OutputReceiver<String> out)
      throws IOException {
    OutputFiles.write(
        outputDirectory,
        SUMMARY,
        "text/plain",
        statistics.summary().getBytes(StandardCharsets.UTF_8));
    OutputFiles.write(
        outputDirectory, HISTOGRAMS, "text/csv", statistics.csv().getBytes(StandardCharsets.UTF_8));
    OutputFiles.write(
        outputDirectory,
        CHART,
        "image/png",
        HistogramChart.draw(
            List.of(
                statistics.directLoudness(),
                statistics.reflectionsLoudness(),
                statistics.reverberationTime())));
    out.output(statistics.summary());
  }
}
