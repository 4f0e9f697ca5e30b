package dev.redwood.examples.acoustics.pipeline;

import dev.redwood.examples.acoustics.BakeSettings;
import dev.redwood.examples.acoustics.ProbeBaker;
import dev.redwood.examples.acoustics.encoding.ProbeEncoder;
import dev.redwood.examples.acoustics.scene.Probe;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The expensive step, one probe per element: simulate with the probe as the source, extract every
 * cell's parameters, encode them. Probes are independent, so a runner spreads them over as many
 * workers (Batch nodes) as it has.
 */
public final class BakeProbeFn extends DoFn<Probe, BakedProbe> {
  private static final Logger LOG = LoggerFactory.getLogger(BakeProbeFn.class);

  private final BakeSettings settings;
  private final Counter probes = Metrics.counter(BakeProbeFn.class, "probes");
  private final Counter cellsReached = Metrics.counter(BakeProbeFn.class, "cellsReached");
  private final Counter encodedBytes = Metrics.counter(BakeProbeFn.class, "encodedBytes");
  private final Distribution probeMillis = Metrics.distribution(BakeProbeFn.class, "probeMillis");
  private transient ProbeBaker baker;

  public BakeProbeFn(BakeSettings settings) {
    this.settings = settings;
  }

  @Setup
  public void setup() {
    // The raster of the plan is built once per DoFn instance, not per probe.
    baker = new ProbeBaker(settings);
  }

  @ProcessElement
  public void process(@Element Probe probe, OutputReceiver<BakedProbe> out) {
    ProbeBaker.BakeOutcome result = baker.bake(probe);
    byte[] encoded = ProbeEncoder.encode(result.field());
    double seconds = result.nanos() / 1e9;
    probes.inc();
    cellsReached.inc(result.field().reachedCells());
    encodedBytes.inc(encoded.length);
    probeMillis.update(result.nanos() / 1_000_000);
    LOG.debug(
        "{}: {} cells simulated for {} steps in {} s, {} bake cells reached, {} bytes",
        probe,
        result.domainCells(),
        result.steps(),
        seconds,
        result.field().reachedCells(),
        encoded.length);
    out.output(
        new BakedProbe(
            probe, encoded, SceneStatistics.ofProbe(result.field(), encoded.length, seconds)));
  }
}
