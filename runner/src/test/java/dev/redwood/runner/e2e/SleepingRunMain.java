package dev.redwood.runner.e2e;

import java.util.Collections;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.FlatMapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * A driver for tests that stop it from outside (SIGTERM, SIGKILL): runs, with the options given as
 * arguments, a pipeline whose second stage has about {@code -Dsleeping.tasks} (20) elements, in as
 * many tasks, that each sleep {@code -Dsleeping.seconds} (30) seconds, so that it is busy long
 * after its tasks start.
 */
public final class SleepingRunMain {
  private SleepingRunMain() {}

  public static void main(String[] args) {
    int tasks = Integer.getInteger("sleeping.tasks", 20);
    int seconds = Integer.getInteger("sleeping.seconds", 30);
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs(args).create());
    build(p, tasks, seconds);
    p.run().waitUntilFinish();
  }

  /** The pipeline: its second stage has about {@code tasks} elements of {@code seconds}. */
  static void build(Pipeline p, int tasks, int seconds) {
    // Four seeds (at most four tasks in the first stage, quick on any backend), each fanned out
    // into a quarter of the sleeping elements.
    p.apply(Create.of(0, 1, 2, 3))
        .apply(
            FlatMapElements.into(TypeDescriptors.integers())
                .via(seed -> Collections.nCopies((tasks + 3) / 4, seconds)))
        // Spread the elements over the shuffle's partitions: about one task each.
        .apply(Reshuffle.viaRandomKey())
        .apply(ParDo.of(new SlowTaskFn()));
  }

  /** Sleeps as many seconds as the element says. */
  static final class SlowTaskFn extends DoFn<Integer, Integer> {
    @ProcessElement
    public void process(@Element Integer seconds) throws InterruptedException {
      Thread.sleep(seconds * 1000L);
    }
  }
}
