package dev.redwood.runner.metrics;

import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import org.apache.beam.runners.core.metrics.MetricsPusher;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricResults;
import org.apache.beam.sdk.metrics.MetricsOptions;

/**
 * A job's metrics: committed values sum the accepted attempt of every task; attempted values also
 * count the extra successful attempts that were not accepted (duplicates). Updated by the driver as
 * manifests arrive, read at any time through {@code PipelineResult.metrics()}.
 */
public final class JobMetrics {
  private final MetricsContainerStepMap attempted = new MetricsContainerStepMap();
  private final MetricsContainerStepMap committed = new MetricsContainerStepMap();

  public synchronized void accepted(MetricsContainerStepMap attempt) {
    attempted.updateAll(attempt);
    committed.updateAll(attempt);
  }

  public synchronized void notAccepted(MetricsContainerStepMap attempt) {
    attempted.updateAll(attempt);
  }

  /**
   * Pushes attempted metrics to the sink named by {@code --metricsSink} every {@code
   * --metricsPushPeriod} while the pipeline runs, and once more when it ends.
   */
  public void startPushing(MetricsOptions options, PipelineResult result) {
    new MetricsPusher(attempted, options, result).start();
  }

  /** A snapshot: later updates do not change what it returns. */
  public synchronized MetricResults results() {
    MetricsContainerStepMap attemptedCopy = new MetricsContainerStepMap();
    attemptedCopy.updateAll(attempted);
    MetricsContainerStepMap committedCopy = new MetricsContainerStepMap();
    committedCopy.updateAll(committed);
    return MetricsContainerStepMap.asMetricResults(attemptedCopy, committedCopy);
  }
}
