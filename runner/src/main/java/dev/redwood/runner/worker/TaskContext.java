package dev.redwood.runner.worker;

import dev.redwood.runner.plan.JobLayout;
import dev.redwood.runner.plan.StageSpec;
import dev.redwood.runner.shuffle.ShuffleObject;
import dev.redwood.runner.storage.BlobStore;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import org.apache.beam.sdk.metrics.MetricsEnvironment;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.joda.time.Instant;

/** What the operators of one task attempt share: where to read and write, metrics, outputs. */
public final class TaskContext {
  private final BlobStore store;
  private final JobLayout layout;
  private final StageSpec spec;
  private final int task;
  private final String attemptId;
  private final Path workingDir;
  private final PipelineOptions options;
  private final MetricsContainerStepMap metrics = new MetricsContainerStepMap();
  private final Map<String, ShuffleObject> shuffleOutputs = new LinkedHashMap<>();
  private final Map<String, String> viewOutputs = new LinkedHashMap<>();
  private final Map<String, String> residuals = new LinkedHashMap<>();
  private MaterializedSideInputs sideInputs;
  private final List<FinalizeCallback> finalizeCallbacks = new ArrayList<>();

  /** A bundle finalization callback with the time after which it is no longer wanted. */
  record FinalizeCallback(Instant expiry, DoFn.BundleFinalizer.Callback callback) {}

  TaskContext(
      BlobStore store,
      JobLayout layout,
      StageSpec spec,
      int task,
      String attemptId,
      Path workingDir) {
    this.store = store;
    this.layout = layout;
    this.spec = spec;
    this.task = task;
    this.attemptId = attemptId;
    this.workingDir = workingDir;
    this.options = spec.options().get();
  }

  public BlobStore store() {
    return store;
  }

  public JobLayout layout() {
    return layout;
  }

  public StageSpec spec() {
    return spec;
  }

  public int task() {
    return task;
  }

  public PipelineOptions options() {
    return options;
  }

  public Path workingDir() {
    return workingDir;
  }

  public MetricsContainerStepMap metrics() {
    return metrics;
  }

  /** Makes {@code step} the metrics container of this thread until the result is closed. */
  public Closeable metricsScope(String step) {
    return MetricsEnvironment.scopedMetricsContainer(metrics.getContainer(step));
  }

  /** Where this attempt writes its part of shuffle {@code shuffleId}. */
  public ShuffleObject shuffleOutput(String shuffleId) {
    return new ShuffleObject(
        layout.shuffleData(spec.stageId(), task, attemptId, shuffleId),
        layout.shuffleIndex(spec.stageId(), task, attemptId, shuffleId));
  }

  /** Where this attempt materializes side-input view {@code viewId}. */
  public String viewOutput(String viewId) {
    return layout.viewData(spec.stageId(), task, attemptId, viewId);
  }

  /** Where this attempt keeps the restrictions splittable step {@code processStep} left. */
  String residualOutput(String processStep) {
    return layout.residuals(spec.stageId(), task, attemptId, processStep);
  }

  public long shuffleBufferBytes() {
    return spec.shuffleBufferMb() * 1024L * 1024L;
  }

  void addShuffleOutput(String shuffleId, ShuffleObject object) {
    shuffleOutputs.put(shuffleId, object);
  }

  void addViewOutput(String viewId, String key) {
    viewOutputs.put(viewId, key);
  }

  void addResiduals(String processStep, String key) {
    residuals.put(processStep, key);
  }

  Map<String, String> residuals() {
    return residuals;
  }

  Map<String, ShuffleObject> shuffleOutputs() {
    return shuffleOutputs;
  }

  Map<String, String> viewOutputs() {
    return viewOutputs;
  }

  String attemptId() {
    return attemptId;
  }

  /** Collects callbacks that run once the task's outputs are committed (its manifest written). */
  DoFn.BundleFinalizer bundleFinalizer() {
    return (expiry, callback) -> finalizeCallbacks.add(new FinalizeCallback(expiry, callback));
  }

  List<FinalizeCallback> finalizeCallbacks() {
    return finalizeCallbacks;
  }

  /** Side inputs of this task, loaded from the blob store on first use. */
  MaterializedSideInputs sideInputs() throws IOException {
    if (sideInputs == null) {
      sideInputs = new MaterializedSideInputs(this);
    }
    return sideInputs;
  }
}
