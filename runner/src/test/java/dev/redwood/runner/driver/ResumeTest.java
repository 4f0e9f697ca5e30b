package dev.redwood.runner.driver;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.redwood.runner.CapturedStderr;
import dev.redwood.runner.PipelineAssertions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resume ({@code --resume}, {@code --resumeFrom}) on the local backend: a run that failed is run
 * again and reuses what it committed and accepted; a changed stage reruns with what reads it. Each
 * DoFn writes a line per element it processes, so the tests see what ran twice.
 */
class ResumeTest {
  @TempDir Path temp;

  /**
   * Appends the element to {@code <dir>/<name>.tally} and counts it in the counter {@code name};
   * fails while {@code <dir>/fail} exists.
   */
  static final class Tally<T> extends DoFn<T, T> {
    private final Counter tallied;
    private final String dir;
    private final String name;
    private final boolean mayFail;

    Tally(Path dir, String name, boolean mayFail) {
      this.dir = dir.toString();
      this.name = name;
      this.mayFail = mayFail;
      this.tallied = Metrics.counter(Tally.class, name);
    }

    @ProcessElement
    public void process(@Element T x, OutputReceiver<T> out) throws IOException {
      if (mayFail && Files.exists(Path.of(dir, "fail"))) {
        throw new IllegalStateException("told to fail");
      }
      Files.writeString(
          Path.of(dir, name + ".tally"),
          x + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      tallied.inc();
      out.output(x);
    }
  }

  /** Multiplies the values; its factor is the DoFn change the tests make. */
  static final class Times extends DoFn<KV<Integer, Iterable<Integer>>, Integer> {
    private final int factor;

    Times(int factor) {
      this.factor = factor;
    }

    @ProcessElement
    public void process(
        @Element KV<Integer, Iterable<Integer>> group, OutputReceiver<Integer> out) {
      for (int x : group.getValue()) {
        out.output(x * factor);
      }
    }
  }

  /**
   * Create 1..20 -> a -> by x % 4 -> GroupByKey -> Times(factor) -> b -> Reshuffle -> c (may fail)
   * -> Sum. Stages: [Create, a], [Times, b], [c, partial sum], [sum, PAssert...].
   */
  private Pipeline pipeline(int factor, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--runner=AzureBatchRunner",
                "--inProcessNodes=true",
                "--localNodes=2",
                "--maxTaskRetries=0",
                "--quiet",
                "--localWorkDir=" + temp.resolve("redwood")));
    args.addAll(List.of(extra));
    Pipeline p =
        Pipeline.create(PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).create());
    List<Integer> input = new ArrayList<>();
    for (int i = 1; i <= 20; i++) {
      input.add(i);
    }
    PCollection<Integer> sum =
        p.apply(Create.of(input))
            .apply("a", ParDo.of(new Tally<>(temp, "a", false)))
            .apply(WithKeys.of((Integer x) -> x % 4).withKeyType(TypeDescriptors.integers()))
            .apply(GroupByKey.create())
            .apply("times", ParDo.of(new Times(factor)))
            .apply("b", ParDo.of(new Tally<>(temp, "b", false)))
            .apply(Reshuffle.viaRandomKey())
            .apply("c", ParDo.of(new Tally<>(temp, "c", true)))
            .apply(Sum.integersGlobally());
    PAssert.thatSingleton(sum).isEqualTo(210 * factor);
    return p;
  }

  private long tally(String name) throws IOException {
    Path file = temp.resolve(name + ".tally");
    return Files.exists(file) ? Files.readAllLines(file).size() : 0;
  }

  private void failingFirstRun(int factor, String... extra) throws IOException {
    Files.createFile(temp.resolve("fail"));
    Pipeline first = pipeline(factor, extra);
    assertThrows(Pipeline.PipelineExecutionException.class, () -> first.run().waitUntilFinish());
    Files.delete(temp.resolve("fail"));
    assertThat(tally("a"), is(20L));
    assertThat(tally("b"), is(20L));
    assertThat(tally("c"), is(0L));
  }

  @Test
  void aResumedRunReusesTheCommittedStagesOfTheRunThatFailed() throws IOException {
    failingFirstRun(1, "--jobName=resume-me");
    PipelineResult result = PipelineAssertions.run(pipeline(1, "--jobName=resume-me", "--resume"));
    assertThat(result.getState(), is(PipelineResult.State.DONE));
    assertThat("stage a ran once", tally("a"), is(20L));
    assertThat("stage b ran once", tally("b"), is(20L));
    assertThat(tally("c"), is(20L));
  }

  @Test
  void theStagesAResumedRunReusesCountInItsMetrics() throws IOException {
    failingFirstRun(1, "--jobName=count-me");
    PipelineResult result = PipelineAssertions.run(pipeline(1, "--jobName=count-me", "--resume"));
    for (String name : List.of("a", "b", "c")) {
      MetricQueryResults counted =
          result
              .metrics()
              .queryMetrics(
                  MetricsFilter.builder()
                      .addNameFilter(MetricNameFilter.named(Tally.class, name))
                      .build());
      long committed = 0;
      for (MetricResult<Long> counter : counted.getCounters()) {
        committed += counter.getCommitted();
      }
      assertThat("counter " + name, committed, is(20L));
    }
    assertThat("stage a ran once", tally("a"), is(20L));
  }

  @Test
  void aChangedDoFnRerunsItsStageAndWhatReadsIt() throws IOException {
    failingFirstRun(1, "--jobName=change-me");
    PipelineAssertions.run(pipeline(3, "--jobName=change-me", "--resume"));
    assertThat("stage a was reused", tally("a"), is(20L));
    assertThat("stage b ran again", tally("b"), is(40L));
    assertThat(tally("c"), is(20L));
  }

  @Test
  void resumeFromNamesTheRunAndAFinishedRunLeavesNothingBehind() throws IOException {
    failingFirstRun(1, "--jobName=by-id");
    Path runs = temp.resolve("redwood/store/runs");
    List<String> kept = listNames(runs);
    assertThat(kept.size(), is(1));
    String jobId = kept.get(0);
    assertThat(jobId, containsString("by-id"));
    PipelineAssertions.run(pipeline(1, "--resumeFrom=" + jobId));
    assertThat(tally("a"), is(20L));
    // Done: the run's objects and its resume marker are gone.
    assertThat(listNames(runs), is(empty()));
    assertThat(Files.exists(temp.resolve("redwood/store/jobs/" + jobId)), is(false));
  }

  @Test
  void aFinishedRunResumedUnchangedRunsNothingAgain() throws IOException {
    // Built twice in one JVM, with a file sink (whose temporary directory gets a new name each
    // time): the fingerprints must still match.
    Path out = temp.resolve("out");
    String[] options = {
      "--runner=AzureBatchRunner",
      "--inProcessNodes=true",
      "--quiet",
      "--keepJobData",
      "--jobName=again",
      "--localWorkDir=" + temp.resolve("redwood")
    };
    for (String resume : List.of("--resume=false", "--resume")) {
      List<String> args = new ArrayList<>(List.of(options));
      args.add(resume);
      Pipeline p =
          Pipeline.create(PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).create());
      p.apply(Create.of(1, 2, 3, 4, 5, 6))
          .apply("a", ParDo.of(new Tally<>(temp, "a", false)))
          .apply(WithKeys.of((Integer x) -> x % 2).withKeyType(TypeDescriptors.integers()))
          .apply(GroupByKey.create())
          .apply("times", ParDo.of(new Times(2)))
          .apply("b", ParDo.of(new Tally<>(temp, "b", false)))
          .apply(MapElements.into(TypeDescriptors.strings()).via(x -> "" + x))
          .apply(TextIO.write().to(out.resolve("x").toString()));
      assertThat(p.run().waitUntilFinish(), is(PipelineResult.State.DONE));
    }
    assertThat("nothing ran again", tally("a") + tally("b"), is(12L));
  }

  /** An option of the user's own, which reaches the stages with the others. */
  public interface GreetingOptions extends PipelineOptions {
    @Description("A word the pipeline writes")
    @Default.String("hello")
    String getGreeting();

    void setGreeting(String value);
  }

  /**
   * Reads {@code in}, tallies in {@code a}, writes to {@code out}; kept after it finishes, so that
   * {@code --resume} compares against it. Returns its progress lines.
   */
  private String readAndWrite(Path in, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--runner=AzureBatchRunner",
                "--inProcessNodes=true",
                "--keepJobData",
                "--jobName=inputs",
                "--localWorkDir=" + temp.resolve("redwood")));
    args.addAll(List.of(extra));
    PipelineOptionsFactory.register(GreetingOptions.class);
    Pipeline p =
        Pipeline.create(PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).create());
    p.apply(TextIO.read().from(in.toString()))
        .apply("a", ParDo.of(new Tally<>(temp, "a", false)))
        .apply(TextIO.write().to(temp.resolve("out/lines").toString()));
    return CapturedStderr.of(
        () -> assertThat(p.run().waitUntilFinish(), is(PipelineResult.State.DONE)), false);
  }

  @Test
  void aChangedInputFileOrOptionRerunsTheStagesItReaches() throws IOException {
    Path in = Files.writeString(temp.resolve("in.txt"), "x\ny\n");
    readAndWrite(in);
    String unchanged = readAndWrite(in, "--resume");
    assertThat(unchanged, not(containsString("runs again")));
    assertThat("unchanged: nothing read again", tally("a"), is(2L));

    Files.writeString(in, "x\ny\nz\n");
    String grown = readAndWrite(in, "--resume");
    assertThat(grown, containsString("runs again: its input " + in.toUri().getPath()));
    assertThat(grown, containsString("changed (size or modification time)"));
    assertThat("the input grew: read again", tally("a"), is(5L));

    String greeted = readAndWrite(in, "--resume", "--greeting=bonjour");
    assertThat(greeted, containsString("runs again: option --greeting has another value"));
    assertThat("an option changed: read again", tally("a"), is(8L));
  }

  @Test
  void resumeFromAnUnknownRunFailsNamingTheOption() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> pipeline(1, "--resumeFrom=redwood-nosuch-20260101-000000-abcdef").run());
    assertThat(
        e.getMessage(), containsString("--resumeFrom=redwood-nosuch-20260101-000000-abcdef"));
    assertThat(e.getMessage(), containsString("no run with this id is kept"));
  }

  @Test
  void anUnnamedRunThatFailedLeavesNothingBehind() throws IOException {
    failingFirstRun(1);
    assertThat(listNames(temp.resolve("redwood/store/runs")), is(empty()));
    assertThat(listNames(temp.resolve("redwood/store/jobs")), is(empty()));
  }

  @Test
  void resumeWithoutAJobNameIsRefused() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> pipeline(1, "--resume").run());
    assertThat(e.getMessage(), containsString("--jobName"));
    assertThat(e.getMessage(), not(containsString("null")));
  }

  @Test
  void aDriverKilledInTheMiddleOfAStageIsResumedWithoutRerunningAcceptedTasks() throws Exception {
    List<String> options =
        List.of(
            "--runner=AzureBatchRunner",
            "--inProcessNodes=true",
            "--localNodes=1",
            "--taskSlotsPerNode=1",
            "--jobName=killed",
            "--localWorkDir=" + temp.resolve("redwood"));
    Process driver = startDriver(options);
    long atKill;
    try {
      long deadline = System.nanoTime() + 120_000_000_000L;
      while ((atKill = tally("slow")) < 8 && driver.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(
          "the driver got to the middle of the slow stage; its log:\n"
              + Files.readString(temp.resolve("driver.log")),
          atKill >= 8 && atKill < ResumableRun.ELEMENTS,
          is(true));
      // Two drivers must never run one run: while it lives, it cannot be resumed.
      List<String> meanwhile = new ArrayList<>(options);
      meanwhile.add("--resume");
      IllegalStateException refused =
          assertThrows(
              IllegalStateException.class, () -> ResumableRun.pipeline(temp, meanwhile).run());
      assertThat(refused.getMessage(), containsString("is still running"));
      assertThat(refused.getMessage(), containsString(String.valueOf(driver.pid())));
    } finally {
      driver.destroyForcibly(); // SIGKILL: no hook, no cleanup
      driver.waitFor();
    }
    assertThat(driver.exitValue(), is(137));

    List<String> resumed = new ArrayList<>(options);
    resumed.add("--resume");
    resumed.add("--quiet");
    PipelineAssertions.run(ResumableRun.pipeline(temp, resumed));
    long rerun = tally("slow") - ResumableRun.ELEMENTS;
    // With one task slot, only the task running at the kill lost its work; the rest was reused.
    assertThat("elements processed again: " + rerun + " of " + atKill, rerun < atKill, is(true));
  }

  @Test
  void theNextRunDeletesWhatAKilledUnnamedRunLeft() throws Exception {
    List<String> options =
        List.of(
            "--runner=AzureBatchRunner",
            "--inProcessNodes=true",
            "--localNodes=1",
            "--taskSlotsPerNode=1",
            "--localWorkDir=" + temp.resolve("redwood"));
    Process driver = startDriver(options);
    try {
      long deadline = System.nanoTime() + 120_000_000_000L;
      while (tally("slow") < 2 && driver.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
    } finally {
      driver.destroyForcibly();
      driver.waitFor();
    }
    List<String> left = listNames(temp.resolve("redwood/store/runs"));
    assertThat(left.size(), is(1));

    Path other = Files.createDirectories(temp.resolve("other"));
    String lines =
        CapturedStderr.of(
            () -> PipelineAssertions.run(ResumableRun.pipeline(other, options)), false);
    assertThat(
        lines,
        containsString(
            "Deleted the objects of run " + left.get(0) + ", left by a driver that stopped"));
    assertThat(listNames(temp.resolve("redwood/store/runs")), is(empty()));
    assertThat(listNames(temp.resolve("redwood/store/jobs")), is(empty()));
  }

  @Test
  void whatADriverKilledWhileDeletingItsObjectsLeftIsDeletedAndResumeStartsANewRun()
      throws IOException {
    failingFirstRun(1, "--jobName=half-gone");
    Path runs = temp.resolve("redwood/store/runs");
    List<String> kept = listNames(runs);
    assertThat(kept.size(), is(1));
    // A driver killed between deleting its job's objects and its resume marker (found by the
    // fault campaign: killed after "done:", its --resume failed with "no run with this id").
    Path job = temp.resolve("redwood/store/jobs/" + kept.get(0));
    try (var walk = Files.walk(job)) {
      for (Path f : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
    PipelineAssertions.run(pipeline(1, "--jobName=half-gone", "--resume"));
    assertThat("a new run: stage a ran again", tally("a"), is(40L));
    assertThat(listNames(runs), is(empty()));
    assertThat(listNames(temp.resolve("redwood/store/jobs")), is(empty()));
  }

  /** Starts {@link ResumableRun} in a JVM of its own, its output in {@code driver.log}. */
  private Process startDriver(List<String> options) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(Backends.NODE_JVM_FLAGS);
    command.addAll(List.of("-cp", System.getProperty("java.class.path")));
    command.add(ResumableRun.class.getName());
    command.add(temp.toString());
    command.addAll(options);
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(temp.resolve("driver.log").toFile())
        .start();
  }

  private static List<String> listNames(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (var files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }
}
