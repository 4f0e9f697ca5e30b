package dev.redwood.runner.faults;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.Mean;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * The pipelines of the {@link FaultCampaign}, each run as a driver JVM of its own ({@link #main}),
 * so that the campaign can kill the driver and resume it, and so that every run builds its pipeline
 * afresh with the same transform names.
 *
 * <ul>
 *   <li>{@code wordcount}: text files -> words -> {@code Count.perElement} (a lifted Combine) ->
 *       "word:count" lines -> one unsharded text file. Compared byte for byte.
 *   <li>{@code sideinput}: text files -> mean line length (a singleton side input) -> the lines
 *       longer than the mean keyed by their first word -> {@code GroupByKey} -> one summary line
 *       per key -> three text shards. Which line lands in which shard is not deterministic (the
 *       sink assigns shards at random), so the campaign compares the shards' lines sorted.
 * </ul>
 *
 * <p>Each line is slowed a little ({@code sleepMicros}) so the stages last long enough for faults
 * to land in them. The step named by {@code failStep} throws once per run (the first of its
 * elements to claim a marker file), so that its task fails once and is retried.
 */
public final class CampaignPipelines {
  public static final List<String> NAMES = List.of("wordcount", "sideinput");

  /** The message of the injected failure (in the task's log and the driver's). */
  static final String FAILED_ONCE = "campaign: injected failure";

  private CampaignPipelines() {}

  /** Fails the first element that claims {@code <markers>/failed-<step>} in this run, once. */
  static final class FailOnce implements Serializable {
    private final String markers;
    private final String step;
    private final boolean armed;

    /** Each deserialized copy (one a task) claims the marker once, at its first element. */
    private transient boolean checked;

    FailOnce(Path markers, String step, String failStep) {
      this.markers = markers.toString();
      this.step = step;
      this.armed = step.equals(failStep);
    }

    void maybeFail() throws IOException {
      if (!armed || checked) {
        return;
      }
      checked = true;
      try {
        Files.createFile(Path.of(markers, "failed-" + step));
      } catch (FileAlreadyExistsException e) {
        return; // this run's failure happened already
      }
      throw new IllegalStateException(FAILED_ONCE + " in step " + step);
    }
  }

  /** Splits lines into words, slowly; may fail once. */
  static final class Words extends DoFn<String, String> {
    private final long sleepMicros;
    private final FailOnce failOnce;

    Words(long sleepMicros, Path markers, String failStep) {
      this.sleepMicros = sleepMicros;
      this.failOnce = new FailOnce(markers, "words", failStep);
    }

    @ProcessElement
    public void process(@Element String line, OutputReceiver<String> out)
        throws IOException, InterruptedException {
      failOnce.maybeFail();
      pause(sleepMicros);
      for (String word : line.split("\\s+")) {
        if (!word.isEmpty()) {
          out.output(word);
        }
      }
    }
  }

  /** Formats a count; may fail once (a task of the stage that reads the shuffle). */
  static final class Format extends DoFn<KV<String, Long>, String> {
    private final FailOnce failOnce;

    Format(Path markers, String failStep) {
      this.failOnce = new FailOnce(markers, "format", failStep);
    }

    @ProcessElement
    public void process(@Element KV<String, Long> kv, OutputReceiver<String> out)
        throws IOException {
      failOnce.maybeFail();
      out.output(kv.getKey() + ":" + kv.getValue());
    }
  }

  /** Keys the lines longer than the mean (a side input) by their first word; may fail once. */
  static final class Classify extends DoFn<String, KV<String, Long>> {
    private final PCollectionView<Double> mean;
    private final long sleepMicros;
    private final FailOnce failOnce;

    Classify(PCollectionView<Double> mean, long sleepMicros, Path markers, String failStep) {
      this.mean = mean;
      this.sleepMicros = sleepMicros;
      this.failOnce = new FailOnce(markers, "classify", failStep);
    }

    @ProcessElement
    public void process(ProcessContext c) throws IOException, InterruptedException {
      failOnce.maybeFail();
      pause(sleepMicros);
      String line = c.element();
      if (line.length() > c.sideInput(mean)) {
        c.output(KV.of(line.split("\\s+", 2)[0], (long) line.length()));
      }
    }
  }

  /** One line per key: how many lines, their total and largest length; may fail once. */
  static final class Summarize extends DoFn<KV<String, Iterable<Long>>, String> {
    private final FailOnce failOnce;

    Summarize(Path markers, String failStep) {
      this.failOnce = new FailOnce(markers, "summarize", failStep);
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<Long>> group, OutputReceiver<String> out)
        throws IOException {
      failOnce.maybeFail();
      long n = 0;
      long total = 0;
      long max = 0;
      for (long length : group.getValue()) {
        n++;
        total += length;
        max = Math.max(max, length);
      }
      out.output(
          String.format(Locale.ROOT, "%s n=%d total=%d max=%d", group.getKey(), n, total, max));
    }
  }

  /** The steps of {@code pipeline} that the campaign may make fail once. */
  static List<String> failingSteps(String pipeline) {
    return switch (pipeline) {
      case "wordcount" -> List.of("words", "format");
      case "sideinput" -> List.of("classify", "summarize");
      default -> throw new IllegalArgumentException("no pipeline " + pipeline);
    };
  }

  /** Whether the pipeline's sink shards its output at random (then lines are compared sorted). */
  static boolean shardedAtRandom(String pipeline) {
    return pipeline.equals("sideinput");
  }

  static Pipeline build(
      String name,
      String inputGlob,
      Path output,
      Path markers,
      String failStep,
      long sleepMicros,
      List<String> options) {
    Pipeline p =
        Pipeline.create(PipelineOptionsFactory.fromArgs(options.toArray(new String[0])).create());
    PCollection<String> lines = p.apply("read", TextIO.read().from(inputGlob));
    switch (name) {
      case "wordcount" ->
          lines
              .apply("words", ParDo.of(new Words(sleepMicros, markers, failStep)))
              .apply("count", Count.perElement())
              .apply("format", ParDo.of(new Format(markers, failStep)))
              .apply(
                  "write",
                  TextIO.write().to(output.resolve("counts").toString()).withoutSharding());
      case "sideinput" -> {
        PCollectionView<Double> mean =
            lines
                .apply(
                    "lengths",
                    MapElements.into(TypeDescriptors.longs()).via(l -> (long) l.length()))
                .apply("mean", Mean.<Long>globally().asSingletonView());
        lines
            .apply(
                "classify",
                ParDo.of(new Classify(mean, sleepMicros, markers, failStep)).withSideInputs(mean))
            .apply("group", GroupByKey.create())
            .apply("summarize", ParDo.of(new Summarize(markers, failStep)))
            .apply(
                "write", TextIO.write().to(output.resolve("summary").toString()).withNumShards(3));
      }
      default -> throw new IllegalArgumentException("no pipeline " + name);
    }
    return p;
  }

  private static void pause(long micros) throws InterruptedException {
    if (micros > 0) {
      Thread.sleep(micros / 1000, (int) (micros % 1000) * 1000);
    }
  }

  /**
   * Arguments: pipeline name, input glob, output directory, marker directory, the step to fail once
   * ({@code -} for none), microseconds of pause per line, then the runner's options. Exits 0 when
   * the run is DONE.
   */
  public static void main(String[] args) {
    if (args.length < 6) {
      throw new IllegalArgumentException(
          "usage: PIPELINE INPUT_GLOB OUTPUT_DIR MARKER_DIR FAIL_STEP|- SLEEP_MICROS OPTIONS...");
    }
    List<String> options = new ArrayList<>(Arrays.asList(args).subList(6, args.length));
    Pipeline p =
        build(
            args[0],
            args[1],
            Path.of(args[2]),
            Path.of(args[3]),
            args[4],
            Long.parseLong(args[5]),
            options);
    PipelineResult.State state;
    try {
      state = p.run().waitUntilFinish();
    } catch (RuntimeException e) {
      System.err.println("campaign: the run failed: " + e);
      System.exit(2);
      return;
    }
    System.err.println("campaign: the run ended " + state);
    System.exit(state == PipelineResult.State.DONE ? 0 : 1);
  }
}
