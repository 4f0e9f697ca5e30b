package dev.redwood.runner.driver;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import dev.redwood.runner.PipelineAssertions;
import dev.redwood.runner.batch.BatchJob;
import dev.redwood.runner.batch.BatchService;
import dev.redwood.runner.batch.JobSpec;
import dev.redwood.runner.batch.TaskEvent;
import dev.redwood.runner.batch.TaskSpec;
import dev.redwood.runner.options.AzureBatchPipelineOptions;
import dev.redwood.runner.plan.TaskId;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.range.OffsetRange;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.splittabledofn.RestrictionTracker;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commit protocol under the failures Batch produces: a task executed twice (node lost after it
 * finished, so Batch reruns it) and an attempt reported failed although it wrote its outputs (a
 * zombie). Outputs and committed metrics must count every element exactly once.
 */
class CommitProtocolTest {
  @TempDir Path temp;

  static final class CountingFn extends DoFn<Integer, KV<String, Integer>> {
    private final Counter seen = Metrics.counter(CountingFn.class, "seen");

    @ProcessElement
    public void process(@Element Integer x, OutputReceiver<KV<String, Integer>> out) {
      seen.inc();
      out.output(KV.of("k" + (x % 3), x));
    }
  }

  private AzureBatchPipelineOptions inProcessOptions() {
    return PipelineOptionsFactory.fromArgs(
            "--inProcessNodes=true", "--quiet", "--localWorkDir=" + temp)
        .as(AzureBatchPipelineOptions.class);
  }

  private Pipeline pipelineWithCheckedOutput() {
    AzureBatchPipelineOptions options = inProcessOptions();
    Pipeline p = Pipeline.create(options);
    List<Integer> input = new ArrayList<>();
    for (int i = 1; i <= 30; i++) {
      input.add(i);
    }
    PCollection<KV<String, Integer>> sums =
        p.apply(Create.of(input)).apply(ParDo.of(new CountingFn())).apply(Sum.integersPerKey());
    // 1..30 by x % 3: k0 = 3+6+...+30 = 165, k1 = 1+4+...+28 = 145, k2 = 2+5+...+29 = 155
    PAssert.that(sums).containsInAnyOrder(KV.of("k0", 165), KV.of("k1", 145), KV.of("k2", 155));
    return p;
  }

  private static long counter(PipelineResult result, boolean committed) {
    long total = 0;
    for (MetricResult<Long> c :
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named(CountingFn.class, "seen"))
                    .build())
            .getCounters()) {
      total += committed ? c.getCommitted() : c.getAttempted();
    }
    return total;
  }

  @Test
  void duplicateExecutionsAreNotReadTwice() throws IOException {
    Pipeline p = pipelineWithCheckedOutput();
    // Every first-stage task runs twice; the driver sees two successful completions.
    Flaky flaky = new Flaky(id -> id.stage() == 0, Flaky.Mode.RUN_TWICE);
    PipelineResult result =
        JobLauncher.launch(
            p, p.getOptions().as(AzureBatchPipelineOptions.class), true, flaky::wrap);
    PipelineAssertions.assertAllRan(p, result);
    assertThat(flaky.injected, greaterThan(0));
    assertThat(counter(result, true), is(30L));
    // The second execution of an attempt fails at its first write (objects are write-once), so
    // it reports no manifest and no metrics.
    assertThat(counter(result, false), is(30L));
  }

  @Test
  void attemptReportedFailedAfterWritingIsRetriedAndIgnored() throws IOException {
    Pipeline p = pipelineWithCheckedOutput();
    // First attempts of the first stage write their outputs, then look lost (exit -1).
    Flaky flaky = new Flaky(id -> id.stage() == 0 && id.attempt() == 0, Flaky.Mode.REPORT_FAILED);
    PipelineResult result =
        JobLauncher.launch(
            p, p.getOptions().as(AzureBatchPipelineOptions.class), true, flaky::wrap);
    PipelineAssertions.assertAllRan(p, result);
    assertThat(flaky.injected, greaterThan(0));
    assertThat(counter(result, true), is(30L));
  }

  /**
   * Reads positions 0..2 of each element, one per call, asking for bundle finalization each time,
   * so each position after the first is read by a continuation task.
   */
  @DoFn.BoundedPerElement
  static final class OnePositionPerBundleFn extends DoFn<String, String> {
    private final Counter read = Metrics.counter(OnePositionPerBundleFn.class, "read");

    @GetInitialRestriction
    public OffsetRange initialRestriction() {
      return new OffsetRange(0, 3);
    }

    @ProcessElement
    public ProcessContinuation process(
        @Element String element,
        RestrictionTracker<OffsetRange, Long> tracker,
        OutputReceiver<String> out,
        BundleFinalizer finalizer) {
      long position = tracker.currentRestriction().getFrom();
      if (!tracker.tryClaim(position)) {
        return ProcessContinuation.stop();
      }
      read.inc();
      out.output(element + position);
      finalizer.afterBundleCommit(Instant.now().plus(Duration.ofMinutes(10).toMillis()), () -> {});
      return ProcessContinuation.resume();
    }
  }

  @Test
  void continuationTasksAreRetriedAndReadOnce() throws IOException {
    AzureBatchPipelineOptions options = inProcessOptions();
    Pipeline p = Pipeline.create(options);
    PCollection<String> read =
        p.apply(Create.of("a", "b")).apply(ParDo.of(new OnePositionPerBundleFn()));
    PAssert.that(read).containsInAnyOrder("a0", "a1", "a2", "b0", "b1", "b2");
    // Every first attempt, of continuation tasks too, writes its outputs and residuals and then
    // looks lost: the continuation must come from the accepted attempt, once.
    Flaky flaky = new Flaky(id -> id.attempt() == 0, Flaky.Mode.REPORT_FAILED);
    PipelineResult result = JobLauncher.launch(p, options, true, flaky::wrap);
    PipelineAssertions.assertAllRan(p, result);
    long committed = 0;
    for (MetricResult<Long> c :
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named(OnePositionPerBundleFn.class, "read"))
                    .build())
            .getCounters()) {
      committed += c.getCommitted();
    }
    assertThat(committed, is(6L));
  }

  /** A Batch service that re-runs or misreports chosen tasks, as a real pool sometimes does. */
  static final class Flaky implements BatchService {
    enum Mode {
      RUN_TWICE,
      REPORT_FAILED
    }

    private final Predicate<TaskId> targets;
    private final Mode mode;
    private BatchService inner;
    int injected;

    Flaky(Predicate<TaskId> targets, Mode mode) {
      this.targets = targets;
      this.mode = mode;
    }

    BatchService wrap(BatchService service) {
      this.inner = service;
      return this;
    }

    @Override
    public BatchJob createJob(JobSpec spec) throws IOException {
      return new FlakyJob(inner.createJob(spec));
    }

    @Override
    public int totalTaskSlots() {
      return inner.totalTaskSlots();
    }

    @Override
    public void close() throws IOException {
      inner.close();
    }

    /** The job, with the chosen tasks disturbed. */
    private final class FlakyJob implements BatchJob {
      private final BatchJob job;
      private final Map<String, String> reruns = new HashMap<>();
      private final Map<String, TaskSpec> specs = new HashMap<>();

      FlakyJob(BatchJob job) {
        this.job = job;
      }

      @Override
      public String jobId() {
        return job.jobId();
      }

      @Override
      public void addTasks(List<TaskSpec> tasks) throws IOException {
        tasks.forEach(t -> specs.put(t.taskId(), t));
        job.addTasks(tasks);
      }

      @Override
      public List<TaskEvent> pollTaskEvents(Duration maxWait)
          throws IOException, InterruptedException {
        List<TaskEvent> out = new ArrayList<>();
        for (TaskEvent e : job.pollTaskEvents(maxWait)) {
          String original =
              e.state() == TaskEvent.State.COMPLETED
                  ? reruns.remove(e.taskId())
                  : reruns.get(e.taskId());
          if (original != null) {
            // The second execution of a task reports under the task's own id.
            out.add(new TaskEvent(original, e.state(), e.exitCode(), e.failureInfo(), e.nodeId()));
            continue;
          }
          if (e.state() == TaskEvent.State.COMPLETED
              && e.succeeded()
              && TaskId.parse(e.taskId()).filter(targets).isPresent()) {
            injected++;
            if (mode == Mode.RUN_TWICE) {
              TaskSpec spec = specs.get(e.taskId());
              String rerun = e.taskId() + "-rerun";
              reruns.put(rerun, e.taskId());
              job.addTasks(
                  List.of(
                      new TaskSpec(
                          rerun,
                          spec.displayName(),
                          spec.mainClass(),
                          spec.arguments(),
                          spec.environment())));
              out.add(e);
            } else {
              out.add(new TaskEvent(e.taskId(), e.state(), -1, "node preempted", e.nodeId()));
            }
            continue;
          }
          out.add(e);
        }
        return out;
      }

      @Override
      public String taskLogTail(String taskId, int maxBytes) throws IOException {
        return job.taskLogTail(taskId, maxBytes);
      }

      @Override
      public void terminate() throws IOException {
        job.terminate();
      }
    }
  }
}
