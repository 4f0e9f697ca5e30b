/*
 * Run from the repository root (a benchmark, not a test: it prints figures, it asserts results):
 *
 *   mvn -B -q -Pfixed-cost-benchmark -pl runner -am test-compile exec:exec@fixed-cost-benchmark
 *   ... -Dbenchmark.args="--runs=6 --tasks=200"
 */
package dev.redwood.runner.benchmark;

import dev.redwood.runner.driver.AzureBatchPipelineResult;
import dev.redwood.runner.report.RunSnapshot;
import dev.redwood.runner.report.RunSnapshot.AttemptView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.io.BoundedSource;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * What a pipeline costs beyond its work, on the local backend, in one invocation:
 *
 * <ol>
 *   <li>Pipeline after pipeline: the same small Sum.perKey pipeline (20,000 elements, 100 keys) run
 *       {@code --runs} times in this JVM, on Redwood with warm node JVMs (the default), Redwood
 *       with {@code --reuseNodes=false}, and the DirectRunner: the first run and the later ones.
 *   <li>Task overhead and stage barrier (Redwood, warm nodes): {@code --tasks} tasks that do
 *       nothing, then a shuffle into one task per slot. From the run's own record ({@link
 *       AzureBatchPipelineResult#runSnapshot()}): per task, the slot time it took beyond its work
 *       (stage time x slots / tasks - mean work), the time from the driver handing a task out to
 *       accepting its manifest beyond its work (median, the reduce stage's single wave), and the
 *       stage barrier (last map task accepted to first reduce task running).
 * </ol>
 *
 * <p>Options: {@code --runs=6 --tasks=200 --localNodes=2 --slots=1}.
 */
public final class FixedCostBenchmark {
  private static final String NAMESPACE = "fixedCostBenchmark";
  private static final long ELEMENTS = 20_000;
  private static final long KEYS = 100;

  private FixedCostBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new LinkedHashMap<>();
    for (String arg : args) {
      String[] kv = arg.replaceFirst("^--", "").split("=", 2);
      opts.put(kv[0], kv.length > 1 ? kv[1] : "true");
    }
    int runs = Integer.parseInt(opts.getOrDefault("runs", "6"));
    int tasks = Integer.parseInt(opts.getOrDefault("tasks", "200"));
    int nodes = Integer.parseInt(opts.getOrDefault("localNodes", "2"));
    int slots = Integer.parseInt(opts.getOrDefault("slots", "1"));
    List<String> local =
        List.of(
            "--runner=AzureBatchRunner",
            "--localNodes=" + nodes,
            "--taskSlotsPerNode=" + slots,
            "--quiet");

    Map<String, double[]> loops = new LinkedHashMap<>();
    loops.put("Redwood, warm node JVMs (default)", loop(local, runs));
    List<String> cold = new ArrayList<>(local);
    cold.add("--reuseNodes=false");
    loops.put("Redwood, --reuseNodes=false", loop(cold, runs));
    loops.put("DirectRunner", loop(List.of("--runner=DirectRunner"), runs));

    loop(local, 1); // warms the node JVMs of the overhead run
    Overheads overheads = overheads(local, tasks, nodes * slots);

    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "Pipeline after pipeline: Sum.perKey over %,d elements (%d keys), %d runs in one JVM%n",
        ELEMENTS,
        KEYS,
        runs);
    System.out.println("| runner | first run | later runs, mean | later runs, min |");
    System.out.println("|---|---|---|---|");
    loops.forEach(
        (runner, seconds) -> {
          double[] later = Arrays.copyOfRange(seconds, 1, seconds.length);
          System.out.printf(
              Locale.ROOT,
              "| %s | %.2f s | %.2f s | %.2f s |%n",
              runner,
              seconds[0],
              Arrays.stream(later).average().orElse(Double.NaN),
              Arrays.stream(later).min().orElse(Double.NaN));
        });
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "Task overhead: %d tasks that do nothing on %d slots, then %d reduce tasks (warm nodes)%n",
        tasks,
        nodes * slots,
        nodes * slots);
    System.out.println(
        "| slot time per task beyond its work | handed out to accepted, beyond work (median)"
            + " | stage barrier |");
    System.out.println("|---|---|---|");
    System.out.printf(
        Locale.ROOT,
        "| %.1f ms | %.1f ms | %d ms |%n",
        overheads.slotMillisPerTask,
        overheads.handoutToAcceptMedianMillis,
        overheads.barrierMillis);
  }

  /** Wall seconds of each of {@code runs} runs of the Sum.perKey pipeline. */
  private static double[] loop(List<String> args, int runs) {
    double[] seconds = new double[runs];
    for (int r = 0; r < runs; r++) {
      PipelineOptions options =
          PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).create();
      long start = System.nanoTime();
      Pipeline pipeline = Pipeline.create(options);
      pipeline
          .apply("Generate", GenerateSequence.from(0).to(ELEMENTS))
          .apply(
              "Key",
              MapElements.into(
                      TypeDescriptors.kvs(TypeDescriptors.longs(), TypeDescriptors.longs()))
                  .via(i -> KV.of(i % KEYS, i)))
          .apply("SumPerKey", Sum.longsPerKey())
          .apply("Check", ParDo.of(new CheckSum()));
      PipelineResult result = pipeline.run();
      PipelineResult.State state = result.waitUntilFinish();
      seconds[r] = (System.nanoTime() - start) / 1e9;
      if (state != PipelineResult.State.DONE) {
        throw new IllegalStateException(args + " ended " + state);
      }
      long checked = counter(result, "keysChecked");
      if (checked != KEYS) {
        throw new IllegalStateException(args + " checked " + checked + " of " + KEYS + " keys");
      }
      System.out.printf(Locale.ROOT, "%s run %d: %.2f s%n", args, r + 1, seconds[r]);
    }
    return seconds;
  }

  private record Overheads(
      double slotMillisPerTask, double handoutToAcceptMedianMillis, long barrierMillis) {}

  private static Overheads overheads(List<String> args, int tasks, int slots) {
    List<String> all = new ArrayList<>(args);
    all.add("--shufflePartitions=" + slots);
    Pipeline pipeline =
        Pipeline.create(PipelineOptionsFactory.fromArgs(all.toArray(new String[0])).create());
    pipeline
        .apply("Noop", Read.from(new NoopSource(0, tasks)))
        .apply("Key", WithKeys.of((Integer i) -> i % slots).withKeyType(TypeDescriptors.integers()))
        .apply("Group", GroupByKey.create())
        .apply("Count", ParDo.of(new CountGroups()));
    PipelineResult result = pipeline.run();
    if (result.waitUntilFinish() != PipelineResult.State.DONE
        || counter(result, "elementsGrouped") != tasks) {
      throw new IllegalStateException("the overhead pipeline did not see its " + tasks + " tasks");
    }
    RunSnapshot run = ((AzureBatchPipelineResult) result).runSnapshot();
    List<AttemptView> maps = accepted(run, 1);
    List<AttemptView> reduces = accepted(run, 2);
    if (maps.size() != tasks || reduces.isEmpty()) {
      throw new IllegalStateException(
          "expected " + tasks + " map tasks and some reduce tasks, got " + run.attempts());
    }
    long mapStart = maps.stream().mapToLong(AttemptView::addedMillis).min().orElseThrow();
    long mapEnd = maps.stream().mapToLong(AttemptView::acceptedMillis).max().orElseThrow();
    double meanWork = maps.stream().mapToLong(AttemptView::workMillis).average().orElseThrow();
    double slotMillis = (double) (mapEnd - mapStart) * slots / tasks - meanWork;
    double[] handout =
        reduces.stream()
            .mapToDouble(a -> a.acceptedMillis() - a.addedMillis() - a.workMillis())
            .sorted()
            .toArray();
    long firstReduce = reduces.stream().mapToLong(AttemptView::startedMillis).min().orElseThrow();
    return new Overheads(slotMillis, handout[handout.length / 2], firstReduce - mapEnd);
  }

  /** The accepted attempts of stage {@code stage} (1-based, in plan order). */
  private static List<AttemptView> accepted(RunSnapshot run, int stage) {
    int id = run.stages().get(stage - 1).id();
    return run.attempts().stream().filter(a -> a.stage() == id && a.acceptedMillis() > 0).toList();
  }

  private static long counter(PipelineResult result, String name) {
    long total = 0;
    for (MetricResult<Long> c :
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named(NAMESPACE, name))
                    .build())
            .getCounters()) {
      total += c.getAttempted();
    }
    return total;
  }

  /** Checks each key's sum against the one computed here. */
  private static final class CheckSum extends DoFn<KV<Long, Long>, Void> {
    @ProcessElement
    public void process(@Element KV<Long, Long> sum) {
      long key = sum.getKey();
      long count = (ELEMENTS - key + KEYS - 1) / KEYS; // i = key, key + KEYS, ... below ELEMENTS
      long expected = count * key + KEYS * count * (count - 1) / 2;
      if (sum.getValue() != expected) {
        throw new IllegalStateException("key " + key + ": " + sum.getValue() + " != " + expected);
      }
      Metrics.counter(NAMESPACE, "keysChecked").inc();
    }
  }

  private static final class CountGroups extends DoFn<KV<Integer, Iterable<Integer>>, Void> {
    @ProcessElement
    public void process(@Element KV<Integer, Iterable<Integer>> group) {
      for (Integer ignored : group.getValue()) {
        Metrics.counter(NAMESPACE, "elementsGrouped").inc();
      }
    }
  }

  /** Integers {@code [from, to)}, split into one source (one task) per integer. */
  private static final class NoopSource extends BoundedSource<Integer> {
    private final int from;
    private final int to;

    NoopSource(int from, int to) {
      this.from = from;
      this.to = to;
    }

    @Override
    public List<NoopSource> split(long desiredBundleSizeBytes, PipelineOptions options) {
      List<NoopSource> each = new ArrayList<>();
      for (int i = from; i < to; i++) {
        each.add(new NoopSource(i, i + 1));
      }
      return each;
    }

    @Override
    public long getEstimatedSizeBytes(PipelineOptions options) {
      return 4L * (to - from);
    }

    @Override
    public Coder<Integer> getOutputCoder() {
      return VarIntCoder.of();
    }

    @Override
    public BoundedReader<Integer> createReader(PipelineOptions options) {
      NoopSource source = this;
      return new BoundedReader<>() {
        private int next = from - 1;

        @Override
        public boolean start() {
          next = from;
          return next < to;
        }

        @Override
        public boolean advance() {
          next++;
          return next < to;
        }

        @Override
        public Integer getCurrent() {
          if (next < from || next >= to) {
            throw new NoSuchElementException();
          }
          return next;
        }

        @Override
        public void close() {}

        @Override
        public BoundedSource<Integer> getCurrentSource() {
          return source;
        }
      };
    }
  }
}
