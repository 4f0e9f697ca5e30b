package dev.redwood.runner.driver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.values.PCollection;

/**
 * A pipeline with one slow stage, for tests that stop its driver in the middle of that stage and
 * resume it: {@code main} runs it in a JVM of its own (the driver to kill), {@link #pipeline}
 * builds the same pipeline in the test's JVM (the resumed run).
 */
public final class ResumableRun {
  public static final int ELEMENTS = 20;

  private ResumableRun() {}

  /** Sleeps per element and appends it to {@code <dir>/slow.tally}. */
  static final class Slow extends DoFn<Integer, Integer> {
    private final String dir;

    Slow(String dir) {
      this.dir = dir;
    }

    @ProcessElement
    public void process(@Element Integer x, OutputReceiver<Integer> out)
        throws IOException, InterruptedException {
      Thread.sleep(300);
      Files.writeString(
          Path.of(dir, "slow.tally"),
          x + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      out.output(x);
    }
  }

  /** The pipeline, with Redwood options {@code args}; {@code dir} holds the tally. */
  public static Pipeline pipeline(Path dir, List<String> args) {
    Pipeline p =
        Pipeline.create(PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).create());
    List<Integer> input = new ArrayList<>();
    for (int i = 1; i <= ELEMENTS; i++) {
      input.add(i);
    }
    PCollection<Integer> sum =
        p.apply(Create.of(input))
            .apply("slow", ParDo.of(new Slow(dir.toString())))
            .apply(Sum.integersGlobally());
    PAssert.thatSingleton(sum).isEqualTo(ELEMENTS * (ELEMENTS + 1) / 2);
    return p;
  }

  /** Arguments: the tally directory, then the pipeline's options. */
  public static void main(String[] args) {
    List<String> options = List.of(args).subList(1, args.length);
    pipeline(Path.of(args[0]), options).run().waitUntilFinish();
  }
}
