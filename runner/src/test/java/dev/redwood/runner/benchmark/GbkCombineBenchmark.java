/*
 * Run from the repository root (a benchmark, not a test: it prints wall times, it asserts results):
 *
 *   mvn -B -q -Pbenchmark -pl runner -am test-compile exec:exec@benchmark
 *   mvn -B -q -Pbenchmark -pl runner -am test-compile exec:exec@benchmark \
 *       -Dbenchmark.args="--runners=Spark --elements=1000000 --skipDirect"
 */
package dev.redwood.runner.benchmark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
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
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Wall-time comparison of Redwood with Beam's Spark and Flink runners (local mode) and the
 * DirectRunner on one GBK- and Combine-heavy pipeline: N longs keyed by {@code i % K}, summed per
 * key once through a liftable {@code Sum.longsPerKey()} and once through a plain {@code GroupByKey}
 * plus a summing DoFn.
 *
 * <p>Every runner gets the same pipeline. Each branch folds its per-key sums into one checksum that
 * is compared in-pipeline with the value the harness computes on its own; a mismatch fails the
 * pipeline, and a counter tells the harness both checks ran, so a wrong answer is never timed.
 *
 * <p>Options: {@code --runners=AzureBatch,Spark,Flink --elements=5000000 --keys=100000
 * --directElements=100000 --directKeys=10000 --skipDirect}. {@code --<Runner>:<opt>=<v>} passes
 * {@code --<opt>=<v>} to that runner alone (e.g. to pick Redwood's local backend). A runner not on
 * the classpath is reported as skipped.
 */
public final class GbkCombineBenchmark {

  private static final String NAMESPACE = "gbkCombineBenchmark";
  private static final String VERIFIED = "branchesVerified";

  /**
   * Options every run of a runner gets: Spark and Flink in local mode with 2 workers (as Redwood's
   * 2 node processes), not reaching for a cluster.
   */
  private static final Map<String, List<String>> RUNNER_DEFAULTS =
      Map.of(
          "Spark", List.of("--sparkMaster=local[2]"),
          "Flink", List.of("--flinkMaster=[local]", "--parallelism=2"));

  private GbkCombineBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new LinkedHashMap<>();
    Map<String, List<String>> perRunner = new LinkedHashMap<>();
    for (String arg : args) {
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("expected --name=value, got " + arg);
      }
      String body = arg.substring(2);
      int colon = body.indexOf(':');
      int eq = body.indexOf('=');
      if (colon > 0 && (eq < 0 || colon < eq)) {
        perRunner
            .computeIfAbsent(body.substring(0, colon), r -> new ArrayList<>())
            .add("--" + body.substring(colon + 1));
      } else {
        opts.put(eq < 0 ? body : body.substring(0, eq), eq < 0 ? "true" : body.substring(eq + 1));
      }
    }
    List<String> runners =
        List.of(opts.getOrDefault("runners", "AzureBatch,Spark,Flink").split(","));
    long elements = Long.parseLong(opts.getOrDefault("elements", "5000000"));
    long keys = Long.parseLong(opts.getOrDefault("keys", "100000"));
    long directElements = Long.parseLong(opts.getOrDefault("directElements", "100000"));
    long directKeys = Long.parseLong(opts.getOrDefault("directKeys", "10000"));
    boolean skipDirect = Boolean.parseBoolean(opts.getOrDefault("skipDirect", "false"));

    List<BenchmarkRun> runs = new ArrayList<>();
    for (String runner : runners) {
      runs.add(run(runner.trim(), elements, keys, perRunner));
    }
    if (!skipDirect) {
      runs.add(run("Direct", directElements, directKeys, perRunner));
    }

    System.out.println();
    System.out.printf("%-12s %12s %10s %10s%n", "runner", "elements", "keys", "wall s");
    for (BenchmarkRun r : runs) {
      System.out.printf(
          "%-12s %12d %10d %10s%n",
          r.runner, r.elements, r.keys, r.skipped() ? "skipped" : fmt(r.seconds));
    }
    BenchmarkRun redwood = find(runs, "AzureBatch");
    for (String other : List.of("Spark", "Flink")) {
      BenchmarkRun them = find(runs, other);
      if (redwood != null && them != null && !redwood.skipped() && !them.skipped()) {
        System.out.printf(
            Locale.ROOT,
            "Redwood / %s wall time: %.2f (below 1: Redwood is faster)%n",
            other,
            redwood.seconds / them.seconds);
      } else {
        System.out.println("Redwood / " + other + " wall time: n/a (needs both runs)");
      }
    }
  }

  /** Builds, runs and checks one pipeline; wall time covers construction, run and wait. */
  private static BenchmarkRun run(
      String runner, long n, long k, Map<String, List<String>> perRunner) {
    List<String> args = new ArrayList<>();
    args.add("--runner=" + runner);
    args.addAll(RUNNER_DEFAULTS.getOrDefault(runner, List.of()));
    args.addAll(perRunner.getOrDefault(runner, List.of()));
    PipelineOptions options;
    try {
      options = PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).create();
    } catch (IllegalArgumentException e) {
      // Beam rejects a runner name that no registrar or class on the classpath provides;
      // any other bad option is a mistake in the invocation and must not pass as a skip.
      if (!String.valueOf(e.getMessage()).startsWith("Unknown 'runner'")) {
        throw e;
      }
      System.out.println("skipped: runner " + runner + " not available (" + e.getMessage() + ")");
      return new BenchmarkRun(runner, n, k, Double.NaN);
    }
    long expected = expectedChecksum(n, k);

    long start = System.nanoTime();
    Pipeline pipeline = Pipeline.create(options);
    PCollection<KV<Long, Long>> keyed =
        pipeline
            .apply("Generate", GenerateSequence.from(0).to(n))
            .apply(
                "Key",
                MapElements.into(
                        TypeDescriptors.kvs(TypeDescriptors.longs(), TypeDescriptors.longs()))
                    .via(i -> KV.of(i % k, i)));
    verify("Combine", keyed.apply("SumPerKey", Sum.longsPerKey()), expected);
    verify(
        "Gbk",
        keyed.apply("GroupByKey", GroupByKey.create()).apply("SumGroups", ParDo.of(new SumGroup())),
        expected);
    PipelineResult result = pipeline.run();
    PipelineResult.State state = result.waitUntilFinish();
    double seconds = (System.nanoTime() - start) / 1e9;

    if (state != PipelineResult.State.DONE) {
      throw new IllegalStateException(runner + " finished in state " + state);
    }
    System.out.printf(
        "%s: %d elements, %d keys, %s s, checksum %s%n",
        runner, n, k, fmt(seconds), confirmVerified(result, runner));
    return new BenchmarkRun(runner, n, k, seconds);
  }

  /** Folds per-key sums into one number and fails the pipeline unless it is the expected one. */
  private static void verify(String branch, PCollection<KV<Long, Long>> perKey, long expected) {
    perKey
        .apply(
            branch + "Mix",
            MapElements.into(TypeDescriptors.longs()).via(kv -> mix(kv.getKey(), kv.getValue())))
        .apply(branch + "Checksum", Sum.longsGlobally())
        .apply(branch + "Verify", ParDo.of(new Verify(branch, expected)));
  }

  /**
   * Sums a per-key hash rather than the plain sums, so values landing on the wrong key, or a key
   * lost or emitted twice, also change the checksum. Long overflow wraps, the same on every side.
   */
  private static long mix(long key, long sum) {
    long h = (key + 1) * 0x9E3779B97F4A7C15L;
    return (h ^ (h >>> 31)) * (sum + 0x632BE59BD9B4E019L);
  }

  private static long expectedChecksum(long n, long k) {
    long[] sums = new long[(int) Math.min(n, k)];
    for (long i = 0; i < n; i++) {
      sums[(int) (i % k)] += i;
    }
    long checksum = 0;
    for (int key = 0; key < sums.length; key++) {
      checksum += mix(key, sums[key]);
    }
    return checksum;
  }

  /** The counter proves both checks ran; a runner without metrics leaves the in-pipeline check. */
  private static String confirmVerified(PipelineResult result, String runner) {
    long verified = 0;
    try {
      MetricQueryResults metrics =
          result
              .metrics()
              .queryMetrics(
                  MetricsFilter.builder()
                      .addNameFilter(MetricNameFilter.named(NAMESPACE, VERIFIED))
                      .build());
      for (MetricResult<Long> counter : metrics.getCounters()) {
        verified += counter.getAttempted();
      }
    } catch (UnsupportedOperationException e) {
      return "checked in-pipeline (runner reports no metrics)";
    }
    if (verified != 2) {
      throw new IllegalStateException(runner + " verified " + verified + " of 2 branches");
    }
    return "verified (both branches)";
  }

  private static String fmt(double seconds) {
    return String.format(Locale.ROOT, "%.1f", seconds);
  }

  private static BenchmarkRun find(List<BenchmarkRun> runs, String runner) {
    return runs.stream().filter(r -> r.runner.equals(runner)).findFirst().orElse(null);
  }

  private record BenchmarkRun(String runner, long elements, long keys, double seconds) {
    boolean skipped() {
      return Double.isNaN(seconds);
    }
  }

  private static final class SumGroup extends DoFn<KV<Long, Iterable<Long>>, KV<Long, Long>> {
    @ProcessElement
    public void process(
        @Element KV<Long, Iterable<Long>> group, OutputReceiver<KV<Long, Long>> out) {
      long sum = 0;
      for (long v : group.getValue()) {
        sum += v;
      }
      out.output(KV.of(group.getKey(), sum));
    }
  }

  private static final class Verify extends DoFn<Long, Void> {
    private final String branch;
    private final long expected;

    Verify(String branch, long expected) {
      this.branch = branch;
      this.expected = expected;
    }

    @ProcessElement
    public void process(@Element Long checksum) {
      if (checksum != expected) {
        throw new IllegalStateException(
            branch + " checksum " + checksum + " != expected " + expected);
      }
      Metrics.counter(NAMESPACE, VERIFIED).inc();
    }
  }
}
