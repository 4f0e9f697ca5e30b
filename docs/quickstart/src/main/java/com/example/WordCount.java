package com.example;

import java.util.Arrays;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.FlatMapElements;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Word count: an ordinary Beam pipeline (no Redwood API in it) that counts the words of a text
 * file and writes {@code word: count} lines. Run it with {@code --runner=AzureBatchRunner} or any
 * other runner.
 */
public final class WordCount {

  /** Options of the word count. */
  public interface Options extends PipelineOptions {
    @Description("Text file (or glob) to count the words of.")
    @Default.String("input.txt")
    String getInputFile();

    void setInputFile(String value);

    @Description("Prefix of the output files.")
    @Default.String("target/counts")
    String getOutput();

    void setOutput(String value);
  }

  private WordCount() {}

  public static void main(String[] args) {
    Options options = PipelineOptionsFactory.fromArgs(args).withValidation().as(Options.class);
    Pipeline pipeline = Pipeline.create(options);
    pipeline
        .apply("ReadLines", TextIO.read().from(options.getInputFile()))
        .apply(
            "SplitWords",
            FlatMapElements.into(TypeDescriptors.strings())
                .via(line -> Arrays.asList(line.toLowerCase().split("[^\\p{L}']+"))))
        .apply("DropEmpty", Filter.by(word -> !word.isEmpty()))
        .apply("CountWords", Count.perElement())
        .apply(
            "Format",
            MapElements.into(TypeDescriptors.strings()).via(kv -> kv.getKey() + ": " + kv.getValue()))
        .apply("WriteCounts", TextIO.write().to(options.getOutput()));
    PipelineResult.State state = pipeline.run().waitUntilFinish();
    System.out.println("Word count " + state + ": counts written to " + options.getOutput() + "-*");
  }
}
