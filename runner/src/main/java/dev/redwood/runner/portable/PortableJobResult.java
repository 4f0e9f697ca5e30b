package dev.redwood.runner.portable;

import dev.redwood.runner.driver.AzureBatchPipelineResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.beam.model.jobmanagement.v1.JobApi;
import org.apache.beam.model.pipeline.v1.MetricsApi.MonitoringInfo;
import org.apache.beam.runners.core.metrics.BoundedTrieData;
import org.apache.beam.runners.core.metrics.DistributionData;
import org.apache.beam.runners.core.metrics.GaugeData;
import org.apache.beam.runners.core.metrics.MonitoringInfoConstants;
import org.apache.beam.runners.core.metrics.SimpleMonitoringInfoBuilder;
import org.apache.beam.runners.core.metrics.StringSetData;
import org.apache.beam.runners.jobsubmission.PortablePipelineResult;
import org.apache.beam.sdk.metrics.BoundedTrieResult;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.GaugeResult;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricResults;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.metrics.StringSetResult;
import org.joda.time.Duration;

/**
 * A portable job's result as the Job API reports it: the Redwood run's state, and its user metrics
 * as monitoring infos, by transform.
 */
final class PortableJobResult implements PortablePipelineResult {
  private final AzureBatchPipelineResult run;

  PortableJobResult(AzureBatchPipelineResult run) {
    this.run = run;
  }

  @Override
  public State getState() {
    return run.getState();
  }

  @Override
  public State cancel() throws IOException {
    return run.cancel();
  }

  @Override
  public State waitUntilFinish(Duration duration) {
    return run.waitUntilFinish(duration);
  }

  @Override
  public State waitUntilFinish() {
    return run.waitUntilFinish();
  }

  @Override
  public MetricResults metrics() {
    return run.metrics();
  }

  /**
   * The committed value of every metric, and the attempted value of those whose attempts differ
   * (retried work): Beam's Java client adds both lists up as attempted values, so a metric listed
   * twice with one value would count twice (PAssert's success counters among them); a client that
   * finds no attempted value takes the committed one.
   */
  @Override
  public JobApi.MetricResults portableMetrics() {
    MetricQueryResults all = run.metrics().queryMetrics(MetricsFilter.builder().build());
    return JobApi.MetricResults.newBuilder()
        .addAllAttempted(monitoringInfos(all, PortableJobResult::attemptedIfDifferent))
        .addAllCommitted(monitoringInfos(all, PortableJobResult::committed))
        .build();
  }

  private static <T> T committed(MetricResult<T> result) {
    return result.hasCommitted() ? result.getCommitted() : result.getAttempted();
  }

  private static <T> T attemptedIfDifferent(MetricResult<T> result) {
    return result.hasCommitted() && !result.getAttempted().equals(result.getCommitted())
        ? result.getAttempted()
        : null;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static List<MonitoringInfo> monitoringInfos(
      MetricQueryResults all, Function<MetricResult<?>, Object> value) {
    List<MonitoringInfo> infos = new ArrayList<>();
    for (MetricResult<Long> counter : all.getCounters()) {
      Long v = (Long) value.apply((MetricResult) counter);
      if (v != null) {
        infos.add(
            labelled(counter, MonitoringInfoConstants.Urns.USER_SUM_INT64)
                .setInt64SumValue(v)
                .build());
      }
    }
    for (MetricResult<DistributionResult> distribution : all.getDistributions()) {
      DistributionResult v = (DistributionResult) value.apply((MetricResult) distribution);
      if (v != null) {
        infos.add(
            labelled(distribution, MonitoringInfoConstants.Urns.USER_DISTRIBUTION_INT64)
                .setInt64DistributionValue(
                    DistributionData.create(v.getSum(), v.getCount(), v.getMin(), v.getMax()))
                .build());
      }
    }
    for (MetricResult<GaugeResult> gauge : all.getGauges()) {
      GaugeResult v = (GaugeResult) value.apply((MetricResult) gauge);
      if (v != null) {
        infos.add(
            labelled(gauge, MonitoringInfoConstants.Urns.USER_LATEST_INT64)
                .setInt64LatestValue(GaugeData.create(v.getValue(), v.getTimestamp()))
                .build());
      }
    }
    for (MetricResult<StringSetResult> set : all.getStringSets()) {
      StringSetResult v = (StringSetResult) value.apply((MetricResult) set);
      if (v != null) {
        infos.add(
            labelled(set, MonitoringInfoConstants.Urns.USER_SET_STRING)
                .setStringSetValue(StringSetData.create(v.getStringSet()))
                .build());
      }
    }
    for (MetricResult<BoundedTrieResult> trie : all.getBoundedTries()) {
      BoundedTrieResult v = (BoundedTrieResult) value.apply((MetricResult) trie);
      if (v != null) {
        BoundedTrieData data = new BoundedTrieData();
        for (List<String> path : v.getResult()) {
          // Each path ends with its truncation flag, which the data adds back itself.
          data.add(path.subList(0, path.size() - 1));
        }
        infos.add(
            labelled(trie, MonitoringInfoConstants.Urns.USER_BOUNDED_TRIE)
                .setBoundedTrieValue(data)
                .build());
      }
    }
    return infos;
  }

  private static SimpleMonitoringInfoBuilder labelled(MetricResult<?> result, String urn) {
    return new SimpleMonitoringInfoBuilder()
        .setUrn(urn)
        .setLabel(MonitoringInfoConstants.Labels.PTRANSFORM, result.getKey().stepName())
        .setLabel(MonitoringInfoConstants.Labels.NAMESPACE, result.getName().getNamespace())
        .setLabel(MonitoringInfoConstants.Labels.NAME, result.getName().getName());
  }
}
