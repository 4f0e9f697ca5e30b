package dev.redwood.runner.scale;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;

/**
 * The driver JVM of a scale simulation: the seed's bake as a Redwood pipeline on the emulated
 * accounts (one task per probe, whose work is a sleep of its simulated duration on the scaled
 * clock; the probe counts then go through a lifted combine, so every task writes a shuffle output
 * and a manifest), then one line of its own costs for {@link ScaleSimulation}: when the run started
 * and ended, its heap peak and its CPU time.
 *
 * <p>Arguments: {@code --probeSeconds=FILE} (one service duration per line), {@code --timeScale=S}
 * (real seconds per service second), then Redwood's options.
 */
public final class ScaleSimDriver {
  /** The prefix of the line {@link ScaleSimulation} reads. */
  static final String RESULT = "scale-sim-driver:";

  private ScaleSimDriver() {}

  public static void main(String[] args) throws Exception {
    double[] seconds = null;
    double timeScale = 0;
    List<String> redwood = new ArrayList<>();
    for (String arg : args) {
      if (arg.startsWith("--probeSeconds=")) {
        seconds =
            java.nio.file.Files.readAllLines(java.nio.file.Path.of(arg.substring(15))).stream()
                .mapToDouble(Double::parseDouble)
                .toArray();
      } else if (arg.startsWith("--timeScale=")) {
        timeScale = Double.parseDouble(arg.substring(12));
      } else {
        redwood.add(arg);
      }
    }
    if (seconds == null || timeScale <= 0) {
      throw new IllegalArgumentException("need --probeSeconds=FILE and --timeScale=S");
    }
    Pipeline p =
        Pipeline.create(PipelineOptionsFactory.fromArgs(redwood.toArray(String[]::new)).create());
    p.apply("Probes", Read.from(new ProbeSource(seconds)))
        .apply("BakeProbe", ParDo.of(new SimulatedProbeFn(timeScale)))
        .apply("CountBaked", Count.globally());
    long started = System.currentTimeMillis();
    PipelineResult.State state = p.run().waitUntilFinish();
    long ended = System.currentTimeMillis();
    long heapPeak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        heapPeak += pool.getPeakUsage().getUsed();
      }
    }
    long cpuNanos =
        ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime();
    System.out.printf(
        Locale.ROOT,
        "%s state=%s started=%d ended=%d heapPeakBytes=%d cpuNanos=%d probes=%d%n",
        RESULT,
        state,
        started,
        ended,
        heapPeak,
        cpuNanos,
        seconds.length);
    System.out.flush();
    System.exit(state == PipelineResult.State.DONE ? 0 : 1);
  }

  /** A probe's simulation: sleeps its duration on the scaled clock (interruptible: preemption). */
  static final class SimulatedProbeFn extends DoFn<KV<Integer, Double>, Integer> {
    private final double timeScale;

    SimulatedProbeFn(double timeScale) {
      this.timeScale = timeScale;
    }

    @ProcessElement
    public void bake(@Element KV<Integer, Double> probe, OutputReceiver<Integer> out)
        throws InterruptedException {
      Thread.sleep(Math.round(probe.getValue() * timeScale * 1000));
      out.output(probe.getKey());
    }
  }
}
