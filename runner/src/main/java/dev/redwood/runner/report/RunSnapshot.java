package dev.redwood.runner.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.GaugeResult;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricResults;
import org.apache.beam.sdk.metrics.MetricsFilter;

/**
 * A run as its report shows it at one moment: an immutable copy of what {@link RunRecorder}
 * recorded. Times are wall-clock epoch milliseconds; 0 means "not yet".
 *
 * @param finished whether the run has ended ({@code state} is then its final state)
 * @param poolVmSizes pool id to VM size (empty for local nodes)
 */
public record RunSnapshot(
    String jobId,
    String backend,
    String state,
    long startedMillis,
    long nowMillis,
    boolean finished,
    String failure,
    String failureLogs,
    List<StageView> stages,
    List<AttemptView> attempts,
    Map<String, String> poolVmSizes,
    List<MetricRow> metrics) {

  /**
   * One stage.
   *
   * @param acceptedMillis the work time of each accepted attempt, as its manifest says
   * @param recordsIn elements the stage's accepted attempts read
   * @param shuffleRecordsOut records the accepted attempts wrote into shuffles
   * @param shuffleBytesOut bytes of those shuffle objects
   */
  public record StageView(
      int id,
      String name,
      int tasks,
      int reused,
      List<Integer> dependsOn,
      long startedMillis,
      long endedMillis,
      List<Long> acceptedMillis,
      long recordsIn,
      long shuffleRecordsOut,
      long shuffleBytesOut) {}

  /**
   * One task attempt of this session.
   *
   * @param workMillis the work time its manifest reports, or -1 without a manifest
   * @param acceptedMillis when the driver accepted its manifest as the task's output, or 0
   * @param requeuedFrom the node the attempt started on when Batch requeued it onto another (the
   *     first node was preempted or lost), else null
   */
  public record AttemptView(
      int stage,
      int task,
      int attempt,
      RunRecorder.Cause cause,
      RunRecorder.AttemptOutcome outcome,
      String pool,
      String node,
      long addedMillis,
      long startedMillis,
      long endedMillis,
      long workMillis,
      long acceptedMillis,
      String failure,
      String requeuedFrom) {

    /** Whether the attempt ran (has a bar on the timeline). */
    public boolean ran() {
      return startedMillis != 0;
    }
  }

  /**
   * One metric as the pipeline result reports it.
   *
   * @param kind counter, distribution or gauge
   * @param committed the committed value, formatted (accepted attempts only)
   * @param attempted the attempted value, formatted (every successful attempt)
   */
  public record MetricRow(
      String kind, String step, String namespace, String name, String committed, String attempted) {

    static List<MetricRow> of(MetricResults results) {
      List<MetricRow> rows = new ArrayList<>();
      if (results == null) {
        return rows;
      }
      MetricQueryResults all = results.queryMetrics(MetricsFilter.builder().build());
      for (MetricResult<Long> c : all.getCounters()) {
        rows.add(row("counter", c, String::valueOf));
      }
      for (MetricResult<DistributionResult> d : all.getDistributions()) {
        rows.add(row("distribution", d, RunSnapshot::distribution));
      }
      for (MetricResult<GaugeResult> g : all.getGauges()) {
        rows.add(row("gauge", g, v -> String.valueOf(v.getValue())));
      }
      rows.sort(
          Comparator.comparing(MetricRow::step)
              .thenComparing(MetricRow::namespace)
              .thenComparing(MetricRow::name)
              .thenComparing(MetricRow::kind));
      return rows;
    }

    private static <T> MetricRow row(
        String kind, MetricResult<T> result, java.util.function.Function<T, String> format) {
      String committed;
      try {
        committed = result.getCommitted() == null ? "" : format.apply(result.getCommitted());
      } catch (UnsupportedOperationException e) {
        committed = "";
      }
      String attempted = result.getAttempted() == null ? "" : format.apply(result.getAttempted());
      return new MetricRow(
          kind,
          String.valueOf(result.getKey().stepName()),
          result.getName().getNamespace(),
          result.getName().getName(),
          committed,
          attempted);
    }
  }

  private static String distribution(DistributionResult d) {
    if (d.getCount() == 0) {
      return "count 0";
    }
    return "count "
        + d.getCount()
        + ", sum "
        + d.getSum()
        + ", min "
        + d.getMin()
        + ", max "
        + d.getMax()
        + ", mean "
        + String.format(java.util.Locale.ROOT, "%.3g", d.getMean());
  }
}
