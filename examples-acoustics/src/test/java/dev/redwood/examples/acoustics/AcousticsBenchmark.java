package dev.redwood.examples.acoustics;

import dev.redwood.examples.acoustics.fdtd.FivePointKernel;
import dev.redwood.examples.acoustics.pipeline.WriteBakeFn;
import dev.redwood.examples.acoustics.scene.Probe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Benchmark of the acoustic bake, printed side by side from one run (never a timed unit test):
 *
 * <ol>
 *   <li>probes per hour per core: probes of the default scene baked one after another on one
 *       thread, after a warm-up probe;
 *   <li>the default bake's wall time on Redwood's local backend ({@code --runner=AzureBatchRunner},
 *       worker node processes) and on Beam's DirectRunner, including pipeline construction, staging
 *       and node start-up, alternating and keeping each runner's best run (the load of a shared
 *       machine changes from minute to minute); the two bake files must be byte for byte the same.
 * </ol>
 *
 * Run: {@code mvn -B -q -Pacoustics-benchmark -pl examples-acoustics -am test-compile
 * exec:exec@acoustics-benchmark}. Arguments: {@code --sampleProbes=N} (throughput sample, default
 * 6), {@code --repeats=N} (alternating runs of each runner, the best kept; default 2), {@code
 * --skipDirect}, {@code --localWorkDir=DIR} (Redwood's store and nodes), and any bake option (e.g.
 * {@code --maxProbes=20}), passed to both runs.
 */
public final class AcousticsBenchmark {
  private AcousticsBenchmark() {}

  public static void main(String[] args) throws Exception {
    int sample = 6;
    int repeats = 2;
    boolean skipDirect = false;
    String workDir = null;
    List<String> bakeArgs = new ArrayList<>();
    for (String arg : args) {
      if (arg.startsWith("--localWorkDir=")) {
        workDir = arg;
      } else if (arg.startsWith("--repeats=")) {
        repeats = Math.max(1, Integer.parseInt(arg.substring("--repeats=".length())));
      } else if (arg.startsWith("--sampleProbes=")) {
        sample = Integer.parseInt(arg.substring("--sampleProbes=".length()));
      } else if (arg.equals("--skipDirect")) {
        skipDirect = true;
      } else {
        bakeArgs.add(arg);
      }
    }
    Path root = Path.of("target", "benchmark").toAbsolutePath();

    // 1. One core: probes baked back to back.
    AcousticsOptions defaults =
        options(bakeArgs, "--runner=DirectRunner", "--output=" + root.resolve("unused"));
    BakeInputs inputs = BakeInputs.from(defaults);
    ProbeBaker baker = new ProbeBaker(inputs.settings());
    List<Probe> probes = BakeInputs.spread(inputs.probes(), sample + 1);
    baker.bake(probes.get(0)); // warm-up: JIT compilation
    long cellSteps = 0;
    long nanos = 0;
    long simulation = 0;
    // CPU time of this thread as well as wall time: on a machine shared with other work the
    // CPU time is what one core's worth of probes costs.
    java.lang.management.ThreadMXBean threads =
        java.lang.management.ManagementFactory.getThreadMXBean();
    long cpuStart = threads.getCurrentThreadCpuTime();
    // Each probe's CPU time too: the scale simulation draws its task durations from them.
    StringBuilder probeTimes = new StringBuilder("# probe\tthread CPU seconds\n");
    for (Probe probe : probes.subList(1, probes.size())) {
      long probeStart = threads.getCurrentThreadCpuTime();
      ProbeBaker.BakeOutcome r = baker.bake(probe);
      probeTimes.append(probe.id()).append('\t');
      probeTimes.append((threads.getCurrentThreadCpuTime() - probeStart) / 1e9).append('\n');
      nanos += r.nanos();
      simulation += r.simulationNanos();
      cellSteps += (long) r.domainCells() * r.steps();
    }
    long cpu = threads.getCurrentThreadCpuTime() - cpuStart;
    java.nio.file.Files.createDirectories(root);
    java.nio.file.Files.writeString(root.resolve("probe-times.tsv"), probeTimes);
    int measured = probes.size() - 1;
    double perProbe = cpu / 1e9 / measured;
    System.out.printf(
        Locale.ROOT,
        "%nScene %s: %d probes, %d steps per probe, %d bake cells%n",
        inputs.plan().name(),
        inputs.probes().size(),
        inputs.settings().steps(),
        inputs.settings().cells().cellCount());
    System.out.printf(
        Locale.ROOT,
        "One core (%s): %d probes in %.1f s CPU (%.1f s wall), %.2f s CPU per probe = %.0f probes"
            + " per hour per core%n  time stepping %.0f%% of the wall time (%.2f G cell updates/s),"
            + " parameter extraction the rest%n",
        FivePointKernel.best().name(),
        measured,
        cpu / 1e9,
        nanos / 1e9,
        perProbe,
        3600 / perProbe,
        100.0 * simulation / nanos,
        cellSteps / (double) simulation);

    // 2. The default bake on Redwood's local backend and on the DirectRunner.
    List<String> redwoodArgs = new ArrayList<>(bakeArgs);
    if (workDir != null) {
      redwoodArgs.add(workDir); // a store and node directories of our own
    }
    // Alternating runs, best of each: on a machine shared with other work, the load changes from
    // one minute to the next, and the best run is the one least disturbed.
    double redwood = Double.MAX_VALUE;
    double direct = skipDirect ? Double.NaN : Double.MAX_VALUE;
    List<String> runs = new ArrayList<>();
    for (int r = 0; r < repeats; r++) {
      double t = bake(redwoodArgs, "--runner=AzureBatchRunner", root.resolve("redwood"));
      redwood = Math.min(redwood, t);
      runs.add(String.format(Locale.ROOT, "Redwood %.1f s", t));
      if (!skipDirect) {
        t = bake(bakeArgs, "--runner=DirectRunner", root.resolve("direct"));
        direct = Math.min(direct, t);
        runs.add(String.format(Locale.ROOT, "DirectRunner %.1f s", t));
      }
    }
    System.out.println("Runs in order: " + String.join(", ", runs));
    if (!skipDirect) {
      byte[] a = Files.readAllBytes(root.resolve("redwood").resolve(WriteBakeFn.FILE_NAME));
      byte[] b = Files.readAllBytes(root.resolve("direct").resolve(WriteBakeFn.FILE_NAME));
      System.out.println(
          "Bake files identical: " + Arrays.equals(a, b) + " (" + a.length + " bytes)");
      if (!Arrays.equals(a, b)) {
        throw new AssertionError("the two runners' bake files differ");
      }
    }
    int cores = Runtime.getRuntime().availableProcessors();
    System.out.printf(
        Locale.ROOT,
        "%n| runner (best of %d) | probes | wall time | probes per hour |%n|---|---|---|---|%n",
        repeats);
    System.out.printf(
        Locale.ROOT,
        "| Redwood, local backend (AzureBatchRunner, node processes) | %d | %.1f s | %.0f |%n",
        inputs.probes().size(),
        redwood,
        inputs.probes().size() * 3600 / redwood);
    if (!skipDirect) {
      System.out.printf(
          Locale.ROOT,
          "| Beam DirectRunner | %d | %.1f s | %.0f |%n",
          inputs.probes().size(),
          direct,
          inputs.probes().size() * 3600 / direct);
      System.out.printf(Locale.ROOT, "DirectRunner / Redwood wall time = %.2f%n", direct / redwood);
    }
    System.out.printf(
        Locale.ROOT,
        "Machine: %d cores; one-core rate x %d cores = %.0f probes per hour%n",
        cores,
        cores,
        cores * 3600 / perProbe);
  }

  private static double bake(List<String> bakeArgs, String runner, Path output) throws Exception {
    AcousticsOptions options = options(bakeArgs, runner, "--output=" + output);
    long start = System.nanoTime();
    BakeInputs inputs = BakeInputs.from(options);
    PipelineResult.State state = AcousticBake.run(options, inputs);
    double seconds = (System.nanoTime() - start) / 1e9;
    if (state != PipelineResult.State.DONE) {
      throw new AssertionError(runner + " bake ended " + state);
    }
    System.out.printf(
        Locale.ROOT, "%s: %d probes baked in %.1f s%n", runner, inputs.probes().size(), seconds);
    return seconds;
  }

  private static AcousticsOptions options(List<String> bakeArgs, String... more) {
    List<String> all = new ArrayList<>(List.of(more));
    all.addAll(bakeArgs);
    return PipelineOptionsFactory.fromArgs(all.toArray(new String[0])).as(AcousticsOptions.class);
  }
}
